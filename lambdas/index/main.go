// Command index is the index function: it consumes S3 notifications from the SQS
// queue and reconciles the images' faces (see handler.Indexer). Its metrics
// go to stdout in CloudWatch Embedded Metric Format (handler.WithMetrics).
package main

import (
	"log/slog"
	"os"

	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() {
	handler.Start(func(svc *service.Service, log *slog.Logger) any {
		return handler.NewIndexer(svc, log, handler.WithMetrics(os.Stdout)).Handle
	})
}
