// Command deleteperson is the function behind DELETE /persons/{person}
// (see handler.API.DeletePerson).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionDeletePerson) }
