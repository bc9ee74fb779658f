package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
)

// TestServe_stats indexes two persons' photos and a photo without a face
// with `facerec serve`, and reads GET /stats through the client and
// `facerec stats --json`: 2 faces, 2 persons, 3 indexed images (the photo
// without a face is indexed with no face).
func TestServe_stats(t *testing.T) {
	srv, c := serveAndUpload(t, t.TempDir(), upload{"obama_1.jpg", "obama"}, upload{"biden_2.jpg", "biden"}, upload{"noface_rocket.jpg", ""})
	ctx := context.Background()
	for _, f := range []string{"obama_1.jpg", "biden_2.jpg", "noface_rocket.jpg"} {
		waitIndexed(t, c, f)
	}
	st, err := c.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := contract.Stats{CollectionID: st.CollectionID, FaceCount: 2, PersonCount: 2, IndexedImages: 3}
	if st.CollectionID == "" || *st != want {
		t.Errorf("stats %+v, want %+v", *st, want)
	}
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"stats", "--json", "--endpoint", srv.url}, &out, &errOut); err != nil {
		t.Fatalf("facerec stats: %v\n%s", err, errOut.String())
	}
	var printed contract.Stats
	if err := json.Unmarshal(out.Bytes(), &printed); err != nil || printed != want {
		t.Errorf("facerec stats printed %s (%v), want %+v", out.String(), err, want)
	}
}
