// Command thumbnail is the function behind GET /thumbnails/{faceId} (see
// handler.API.Thumbnail).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionThumbnail) }
