// Command search is the function behind POST /search (see handler.API.Search).
// Its metrics go to stdout in CloudWatch Embedded Metric Format
// (handler.WithMetrics).
package main

import (
	"log/slog"
	"os"

	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() {
	handler.Start(func(svc *service.Service, log *slog.Logger) any {
		return handler.NewAPI(svc, log, handler.WithMetrics(os.Stdout)).Search
	})
}
