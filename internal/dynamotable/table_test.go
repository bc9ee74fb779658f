package dynamotable_test

import (
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/internal/awstest"
	"github.com/facerec/facerec-cdk/internal/dynamotable"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/tabletest"
)

// newTable returns a Table on the table of a new DynamoDB stand-in, with
// a short Backoff, its client made with opts.
func newTable(t *testing.T, opts ...awstest.Option) (*dynamotable.Table, *awstest.Env) {
	t.Helper()
	env := awstest.New(t, opts...)
	tb := dynamotable.New(env.DynamoDB, env.Table)
	tb.Backoff = time.Millisecond
	return tb, env
}

// TestTable_conformance runs the FaceTable conformance suite on the
// DynamoDB stand-in, through a client with the SDK's standard retryer as
// on AWS: about one call in a hundred with a large answer (a batch of 100
// faces) fails to read it with "use of closed network connection"
// (aws-sdk-go-v2 issue 2737), which that retryer retries.
func TestTable_conformance(t *testing.T) {
	tabletest.RunConformanceTests(t, func(t *testing.T) service.FaceTable {
		tb, _ := newTable(t, awstest.WithStandardRetryer())
		return tb
	})
}
