package service_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// facesIn returns the faces the Rekognition stand-in holds in collection,
// as FaceId and UserId.
func facesIn(h *harness, collection string) []string {
	var out []string
	for _, f := range h.Rek.Faces() {
		if f.CollectionID == collection {
			out = append(out, f.FaceID+" "+f.UserID)
		}
	}
	return out
}

// TestReconcile_reindexIntoNewCollection: after the collection is replaced
// (AllowReplacement, a new CollectionId) and the table kept, reconciling
// every object, as a backfill does, indexes each image again into the new
// collection although its bytes are unchanged: every face is searchable
// there, persons have their users there, and the old collection is left
// exactly as it was. A second pass changes nothing; a later upload replaces
// the new collection's faces only.
func TestReconcile_reindexIntoNewCollection(t *testing.T) {
	old := newHarness(t)
	uploads := map[string][2]string{ // key → photo, person
		"index/a.jpg": {"obama_1.jpg", "Barack Obama"},
		"index/b.jpg": {"biden_2.jpg", ""},
		"index/c.jpg": {"group_obama_biden.jpg", ""},
		"index/d.png": {"collins_1.png", "Susan Collins"},
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range uploads {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		old.indexPhoto(t, k, uploads[k][0], uploads[k][1])
	}
	oldFaces := facesIn(old, old.Collection)
	oldUsers := old.Rek.Users(old.Collection)
	if len(oldFaces) != 5 || len(oldUsers) != 2 {
		t.Fatalf("old collection: %d faces, users %v; want 5 faces and 2 users", len(oldFaces), oldUsers)
	}

	const newCollection = "test-collection-v2"
	if _, err := old.Rekognition.CreateCollection(t.Context(), &rekognition.CreateCollectionInput{CollectionId: aws.String(newCollection)}); err != nil {
		t.Fatal(err)
	}
	h := &harness{servicetest.NewOn(t, old.Env.Env, func(p *servicetest.Parts) { p.Config.CollectionID = newCollection })}
	calls := h.Rek.Calls("IndexFaces")
	for pass := 1; pass <= 2; pass++ {
		for _, k := range keys {
			res, err := h.Service.Reconcile(t.Context(), h.Bucket, k)
			want := service.OutcomeIndexed
			if pass == 2 {
				want = service.OutcomeUnchanged
			}
			if err != nil || res.Outcome != want {
				t.Fatalf("pass %d, %s: %+v, %v; want %s", pass, k, res, err, want)
			}
		}
	}
	if n := h.Rek.Calls("IndexFaces") - calls; n != len(keys) {
		t.Errorf("%d IndexFaces calls for the re-index, want %d (one per image, none on the second pass)", n, len(keys))
	}
	if got := facesIn(h, old.Collection); !slices.Equal(got, oldFaces) || !slices.Equal(h.Rek.Users(old.Collection), oldUsers) {
		t.Errorf("the old collection changed: %d faces (were %d), users %v (were %v)", len(got), len(oldFaces), h.Rek.Users(old.Collection), oldUsers)
	}
	newFaces := facesIn(h, newCollection)
	if len(newFaces) != len(oldFaces) || !slices.Equal(h.Rek.Users(newCollection), oldUsers) {
		t.Errorf("new collection: %d faces, users %v; want %d faces and users %v", len(newFaces), h.Rek.Users(newCollection), len(oldFaces), oldUsers)
	}
	// The table describes the new collection only.
	items := h.FaceItems(t)
	if len(items) != len(newFaces) {
		t.Errorf("%d face items for %d faces of the new collection", len(items), len(newFaces))
	}
	for _, it := range items {
		if it["CollectionId"] != newCollection {
			t.Errorf("face item %v is not of the new collection", it["FaceId"])
		}
	}
	for _, k := range keys {
		if st := h.status(t, k[len("index/"):]); st.Status != contract.StatusIndexed || len(st.Faces) == 0 {
			t.Errorf("status of %s = %+v, want indexed with its faces", k, st)
		}
	}
	// Every face is searchable in the new collection.
	for _, photo := range []string{"obama_2.jpg", "biden_2.jpg", "collins_1.png"} {
		res := h.search(t, photos.MustRead(photo))
		if len(res.Faces) != 1 || len(res.Faces[0].Matches) == 0 {
			t.Errorf("search for %s in the new collection = %+v, want matches", photo, res)
		}
	}

	// A new upload after the re-index replaces faces in the new collection
	// and leaves the old one alone.
	h.indexPhoto(t, "index/b.jpg", "obama_2.jpg", "")
	if got := facesIn(h, old.Collection); !slices.Equal(got, oldFaces) {
		t.Errorf("an upload after the re-index changed the old collection: %d faces, were %d", len(got), len(oldFaces))
	}
	if n := len(facesIn(h, newCollection)); n != len(oldFaces) {
		t.Errorf("%d faces in the new collection after replacing b.jpg, want %d", n, len(oldFaces))
	}
}
