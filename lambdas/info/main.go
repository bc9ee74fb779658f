// Command info is the function behind GET /info (see handler.API.Info).
package main

import (
	"log/slog"

	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() {
	handler.Start(func(svc *service.Service, log *slog.Logger) any { return handler.NewAPI(svc, log).Info })
}
