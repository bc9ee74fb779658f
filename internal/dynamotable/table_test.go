package dynamotable_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

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

// TestTable_returnsAWSErrorsUnchanged: every method returns the error of
// the DynamoDB call it makes unchanged, for the service to map.
func TestTable_returnsAWSErrorsUnchanged(t *testing.T) {
	ctx := t.Context()
	calls := []struct {
		method, op string
		call       func(tb *dynamotable.Table) error
	}{
		{"GetImage", "GetItem", func(tb *dynamotable.Table) error { _, err := tb.GetImage(ctx, "b", "k"); return err }},
		{"GetFace", "GetItem", func(tb *dynamotable.Table) error { _, err := tb.GetFace(ctx, "f1"); return err }},
		{"FacesOfObject", "Query", func(tb *dynamotable.Table) error { _, err := tb.FacesOfObject(ctx, "b", "k"); return err }},
		{"PutImage", "PutItem", func(tb *dynamotable.Table) error {
			return tb.PutImage(ctx, service.ImageItem{Bucket: "b", Key: "k", Version: 1}, 0)
		}},
		{"PutPerson", "PutItem", func(tb *dynamotable.Table) error {
			return tb.PutPerson(ctx, service.PersonItem{Person: "Ann", UserID: "u1"})
		}},
		{"PutFaces", "BatchWriteItem", func(tb *dynamotable.Table) error {
			return tb.PutFaces(ctx, []service.FaceItem{{FaceID: "f1", Bucket: "b", Key: "k"}})
		}},
		{"DeleteItems", "BatchWriteItem", func(tb *dynamotable.Table) error { return tb.DeleteItems(ctx, []string{"f1"}) }},
		{"DeletePerson", "DeleteItem", func(tb *dynamotable.Table) error {
			return tb.DeletePerson(ctx, service.PersonItem{Person: "Ann", UserID: "u1"})
		}},
		{"GetFaces", "BatchGetItem", func(tb *dynamotable.Table) error { _, err := tb.GetFaces(ctx, []string{"f1"}); return err }},
		{"GetPersons", "BatchGetItem", func(tb *dynamotable.Table) error { _, err := tb.GetPersons(ctx, []string{"u1"}); return err }},
		{"ListFaces", "Scan", func(tb *dynamotable.Table) error { _, _, err := tb.ListFaces(ctx, "", 10, ""); return err }},
		{"ListFaces of a person", "Query", func(tb *dynamotable.Table) error { _, _, err := tb.ListFaces(ctx, "Ann", 10, ""); return err }},
		{"ListPersons", "Scan", func(tb *dynamotable.Table) error { _, _, err := tb.ListPersons(ctx, 10, ""); return err }},
	}
	for _, c := range calls {
		t.Run(c.method, func(t *testing.T) {
			tb, env := newTable(t)
			env.DB.FailNext(c.op, 1, "ProvisionedThroughputExceededException", 400)
			err := c.call(tb)
			if !errors.As(err, new(*types.ProvisionedThroughputExceededException)) {
				t.Errorf("%s with %s throttled: %v, want the SDK's ProvisionedThroughputExceededException", c.method, c.op, err)
			}
			if n := env.DB.Calls(c.op); n != 1 {
				t.Errorf("%s made %d %s calls, want 1", c.method, n, c.op)
			}
		})
	}
}

// TestTable_retriesUnprocessedBatchWork: batch work that DynamoDB leaves
// unprocessed is sent again until it is done, and after maxBatchAttempts
// (8) calls the method fails with an error the service treats as
// throttling.
func TestTable_retriesUnprocessedBatchWork(t *testing.T) {
	ctx := t.Context()
	f1 := service.FaceItem{FaceID: "f1", Bucket: "b", Key: "k", IndexedAt: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)}
	ops := []struct {
		op   string
		call func(tb *dynamotable.Table) error
		done func(tb *dynamotable.Table) bool // whether the work was applied
	}{
		{"BatchWriteItem", func(tb *dynamotable.Table) error { return tb.PutFaces(ctx, []service.FaceItem{f1}) },
			func(tb *dynamotable.Table) bool { f, err := tb.GetFace(ctx, "f1"); return err == nil && f != nil }},
		{"BatchGetItem", func(tb *dynamotable.Table) error {
			got, err := tb.GetFaces(ctx, []string{"f1"})
			if err == nil && len(got) != 1 {
				err = fmt.Errorf("GetFaces found %d faces, want 1", len(got))
			}
			return err
		}, func(*dynamotable.Table) bool { return true }},
	}
	for _, o := range ops {
		for _, c := range []struct {
			unprocessed int
			wantErr     bool
		}{{1, false}, {7, false}, {8, true}} {
			t.Run(fmt.Sprintf("%s unprocessed %d times", o.op, c.unprocessed), func(t *testing.T) {
				tb, env := newTable(t)
				if o.op == "BatchGetItem" {
					if err := tb.PutFaces(ctx, []service.FaceItem{f1}); err != nil {
						t.Fatal(err)
					}
				}
				env.DB.UnprocessedNext(o.op, c.unprocessed)
				err := o.call(tb)
				var api smithy.APIError
				switch {
				case c.wantErr && (!errors.As(err, &api) || api.ErrorCode() != "ProvisionedThroughputExceededException"):
					t.Errorf("%v, want an APIError of code ProvisionedThroughputExceededException", err)
				case !c.wantErr && (err != nil || !o.done(tb)):
					t.Errorf("%v, or the work was not done", err)
				}
				if n, want := env.DB.Calls(o.op), min(c.unprocessed+1, 8); n != want {
					t.Errorf("%d %s calls, want %d", n, o.op, want)
				}
			})
		}
	}
}

