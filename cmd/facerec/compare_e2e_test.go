package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
)

// TestServe_compare indexes obama's and biden's photos with `facerec serve`
// and its local face engine, and verifies obama_2.jpg against obama's other
// photo, face and person (matches) and biden's (no match), through the
// client and `facerec compare`; the faces also carry the engine's
// landmarks, pose and quality; a photo without a face is 400.
func TestServe_compare(t *testing.T) {
	srv, c := serveAndUpload(t, t.TempDir(), upload{"obama_1.jpg", "obama"}, upload{"biden_2.jpg", "biden"})
	ctx := context.Background()
	ids := map[string]string{}
	for _, f := range []string{"obama_1.jpg", "biden_2.jpg"} {
		st := waitIndexed(t, c, f)
		if st.Status != contract.StatusIndexed || len(st.Faces) != 1 {
			t.Fatalf("%s: %+v", f, st)
		}
		if a := st.Faces[0].FaceAttributes; len(a.Landmarks) != 5 || a.Pose == nil || a.Quality == nil {
			t.Errorf("%s: face attributes %+v, want 5 landmarks, a pose and a quality", f, a)
		}
		ids[f] = st.Faces[0].FaceID
	}
	source := photos.MustRead("obama_2.jpg")
	for _, tc := range []struct {
		name   string
		target client.CompareTarget
		match  bool
	}{
		{"obama's photo", client.CompareTarget{Image: photos.MustRead("obama_1.jpg")}, true},
		{"biden's photo", client.CompareTarget{Image: photos.MustRead("biden_2.jpg")}, false},
		{"obama's face", client.CompareTarget{FaceID: ids["obama_1.jpg"]}, true},
		{"biden's face", client.CompareTarget{FaceID: ids["biden_2.jpg"]}, false},
		{"obama", client.CompareTarget{Person: "obama"}, true},
		{"biden", client.CompareTarget{Person: "biden"}, false},
	} {
		res, err := c.Compare(ctx, source, tc.target, nil)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if res.Match != tc.match || res.Match != (res.Similarity >= res.Threshold) {
			t.Errorf("%s: %+v, want match %v", tc.name, *res, tc.match)
		}
	}
	var apiErr *client.APIError
	if _, err := c.Compare(ctx, photos.MustRead("noface_rocket.jpg"), client.CompareTarget{Person: "obama"}, nil); !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest {
		t.Errorf("compare of a photo without a face: %v, want 400", err)
	}

	dir := filepath.Join("..", "..", "examples", "photos")
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"compare", "--json", "--threshold", "0", "--endpoint", srv.url, "--person", "biden", filepath.Join(dir, "obama_2.jpg")}, &out, &errOut); err != nil {
		t.Fatalf("facerec compare: %v\n%s", err, errOut.String())
	}
	var printed contract.Comparison
	if err := json.Unmarshal(out.Bytes(), &printed); err != nil || printed.Threshold != 0 || !printed.Match {
		t.Errorf("facerec compare --threshold 0 printed %s (%v), want a match at threshold 0", out.String(), err)
	}
}
