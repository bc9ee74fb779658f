// Command deleteimage is the function behind DELETE /index/{filename}
// (see handler.API.DeleteImage).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionDeleteImage) }
