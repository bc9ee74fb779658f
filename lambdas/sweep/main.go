// Command sweep is the function the construct's EventBridge schedule
// invokes (see handler.Sweeper).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionSweep) }
