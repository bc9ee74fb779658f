package service_test

import (
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// TestStatus follows an upload from pending to indexed, and covers
// rejected, unknown and invalid filenames.
func TestStatus(t *testing.T) {
	h := newHarness(t)
	h.Put(t, "index/group.jpg", "group_obama_biden.jpg", "Two People")
	st := h.status(t, "group.jpg")
	if st.Status != contract.StatusPending || st.Key != "index/group.jpg" || len(st.Faces) != 0 || st.IndexedAt != nil {
		t.Fatalf("before indexing: %+v", st)
	}
	h.reconcile(t, "index/group.jpg")
	st = h.status(t, "group.jpg")
	if st.Status != contract.StatusIndexed || len(st.Faces) != 2 || st.IndexedAt == nil {
		t.Fatalf("after indexing: %+v", st)
	}
	for _, f := range st.Faces {
		if f.FaceID == "" || f.Person != "Two People" || f.BoundingBox.Width == 0 || f.Confidence == 0 {
			t.Errorf("face = %+v", f)
		}
	}

	h.PutObject(t, "index/notes.txt", []byte("hello"), nil)
	h.reconcile(t, "index/notes.txt")
	if st = h.status(t, "notes.txt"); st.Status != contract.StatusRejected || !strings.Contains(st.Reason, "JPEG") {
		t.Errorf("text file: %+v", st)
	}

	// The filename is the key's, spaces and plus signs included.
	h.Put(t, "index/Jane Doe+1.jpg", "biden_2.jpg", "")
	h.reconcile(t, "index/Jane Doe+1.jpg")
	if st = h.status(t, "Jane Doe+1.jpg"); st.Status != contract.StatusIndexed || st.Key != "index/Jane Doe+1.jpg" {
		t.Errorf("filename with a space and a plus: %+v", st)
	}

	for name, want := range map[string]service.Kind{
		"missing.jpg": service.KindNotFound, "..": service.KindBadRequest, "": service.KindBadRequest, "a//b": service.KindBadRequest, "a/../b": service.KindBadRequest, "\xff\xfe.jpg": service.KindBadRequest} {
		if _, err := h.Service.Status(t.Context(), name); kindOf(err) != want {
			t.Errorf("filename %q: error %v (kind %d), want kind %d", name, err, kindOf(err), want)
		}
	}
}

// TestStatus_pendingUntilTheUploadsPersonIsIndexed: the same bytes
// uploaded again with another person (same ETag) are pending until the
// run for that upload ends, and then indexed with the new person; an
// upload without a person leaves the image with no person.
func TestStatus_pendingUntilTheUploadsPersonIsIndexed(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/me.jpg", "obama_1.jpg", "Old Name")
	for _, person := range []string{"New Name", ""} {
		h.Put(t, "index/me.jpg", "obama_1.jpg", person)
		if st := h.status(t, "me.jpg"); st.Status != contract.StatusPending || len(st.Faces) != 0 {
			t.Fatalf("re-upload with person %q, before its run: %+v, want pending", person, st)
		}
		h.reconcile(t, "index/me.jpg")
		st := h.status(t, "me.jpg")
		if st.Status != contract.StatusIndexed || len(st.Faces) != 1 || st.Faces[0].Person != person {
			t.Fatalf("re-upload with person %q, after its run: %+v", person, st)
		}
	}
}
