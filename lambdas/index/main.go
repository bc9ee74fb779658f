// Command index is the index function: it consumes S3 notifications from the SQS
// queue and reconciles the images' faces (see handler.Indexer). Its metrics
// go to stdout in CloudWatch Embedded Metric Format (handler.WithMetrics).
package main

import (
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

func main() { handler.Start(contract.FunctionIndex) }
