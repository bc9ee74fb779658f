package handler

import (
	"net/http"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
)

// TestStats_countsFacesPersonsAndImages indexes two photos of persons and
// stores a text file, which is rejected: GET /stats counts 2 faces, 2
// persons, 2 indexed images and 1 rejected.
func TestStats_countsFacesPersonsAndImages(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/obama_1.jpg", "obama_1.jpg", "obama")
	indexPhoto(t, h, "index/biden_2.jpg", "biden_2.jpg", "biden")
	h.env.PutObject(t, "index/notes.txt", []byte("hello"), nil)
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectCreated:Put", "index/notes.txt"))
	var st contract.Stats
	resp := h.get(t, h.api.Stats, "/stats", "", "", nil, &st)
	want := contract.Stats{CollectionID: h.env.Collection, FaceCount: 2, PersonCount: 2, IndexedImages: 2, RejectedImages: 1}
	if resp.StatusCode != http.StatusOK || st != want {
		t.Errorf("GET /stats: %d %+v, want %+v", resp.StatusCode, st, want)
	}
}
