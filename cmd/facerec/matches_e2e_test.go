package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
)

// TestServe_matchesOfAFace indexes obama twice and biden once with
// `facerec serve` and its local face engine, and asks for the matches of
// the first obama face, without an image: the other obama face only,
// through the client and `facerec matches`; biden too at threshold 0; an
// unknown FaceId is 404 NOT_FOUND.
func TestServe_matchesOfAFace(t *testing.T) {
	srv, c := serveAndUpload(t, t.TempDir(), upload{"obama_1.jpg", "obama"}, upload{"obama_2.jpg", "obama"}, upload{"biden_2.jpg", "biden"})
	ctx := context.Background()
	var id string
	for _, f := range []string{"obama_1.jpg", "obama_2.jpg", "biden_2.jpg"} {
		st := waitIndexed(t, c, f)
		if st.Status != contract.StatusIndexed || len(st.Faces) != 1 {
			t.Fatalf("%s: %+v", f, st)
		}
		if id == "" {
			id = st.Faces[0].FaceID
		}
	}
	res, err := c.Matches(ctx, id, client.MatchLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if m := res.Faces[0].Matches; len(m) != 1 || m[0].Key != "index/obama_2.jpg" || m[0].FaceID == id {
		t.Errorf("matches of obama_1.jpg's face: %+v, want obama_2.jpg's face only", m)
	}
	zero := 0.0
	res, err = c.Matches(ctx, id, client.MatchLimits{Threshold: &zero})
	if err != nil {
		t.Fatal(err)
	}
	if m := res.Faces[0].Matches; len(m) != 2 || m[0].Key != "index/obama_2.jpg" || m[1].Key != "index/biden_2.jpg" {
		t.Errorf("matches at threshold 0: %+v, want obama_2.jpg then biden_2.jpg", m)
	}
	var apiErr *client.APIError
	if _, err := c.Matches(ctx, "00000000-0000-4000-8000-000000000000", client.MatchLimits{}); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound || apiErr.Code != contract.CodeNotFound {
		t.Errorf("matches of an unknown face: %v, want 404 %s", err, contract.CodeNotFound)
	}

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"matches", "--max-faces", "1", "--threshold", "0", "--json", "--endpoint", srv.url, id}, &out, &errOut); err != nil {
		t.Fatalf("facerec matches: %v\n%s", err, errOut.String())
	}
	var printed contract.SearchResult
	if err := json.Unmarshal(out.Bytes(), &printed); err != nil || len(printed.Faces) != 1 || len(printed.Faces[0].Matches) != 1 || printed.Faces[0].Matches[0].Key != "index/obama_2.jpg" {
		t.Errorf("facerec matches printed %s (%v), want obama_2.jpg's face only", out.String(), err)
	}
}
