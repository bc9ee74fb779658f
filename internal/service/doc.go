// Package service is the face service's core: indexing stored images into a
// Rekognition collection and a table of face records, and searching a photo
// against them. It knows nothing about Lambda or HTTP: it takes decoded
// inputs and returns results or *Error values. Its dependencies are small
// interfaces shaped like the AWS SDK v2 clients (Rekognition, S3) and a
// FaceTable, so the same core runs on AWS and on local parts.
//
// Where and why: the core lives under internal/ because both the deployed
// functions (lambdas/handler) and the offline service (offline) run it,
// and no program outside this module should depend on it. Its behaviour
// tests sit beside it; the suites that every implementation of its
// interfaces must pass are its subpackages tabletest (FaceTable) and
// rekognitiontest (Rekognition), go-cloud style: run against the DynamoDB
// adapter and the AWS stand-in, and against the offline parts.
package service
