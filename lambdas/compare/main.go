// Command compare is the function behind POST /compare (see
// handler.API.Compare).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionCompare) }
