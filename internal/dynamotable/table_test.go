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
// a short Backoff.
func newTable(t *testing.T) (*dynamotable.Table, *awstest.Env) {
	t.Helper()
	env := awstest.New(t)
	tb := dynamotable.New(env.DynamoDB, env.Table)
	tb.Backoff = time.Millisecond
	return tb, env
}

// TestTable_conformance runs the FaceTable conformance suite on the
// DynamoDB stand-in.
func TestTable_conformance(t *testing.T) {
	tabletest.RunConformanceTests(t, func(t *testing.T) service.FaceTable {
		tb, _ := newTable(t)
		return tb
	})
}
