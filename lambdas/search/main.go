// Command search is the function behind POST /search (see handler.API.Search).
// Its metrics go to stdout in CloudWatch Embedded Metric Format
// (handler.WithMetrics).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionSearch) }
