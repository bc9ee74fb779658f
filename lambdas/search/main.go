// Command search is the function behind POST /search (see handler.API.Search).
package main

import (
	"log/slog"

	"github.com/facerec/facerec-cdk/lambdas/handler"
	"github.com/facerec/facerec-cdk/lambdas/service"
)

func main() {
	handler.Start(func(svc *service.Service, log *slog.Logger) any { return handler.NewAPI(svc, log).Search })
}
