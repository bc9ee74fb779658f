// Command index is the index function: it consumes S3 notifications from the SQS
// queue and reconciles the images' faces (see handler.Indexer).
package main

import (
	"log/slog"

	"github.com/facerec/facerec-cdk/lambdas/handler"
	"github.com/facerec/facerec-cdk/lambdas/service"
)

func main() {
	handler.Start(func(svc *service.Service, log *slog.Logger) any { return handler.NewIndexer(svc, log).Handle })
}
