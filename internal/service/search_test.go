package service_test

import (
	"testing"

	"github.com/facerec/facerec-cdk/examples/photos"
)

// TestSearch_matchesJoinStoredRecords checks the shape of a result with
// matches: the searched face's box and the stored record of each match.
func TestSearch_matchesJoinStoredRecords(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/obama_1.jpg", "obama_1.jpg", "Barack Obama")
	h.indexPhoto(t, "index/biden_2.jpg", "biden_2.jpg", "biden")
	before := h.DB.Calls("BatchGetItem")
	res := h.search(t, photos.MustRead("obama_2.jpg"))
	if len(res.Faces) != 1 {
		t.Fatalf("faces = %+v", res.Faces)
	}
	f := res.Faces[0]
	if f.BoundingBox.Width == 0 || f.Confidence == 0 {
		t.Errorf("searched face has no box or confidence: %+v", f)
	}
	if len(f.Matches) != 1 {
		t.Fatalf("matches = %+v, want only obama (biden is under the threshold)", f.Matches)
	}
	m := f.Matches[0]
	if m.Person != "Barack Obama" || m.Key != "index/obama_1.jpg" || m.FaceID == "" || m.Similarity < h.Config.FaceMatchThreshold || m.BoundingBox.Width == 0 || m.IndexedAt.IsZero() {
		t.Errorf("match = %+v", m)
	}
	if n := h.DB.Calls("BatchGetItem") - before; n != 1 {
		t.Errorf("the search called BatchGetItem %d times, want 1", n)
	}
}

// TestSearch_unprocessedKeysAreRetried makes DynamoDB leave the batch read
// unprocessed once; the match must still be joined.
func TestSearch_unprocessedKeysAreRetried(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/obama_1.jpg", "obama_1.jpg", "obama")
	h.DB.UnprocessedNext("BatchGetItem", 1)
	res := h.search(t, photos.MustRead("obama_2.jpg"))
	if len(res.Faces) != 1 || len(res.Faces[0].Matches) != 1 || res.Faces[0].Matches[0].Person != "obama" {
		t.Errorf("result = %+v", res)
	}
}
