// Package dynamotable stores the face service's items in a DynamoDB table
// (partition key FaceId, global secondary indexes ObjectKeyIndex on
// ObjectKey and PersonIndex on Person). It implements service.FaceTable
// over a small interface shaped like *dynamodb.Client.
//
// Where and why: it is the table adapter of the deployed functions
// (lambdas/handler builds it in ServiceFromEnv), kept apart from the core
// so that the core never imports the DynamoDB client. It is under
// internal/ like the core it serves; its behaviour is pinned by the
// conformance suite internal/service/tabletest, which the offline bbolt
// table passes too.
package dynamotable
