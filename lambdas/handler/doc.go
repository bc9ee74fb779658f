// Package handler adapts the face service core to AWS Lambda events: API
// Gateway REST proxy requests for the HTTP routes, and SQS or S3 events for
// the index function. It is the one place where service errors become HTTP
// statuses and JSON bodies.
//
// Where and why: it sits with the function mains in lambdas/ because it is
// the Lambda side of the service; the offline service imports it too, so
// that `facerec serve` answers with the very handlers the functions run.
// Handlers and Start look functions up by their contract.Functions name.
package handler
