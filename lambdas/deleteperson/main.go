// Command deleteperson is the function behind DELETE /persons/{person}
// (see handler.API.DeletePerson).
package main

import (
	"log/slog"

	"github.com/facerec/facerec-cdk/lambdas/handler"
	"github.com/facerec/facerec-cdk/lambdas/service"
)

func main() {
	handler.Start(func(svc *service.Service, log *slog.Logger) any { return handler.NewAPI(svc, log).DeletePerson })
}
