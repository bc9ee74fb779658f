// Command status is the function behind GET /index/{filename} (see
// handler.API.Status).
package main

import (
	"log/slog"

	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() {
	handler.Start(func(svc *service.Service, log *slog.Logger) any { return handler.NewAPI(svc, log).Status })
}
