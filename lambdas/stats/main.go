// Command stats is the function behind GET /stats (see handler.API.Stats).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionStats) }
