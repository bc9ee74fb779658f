// Command persons is the function behind GET /persons and
// GET /persons/{person} (see handler.API.Persons).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionPersons) }
