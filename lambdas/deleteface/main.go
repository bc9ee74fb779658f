// Command deleteface is the function behind DELETE /faces/{faceId} (see
// handler.API.DeleteFace).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionDeleteFace) }
