// Command status is the function behind GET /index/{filename} (see
// handler.API.Status).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionStatus) }
