// Command download is the function behind GET /images/{filename} (see
// handler.API.Download).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionDownload) }
