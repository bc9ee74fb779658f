// Command rename is the function behind PATCH /persons/{person} (see
// handler.API.Rename).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionRename) }
