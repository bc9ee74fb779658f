package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// TestIndex_sqsFailuresAreReportedPerMessage: a throttled record, an
// undecodable body and a malformed key escape fail only their own
// messages; test events are acknowledged.
func TestIndex_sqsFailuresAreReportedPerMessage(t *testing.T) {
	h := newHarness(t)
	h.put(t, "index/a.jpg", "obama_1.jpg", "")
	h.put(t, "index/b.jpg", "biden_2.jpg", "")
	// Throttled on all three attempts of the call (the SDK retries
	// throttling only): the message fails and is retried later.
	h.env.Rek.FailNext("IndexFaces", 3, "ProvisionedThroughputExceededException", http.StatusBadRequest)
	testEvent := []byte(`{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-20T12:00:00.000Z","Bucket":"b","RequestId":"r","HostId":"h"}`)
	resp, err := h.index(t, sqsEvent(
		s3Event(h.env.Bucket, "ObjectCreated:Put", "index/a.jpg"), // m0: throttled
		s3Event(h.env.Bucket, "ObjectCreated:Put", "index/b.jpg"), // m1: indexed
		testEvent,          // m2: ignored
		[]byte("not json"), // m3: undecodable
		s3Event(h.env.Bucket, "ObjectCreated:Put", "index/%zz"), // m4: bad escape
	))
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if strings.Join(failed, ",") != "m0,m3,m4" {
		t.Errorf("batch item failures = %v, want m0,m3,m4", failed)
	}
	if got := servicetest.ObjectKeys(h.faceItems(t)); strings.Join(got, ",") != "index/b.jpg" {
		t.Errorf("indexed: %v", got)
	}
	// The retried message indexes the throttled image.
	resp, err = h.index(t, sqsEvent(s3Event(h.env.Bucket, "ObjectCreated:Put", "index/a.jpg")))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("retry: %+v %v", resp, err)
	}
	if got := servicetest.ObjectKeys(h.faceItems(t)); strings.Join(got, ",") != "index/a.jpg,index/b.jpg" {
		t.Errorf("indexed after retry: %v", got)
	}
}

// TestIndex_logsAreJSONWithoutImageBytes checks the log lines an index
// run writes.
func TestIndex_logsAreJSONWithoutImageBytes(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/a.jpg", "obama_1.jpg", "")
	lines := bytes.Split(bytes.TrimSpace(h.logs.Bytes()), []byte("\n"))
	if len(lines) == 0 {
		t.Fatal("nothing logged")
	}
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal(l, &rec); err != nil {
			t.Fatalf("log line is not JSON: %s", l)
		}
		if len(l) > 2000 {
			t.Errorf("log line of %d bytes", len(l))
		}
	}
	if !strings.Contains(h.logs.String(), `"outcome":"indexed"`) {
		t.Errorf("no record outcome logged: %s", h.logs.String())
	}
}

// TestHandleSQS_leavesMessagesNearTheDeadline: with less time left than a
// message needs, messages are reported for retry without being started.
func TestHandleSQS_leavesMessagesNearTheDeadline(t *testing.T) {
	h := newHarness(t)
	h.put(t, "index/a.jpg", "obama_1.jpg", "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	resp := h.indexer.HandleSQS(ctx, events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m0", Body: string(s3Event(h.env.Bucket, "ObjectCreated:Put", "index/a.jpg"))},
	}})
	if len(resp.BatchItemFailures) != 1 || h.env.Rek.Calls("IndexFaces") != 0 {
		t.Errorf("resp %+v, IndexFaces calls %d; want m0 left for a retry", resp, h.env.Rek.Calls("IndexFaces"))
	}
}
