package service_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// TestIndex_rejectsUnusableObjects: objects that are not images Rekognition
// can use are recorded as rejected, without calling IndexFaces, and
// Reconcile succeeds (so the event is acknowledged, not retried forever).
func TestIndex_rejectsUnusableObjects(t *testing.T) {
	tests := []struct {
		name   string
		body   []byte
		reason string
	}{
		{"PDF", []byte("%PDF-1.4\n1 0 obj\n"), "not a JPEG or PNG image"},
		{"empty object", nil, "empty"},
		{"tiny PNG", servicetest.TinyPNG(t, 40, 40), "too small"},
		{"truncated JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), "jpeg image is truncated"},
		{"over 15 MB", append([]byte("\xff\xd8\xff"), make([]byte, contract.MaxS3ImageBytes)...), "at most 15728640 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.PutObject(t, "index/file", tc.body, nil)
			h.reconcile(t, "index/file")
			img := h.ImageItem(t, "index/file")
			if img == nil || img["Status"] != contract.StatusRejected || !strings.Contains(img["Reason"].(string), tc.reason) {
				t.Fatalf("image item = %v, want rejected with %q", img, tc.reason)
			}
			if n := h.Rek.Calls("IndexFaces"); n != 0 {
				t.Errorf("IndexFaces called %d times", n)
			}
			// Redelivery changes nothing.
			h.reconcile(t, "index/file")
			if again := h.ImageItem(t, "index/file"); again["IndexedAt"] != img["IndexedAt"] {
				t.Errorf("redelivery rewrote the image item: %v", again)
			}
		})
	}
}

// TestIndex_changedObjectReplacesFaces: a new version of an object replaces
// the faces of the old one in the collection and the table.
func TestIndex_changedObjectReplacesFaces(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/me.jpg", "obama_1.jpg", "me")
	old := servicetest.FaceIDs(h.FaceItems(t))
	h.indexPhoto(t, "index/me.jpg", "group_obama_biden.jpg", "me")
	items := h.FaceItems(t)
	if len(items) != 2 {
		t.Fatalf("face items = %v, want the group photo's two faces", items)
	}
	for _, it := range items {
		if it["FaceId"] == old[0] {
			t.Errorf("old face %s still stored", old[0])
		}
	}
	if n := len(h.Rek.Faces()); n != 2 {
		t.Errorf("collection holds %d faces, want 2", n)
	}
	img := h.ImageItem(t, "index/me.jpg")
	if img["Status"] != contract.StatusIndexed || img["FaceCount"] != float64(2) || len(img["FaceIds"].([]string)) != 2 {
		t.Errorf("image item = %v", img)
	}
	// Replaced by something that is not an image: the faces go too.
	h.PutObject(t, "index/me.jpg", []byte("not an image"), nil)
	h.reconcile(t, "index/me.jpg")
	if n := len(h.FaceItems(t)) + len(h.Rek.Faces()); n != 0 {
		t.Errorf("%d faces left after the image was replaced by text", n)
	}
}

// TestIndex_removedObjectLosesFaces: reconciling a deleted object removes
// the image's faces and turns its image item into a tombstone;
// reconciling an object that exists (as for a stale ObjectRemoved event)
// removes nothing.
func TestIndex_removedObjectLosesFaces(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "")
	h.indexPhoto(t, "index/b.jpg", "biden_2.jpg", "")
	if _, err := h.S3.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(h.Bucket), Key: aws.String("index/a.jpg")}); err != nil {
		t.Fatal(err)
	}
	h.reconcile(t, "index/a.jpg")
	if got := servicetest.ObjectKeys(h.FaceItems(t)); strings.Join(got, ",") != "index/b.jpg" {
		t.Errorf("faces left: %v", got)
	}
	if tomb := h.ImageItem(t, "index/a.jpg"); tomb == nil || tomb["Status"] != service.StatusRemoved || tomb["FaceIds"] != nil {
		t.Errorf("image item of the removed object = %v, want a tombstone without faces", tomb)
	}
	if n := len(h.Rek.Faces()); n != 1 {
		t.Errorf("collection holds %d faces, want 1", n)
	}
	h.reconcile(t, "index/b.jpg")
	if got := servicetest.ObjectKeys(h.FaceItems(t)); len(got) != 1 {
		t.Errorf("a stale ObjectRemoved event removed faces of an existing object: %v", got)
	}
}

// TestIndex_personAndUnicode: the person given at upload reaches the face
// items, whether plain or RFC 2047-encoded in object metadata.
func TestIndex_personAndUnicode(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	h.indexPhoto(t, "index/b.jpg", "biden_2.jpg", "=?UTF-8?B?Sm/DqyBCaWRlbg==?=")
	got := map[any]any{}
	for _, it := range h.FaceItems(t) {
		got[it["ObjectKey"]] = it["Person"]
	}
	if got["index/a.jpg"] != "Barack Obama" || got["index/b.jpg"] != "Joë Biden" {
		t.Errorf("persons = %v", got)
	}
}

// TestIndex_unprocessedWritesAreRetried: DynamoDB leaving batch writes
// unprocessed twice still ends with every face stored.
func TestIndex_unprocessedWritesAreRetried(t *testing.T) {
	h := newHarness(t)
	h.DB.UnprocessedNext("BatchWriteItem", 2)
	h.indexPhoto(t, "index/g.jpg", "group_obama_biden.jpg", "")
	if n := len(h.FaceItems(t)); n != 2 {
		t.Errorf("%d face items, want 2", n)
	}
}

// TestIndex_indexFacesRetriesOnlyThrottling: IndexFaces is not idempotent,
// so its call is retried when throttled (not applied) but not after a
// server error (maybe applied); Reconcile then fails, and the queue's
// redelivery handles that.
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
			h.Put(t, "index/a.jpg", "obama_1.jpg", "")
			h.Rek.FailNext("IndexFaces", 1, tc.code, tc.status)
			res, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg")
			if (err == nil) != tc.delivered {
				t.Errorf("result %+v err %v, want delivered %v", res, err, tc.delivered)
			}
			if n := h.Rek.Calls("IndexFaces"); n != tc.calls {
				t.Errorf("IndexFaces called %d times, want %d", n, tc.calls)
			}
		})
	}
}

// TestIndex_rejectsInvalidPersons: an upload whose person metadata breaks
// contract.ValidatePerson (a line break, and only spaces, RFC 2047-encoded
// as S3 returns such metadata) is rejected with the rule,
// stores no name, and its status is rejected, not pending.
func TestIndex_rejectsInvalidPersons(t *testing.T) {
	for _, person := range []string{"=?UTF-8?B?dHdvCmxpbmVz?=", "=?UTF-8?B?ICAg?="} {
		h := newHarness(t)
		h.PutObject(t, "index/p.jpg", photos.MustRead("obama_1.jpg"), map[string]string{contract.PersonMetadataKey: person})
		h.reconcile(t, "index/p.jpg")
		img := h.ImageItem(t, "index/p.jpg")
		if img == nil || img["Status"] != contract.StatusRejected || !strings.Contains(img["Reason"].(string), contract.PersonRule) || img["Person"] != nil {
			t.Errorf("person %q: image item %v, want rejected with the rule and no person", person, img)
		}
		if n := h.Rek.Calls("IndexFaces"); n != 0 {
			t.Errorf("person %q: IndexFaces called %d times", person, n)
		}
		if st := h.status(t, "p.jpg"); st.Status != contract.StatusRejected {
			t.Errorf("person %q: status %+v, want rejected", person, st)
		}
	}
}
