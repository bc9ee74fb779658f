// Command reindex is the function behind POST /reindex and
// GET /reindex/{reindexId} (see handler.API.Reindex).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionReindex) }
