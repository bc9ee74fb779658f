// Command faces is the function behind GET /faces and GET /faces/{faceId}
// (see handler.API.Faces).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionFaces) }
