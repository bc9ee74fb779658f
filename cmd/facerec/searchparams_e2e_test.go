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

// TestServe_searchThresholdAndMaxFaces indexes obama and biden with
// `facerec serve` and its local face engine, then searches obama_2.jpg
// with the request's own threshold and maxFaces: threshold 0 matches both,
// maxFaces 1 keeps obama, through the client and `facerec search
// --threshold --max-faces`; out-of-bounds values are 400
// INVALID_PARAMETER.
func TestServe_searchThresholdAndMaxFaces(t *testing.T) {
	srv, c := serveAndUpload(t, t.TempDir(), upload{"obama_1.jpg", "obama"}, upload{"biden_2.jpg", "biden"})
	ctx := context.Background()
	for _, f := range []string{"obama_1.jpg", "biden_2.jpg"} {
		if st := waitIndexed(t, c, f); st.Status != contract.StatusIndexed {
			t.Fatalf("%s: %+v", f, st)
		}
	}
	img := photos.MustRead("obama_2.jpg")
	zero := 0.0
	res, err := c.SearchWith(ctx, img, "image/jpeg", client.SearchOptions{MatchLimits: client.MatchLimits{Threshold: &zero}})
	if err != nil {
		t.Fatal(err)
	}
	if m := res.Faces[0].Matches; len(m) != 2 || m[0].Person != "obama" || m[1].Person != "biden" {
		t.Errorf("threshold 0: %+v, want obama then biden", m)
	}
	res, err = c.SearchWith(ctx, img, "image/jpeg", client.SearchOptions{ByPerson: true, MatchLimits: client.MatchLimits{Threshold: &zero, MaxFaces: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Faces[0].Persons; len(p) != 1 || p[0].Person != "obama" {
		t.Errorf("by person, threshold 0, maxFaces 1: %+v, want obama only", p)
	}
	for _, q := range []string{"threshold=100.5", "maxFaces=0", "maxFaces=many", "faces=all&maxFaces=101"} {
		resp, err := http.Post(srv.url+"/search?"+q, "image/jpeg", bytes.NewReader(img))
		if err != nil {
			t.Fatal(err)
		}
		var body contract.ErrorBody
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || body.Error.Code != contract.CodeInvalidParameter {
			t.Errorf("%s: %d %+v, want 400 %s", q, resp.StatusCode, body, contract.CodeInvalidParameter)
		}
	}

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"search", "--threshold", "0", "--max-faces", "1", "--json", "--endpoint", srv.url, filepath.Join(photosDir, "obama_2.jpg")}, &out, &errOut); err != nil {
		t.Fatalf("facerec search --threshold 0 --max-faces 1: %v\n%s", err, errOut.String())
	}
	var printed contract.SearchResult
	if err := json.Unmarshal(out.Bytes(), &printed); err != nil || len(printed.Faces) != 1 || len(printed.Faces[0].Matches) != 1 || printed.Faces[0].Matches[0].Person != "obama" {
		t.Errorf("facerec search printed %s (%v), want obama only", out.String(), err)
	}
	errOut.Reset()
	err = run(ctx, []string{"search", "--max-faces", "500", "--endpoint", srv.url, filepath.Join(photosDir, "obama_2.jpg")}, &out, &errOut)
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest || apiErr.Code != contract.CodeInvalidParameter {
		t.Errorf("facerec search --max-faces 500: %v, want a 400 %s", err, contract.CodeInvalidParameter)
	}
}
