package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// TestIndex_rejectsUnusableObjects: objects that are not images Rekognition
// can use are recorded as rejected, without calling IndexFaces, and the
// event is acknowledged (not retried forever).
func TestIndex_rejectsUnusableObjects(t *testing.T) {
	tests := []struct {
		name   string
		body   []byte
		reason string
	}{
		{"PDF", []byte("%PDF-1.4\n1 0 obj\n"), "JPEG and PNG"},
		{"empty object", nil, "empty"},
		{"tiny PNG", tinyPNG(t, 40, 40), "too small"},
		{"truncated JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), "could not be decoded"},
		{"over 15 MB", append([]byte("\xff\xd8\xff"), make([]byte, contract.MaxS3ImageBytes)...), "at most 15728640 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.sqs = true
			h.env.PutObject(t, "index/file", tc.body, nil)
			deliverS3(t, h, s3Event(h.env.Bucket, "ObjectCreated:Put", "index/file"))
			img := h.imageItem(t, "index/file")
			if img == nil || img["Status"] != contract.StatusRejected || !strings.Contains(img["Reason"].(string), tc.reason) {
				t.Fatalf("image item = %v, want rejected with %q", img, tc.reason)
			}
			if n := h.env.Rek.Calls("IndexFaces"); n != 0 {
				t.Errorf("IndexFaces called %d times", n)
			}
			// Redelivery changes nothing.
			deliverS3(t, h, s3Event(h.env.Bucket, "ObjectCreated:Put", "index/file"))
			if again := h.imageItem(t, "index/file"); again["IndexedAt"] != img["IndexedAt"] {
				t.Errorf("redelivery rewrote the image item: %v", again)
			}
		})
	}
}

// TestIndex_changedObjectReplacesFaces: a new version of an object replaces
// the faces of the old one in the collection and the table.
func TestIndex_changedObjectReplacesFaces(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/me.jpg", "obama_1.jpg", "me")
	old := servicetest.FaceIDs(h.faceItems(t))
	indexPhoto(t, h, "index/me.jpg", "group_obama_biden.jpg", "me")
	items := h.faceItems(t)
	if len(items) != 2 {
		t.Fatalf("face items = %v, want the group photo's two faces", items)
	}
	for _, it := range items {
		if it["FaceId"] == old[0] {
			t.Errorf("old face %s still stored", old[0])
		}
	}
	if n := len(h.env.Rek.Faces()); n != 2 {
		t.Errorf("collection holds %d faces, want 2", n)
	}
	img := h.imageItem(t, "index/me.jpg")
	if img["Status"] != contract.StatusIndexed || img["FaceCount"] != float64(2) || len(img["FaceIds"].([]string)) != 2 {
		t.Errorf("image item = %v", img)
	}
	// Replaced by something that is not an image: the faces go too.
	h.env.PutObject(t, "index/me.jpg", []byte("not an image"), nil)
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectCreated:Put", "index/me.jpg"))
	if n := len(h.faceItems(t)) + len(h.env.Rek.Faces()); n != 0 {
		t.Errorf("%d faces left after the image was replaced by text", n)
	}
}

// TestIndex_removedObjectLosesFaces: ObjectRemoved events remove the
// image's faces and its image item; a stale ObjectRemoved event for an
// object that exists again removes nothing.
func TestIndex_removedObjectLosesFaces(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/a.jpg", "obama_1.jpg", "")
	indexPhoto(t, h, "index/b.jpg", "biden_2.jpg", "")
	if _, err := h.env.S3.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(h.env.Bucket), Key: aws.String("index/a.jpg")}); err != nil {
		t.Fatal(err)
	}
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectRemoved:DeleteMarkerCreated", "index/a.jpg"))
	if got := servicetest.ObjectKeys(h.faceItems(t)); strings.Join(got, ",") != "index/b.jpg" {
		t.Errorf("faces left: %v", got)
	}
	if tomb := h.imageItem(t, "index/a.jpg"); tomb == nil || tomb["Status"] != service.StatusRemoved || tomb["FaceIds"] != nil {
		t.Errorf("image item of the removed object = %v, want a tombstone without faces", tomb)
	}
	if n := len(h.env.Rek.Faces()); n != 1 {
		t.Errorf("collection holds %d faces, want 1", n)
	}
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectRemoved:Delete", "index/b.jpg"))
	if got := servicetest.ObjectKeys(h.faceItems(t)); len(got) != 1 {
		t.Errorf("a stale ObjectRemoved event removed faces of an existing object: %v", got)
	}
}

// TestIndex_personAndUnicode: the person given at upload reaches the face
// items, whether plain or RFC 2047-encoded in object metadata.
func TestIndex_personAndUnicode(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	indexPhoto(t, h, "index/b.jpg", "biden_2.jpg", "=?UTF-8?B?Sm/DqyBCaWRlbg==?=")
	got := map[any]any{}
	for _, it := range h.faceItems(t) {
		got[it["ObjectKey"]] = it["Person"]
	}
	if got["index/a.jpg"] != "Barack Obama" || got["index/b.jpg"] != "Joë Biden" {
		t.Errorf("persons = %v", got)
	}
}

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

// TestIndex_unprocessedWritesAreRetried: DynamoDB leaving batch writes
// unprocessed twice still ends with every face stored.
func TestIndex_unprocessedWritesAreRetried(t *testing.T) {
	h := newHarness(t)
	h.env.DB.UnprocessedNext("BatchWriteItem", 2)
	indexPhoto(t, h, "index/g.jpg", "group_obama_biden.jpg", "")
	if n := len(h.faceItems(t)); n != 2 {
		t.Errorf("%d face items, want 2", n)
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

// TestIndex_indexFacesRetriesOnlyThrottling: IndexFaces is not idempotent,
// so its call is retried when throttled (not applied) but not after a
// server error (maybe applied); the queue's redelivery handles that.
func TestIndex_indexFacesRetriesOnlyThrottling(t *testing.T) {
	for _, tc := range []struct {
		code      string
		status    int
		calls     int
		delivered bool
	}{
		{"ThrottlingException", http.StatusBadRequest, 2, true},
		{"InternalServerError", http.StatusInternalServerError, 1, false},
	} {
		t.Run(tc.code, func(t *testing.T) {
			h := newHarness(t)
			h.put(t, "index/a.jpg", "obama_1.jpg", "")
			h.env.Rek.FailNext("IndexFaces", 1, tc.code, tc.status)
			resp, err := h.index(t, sqsEvent(s3Event(h.env.Bucket, "ObjectCreated:Put", "index/a.jpg")))
			if err != nil || (len(resp.BatchItemFailures) == 0) != tc.delivered {
				t.Errorf("resp %+v err %v, want delivered %v", resp, err, tc.delivered)
			}
			if n := h.env.Rek.Calls("IndexFaces"); n != tc.calls {
				t.Errorf("IndexFaces called %d times, want %d", n, tc.calls)
			}
		})
	}
}
