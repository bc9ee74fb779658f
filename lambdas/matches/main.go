// Command matches is the function behind GET /matches/{faceId} (see
// handler.API.Matches).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionMatches) }
