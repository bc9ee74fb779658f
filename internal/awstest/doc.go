// Package awstest runs loopback stand-ins for Amazon Rekognition, Amazon
// DynamoDB and Amazon S3 and points real AWS SDK v2 clients at them, so that
// tests exercise the SDK's own serialization, error types and retry
// logic without calling AWS.
//
// Rekognition and DynamoDB are served by the fakes of this package
// (FakeRekognition, FakeDynamoDB) over httptest servers speaking the services'
// JSON protocols; S3 by gofakes3 with its in-memory backend. Which faces an
// image holds is decided by fixtures (FakeRekognition.SetFaces), keyed by the
// image bytes, and for crops of an image by its pixels
// (FakeRekognition.RecognizeCrops). The fakes validate requests like the real services where the
// project depends on it and answer anything they do not implement with an
// error rather than ignoring it.
//
// It is test support: only tests import it.
//
// Where and why: it is under internal/ because it is this module's test
// support, not an emulator for others (offline is that); the tests of
// internal/dynamotable, internal/service, the conformance suites and
// lambdas/handler share it.
package awstest
