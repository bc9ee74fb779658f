package local

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/facerec/facerec-cdk/lambdas/service"
)

func TestObjects_anyKeyStaysInsideTheDirectory(t *testing.T) {
	dir := t.TempDir()
	o, err := newObjects(filepath.Join(dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../../escape.jpg", "index/Jane Doe+1.jpg", "index/日本.png", "/abs"} {
		if _, err := o.Put(key, []byte("data:"+key), "image/jpeg", map[string]string{"person": "p"}); err != nil {
			t.Fatalf("put %q: %v", key, err)
		}
		out, err := o.GetObject(context.Background(), &s3.GetObjectInput{Key: aws.String(key)})
		if err != nil {
			t.Fatalf("get %q: %v", key, err)
		}
		b, _ := io.ReadAll(out.Body)
		if string(b) != "data:"+key || out.Metadata["person"] != "p" || aws.ToString(out.ETag) == "" {
			t.Errorf("get %q = %q %v", key, b, out.Metadata)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "escape.jpg")); err == nil {
		t.Error("a ../ key was written outside the objects directory")
	}
	_, err = o.GetObject(context.Background(), &s3.GetObjectInput{Key: aws.String("missing")})
	var nsk *s3types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Errorf("GetObject of a missing key: %v, want *types.NoSuchKey", err)
	}
	_, err = o.HeadObject(context.Background(), &s3.HeadObjectInput{Key: aws.String("missing")})
	var nf *s3types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("HeadObject of a missing key: %v, want *types.NotFound", err)
	}
}

func TestTable_deleteSkipsUnknownIDs(t *testing.T) {
	db, err := openDB(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tb := &Table{db: db}
	ctx := context.Background()
	faces := []service.FaceItem{{FaceID: "f1", Bucket: "b", Key: "k"}, {FaceID: "f2", Bucket: "b", Key: "k"}, {FaceID: "f3", Bucket: "b", Key: "other"}}
	if err := tb.PutFaces(ctx, faces); err != nil {
		t.Fatal(err)
	}
	if got, _ := tb.FacesOfObject(ctx, "b", "k"); len(got) != 2 {
		t.Fatalf("faces of b/k = %v", got)
	}
	if err := tb.DeleteItems(ctx, []string{"unknown", "f1", "IMAGE#b/k", "f2"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := tb.FacesOfObject(ctx, "b", "k"); len(got) != 0 {
		t.Errorf("faces of b/k after delete = %v", got)
	}
	if got, _ := tb.GetFaces(ctx, []string{"f1", "f3"}); len(got) != 1 || got["f3"].Key != "other" {
		t.Errorf("GetFaces = %v", got)
	}
}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestQueue_retriesThenDeadLetters: a message that keeps failing is tried
// MaxReceives times and then kept in the dead-letter directory.
func TestQueue_retriesThenDeadLetters(t *testing.T) {
	dir := t.TempDir()
	var calls atomic.Int32
	q, err := newQueue(dir, func(context.Context, json.RawMessage) (*events.SQSEventResponse, error) {
		calls.Add(1)
		return &events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "x"}}}, nil
	}, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	q.MaxReceives, q.Backoff = 3, time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := q.Start(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := q.Send([]byte(`{"Records":[]}`)); err != nil {
		t.Fatal(err)
	}
	dctx, dcancel := context.WithTimeout(ctx, time.Minute)
	defer dcancel()
	if err := q.Drain(dctx); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("handled %d times, want 3", n)
	}
	dead, _ := os.ReadDir(filepath.Join(dir, "dead-letter"))
	queued, _ := os.ReadDir(filepath.Join(dir, "queue"))
	if len(dead) != 1 || len(queued) != 0 {
		t.Errorf("dead-letter holds %d, queue %d; want 1 and 0", len(dead), len(queued))
	}
}

// TestQueue_keepsMessagesAcrossRestart: messages sent while no worker ran
// are processed by the next start.
func TestQueue_keepsMessagesAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	first, err := newQueue(dir, nil, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := first.Send([]byte(`{"Records":[]}`)); err != nil {
			t.Fatal(err)
		}
	}
	var got atomic.Int32
	second, err := newQueue(dir, func(_ context.Context, raw json.RawMessage) (*events.SQSEventResponse, error) {
		var ev events.SQSEvent
		if err := json.Unmarshal(raw, &ev); err != nil || len(ev.Records) != 1 || ev.Records[0].Body != `{"Records":[]}` {
			t.Errorf("event = %s", raw)
		}
		got.Add(1)
		return &events.SQSEventResponse{}, nil
	}, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := second.Start(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := second.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got.Load() != 3 {
		t.Errorf("processed %d messages after restart, want 3", got.Load())
	}
}