// TestTable_invalidTokens: a token is the base64url of the JSON of exactly
// the key attributes of the table or index read: one of another listing,
// or of other attributes, is service.ErrInvalidToken.
func TestTable_invalidTokens(t *testing.T) {
	ctx := t.Context()
	tb, _ := newTable(t)
	faces := []service.FaceItem{{FaceID: "f1", Bucket: "b", Key: "k", Person: "Ann"}, {FaceID: "f2", Bucket: "b", Key: "k", Person: "Ann"}}
	if err := tb.PutFaces(ctx, faces); err != nil {
		t.Fatal(err)
	}
	_, ofAll, err := tb.ListFaces(ctx, "", 1, "")
	if err != nil || ofAll == "" {
		t.Fatalf("ListFaces: next %q, %v", ofAll, err)
	}
	_, ofAnn, err := tb.ListFaces(ctx, "Ann", 1, "")
	if err != nil || ofAnn == "" {
		t.Fatalf("ListFaces of Ann: next %q, %v", ofAnn, err)
	}
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	listFaces := func(person string) func(string) error {
		return func(token string) error { _, _, err := tb.ListFaces(ctx, person, 1, token); return err }
	}
	listPersons := func(token string) error { _, _, err := tb.ListPersons(ctx, 1, token); return err }
	for _, c := range []struct {
		name, token string
		list        func(string) error
	}{
		{"all faces' token for a person's faces", ofAll, listFaces("Ann")},
		{"a person's faces' token for all faces", ofAnn, listFaces("")},
		{"a person's faces' token for persons", ofAnn, listPersons},
		{"no attributes", b64(`{}`), listFaces("")},
		{"another attribute", b64(`{"Id":"f1"}`), listFaces("")},
		{"an extra attribute", b64(`{"FaceId":"f1","Other":"x"}`), listPersons},
		{"a number", b64(`{"FaceId":1}`), listFaces("")},
		{"not JSON", b64(`FaceId=f1`), listFaces("")},
	} {
		if err := c.list(c.token); !errors.Is(err, service.ErrInvalidToken) {
			t.Errorf("%s: %v, want ErrInvalidToken", c.name, err)
		}
	}
	for _, c := range []struct {
		name, token string
		list        func(string) error
	}{{"all faces' token", ofAll, listFaces("")}, {"a person's faces' token", ofAnn, listFaces("Ann")}, {"all faces' token for persons", ofAll, listPersons}} {
		if err := c.list(c.token); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// recordBatchGets records each BatchGetItem's ConsistentRead per table.
type recordBatchGets struct {
	dynamotable.API
	consistent []bool
}

func (r *recordBatchGets) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	for _, ka := range in.RequestItems {
		r.consistent = append(r.consistent, aws.ToBool(ka.ConsistentRead))
	}
	return r.API.BatchGetItem(ctx, in, opts...)
}

// TestTable_aliasAndPersonReadsAreConsistent: GetAlias and GetPersons
// read strongly consistently (they decide whether an image is relabelled
// or indexed again, and which user a new person gets, right after a
// rename wrote them); GetFaces need not.
func TestTable_aliasAndPersonReadsAreConsistent(t *testing.T) {
	ctx := t.Context()
	env := awstest.New(t)
	for _, c := range []struct {
		name string
		read func(tb *dynamotable.Table) error
		want bool
	}{
		{"GetAlias", func(tb *dynamotable.Table) error { _, err := tb.GetAlias(ctx, "Ann"); return err }, true},
		{"GetPersons", func(tb *dynamotable.Table) error { _, err := tb.GetPersons(ctx, []string{"u1"}); return err }, true},
		{"GetFaces", func(tb *dynamotable.Table) error { _, err := tb.GetFaces(ctx, []string{"f1"}); return err }, false},
	} {
		rec := &recordBatchGets{API: env.DynamoDB}
		if err := c.read(dynamotable.New(rec, env.Table)); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(rec.consistent) != 1 || rec.consistent[0] != c.want {
			t.Errorf("%s: BatchGetItem ConsistentRead %v, want %v", c.name, rec.consistent, c.want)
		}
	}
}
