// Package offline runs the face service on a laptop: the same service core
// and Lambda handlers as on AWS, over local parts that stand in for S3
// (files), DynamoDB (a bbolt database), Rekognition (the faceengine
// package) and SQS (a persistent in-process queue), behind an HTTP server
// that turns requests into API Gateway proxy events.
//
// Start opens a data directory and serves the API on an address with one
// call; Open and Serve do the same in two steps. The parts have no
// constructors of their own: they are the fields of the Local that Open
// returns (Server.Local after Start) — Objects, Table, Rekognition, Queue,
// Handlers, Indexer — and can be used directly once it is open, for
// example to put an object or drain the queue in a test, while it serves
// or not. The routes are those of contract.Functions and
// contract.StorageRoutes, answered by the handlers of lambdas/handler,
// plus GET /downloads/{token}, which stands in for the S3 presigned URLs
// of GET /images/{filename} (see download.go).
//
// The same address answers Amazon Rekognition's own protocol (AWS JSON 1.1,
// POST / with X-Amz-Target RekognitionService.<Operation>) for its
// face-collection operations over the local Rekognition, which holds any
// number of collections, so that any AWS SDK pointed at it
// (AWS_ENDPOINT_URL_REKOGNITION) runs offline; see rekognitionapi.go and
// Options.Credentials.
//
// Where and why: offline is public because it is a product of its own, a
// local Rekognition-backed face API for laptops and other programs' tests,
// not only the engine of the facerec command (which only parses flags and
// calls it). Its parts pass the same conformance suites as the AWS ones
// (internal/service/tabletest and rekognitiontest).
package offline
