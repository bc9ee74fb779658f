package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
)

// TestServe_searchAllFaces indexes obama and biden with `facerec serve`
// and its local face engine, then searches every face of the group photo
// over HTTP, with the client and with `facerec search --all`: the left
// face is obama's, the right one biden's.
func TestServe_searchAllFaces(t *testing.T) {
	srv, c := serveAndUpload(t, t.TempDir(), upload{"obama_1.jpg", "obama"}, upload{"biden_2.jpg", "biden"})
	ctx := context.Background()
	for _, f := range []string{"obama_1.jpg", "biden_2.jpg"} {
		if st := waitIndexed(t, c, f); st.Status != contract.StatusIndexed || len(st.Faces) != 1 {
			t.Fatalf("%s: %+v, want indexed with one face", f, st)
		}
	}

	res, err := c.SearchAll(ctx, photos.MustRead("group_obama_biden.jpg"), "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Faces) != 2 {
		t.Fatalf("faces %+v, want 2", res.Faces)
	}
	left, right := res.Faces[0], res.Faces[1]
	if left.BoundingBox.Left+left.BoundingBox.Width > right.BoundingBox.Left || right.BoundingBox.Left+right.BoundingBox.Width > 1 {
		t.Errorf("boxes %+v and %+v: want the left face first, both within the whole photo", left.BoundingBox, right.BoundingBox)
	}
	for _, f := range []struct {
		face   contract.SearchedFace
		person string
	}{{left, "obama"}, {right, "biden"}} {
		if f.face.Reason != "" || len(f.face.Matches) == 0 || f.face.Matches[0].Person != f.person || f.face.Matches[0].Similarity < 80 {
			t.Errorf("face %+v, want %s first with similarity >= 80", f.face, f.person)
		}
	}

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"search", "--all", "--endpoint", srv.url, filepath.Join(photosDir, "group_obama_biden.jpg")}, &out, &errOut); err != nil {
		t.Fatalf("facerec search --all: %v\n%s", err, errOut.String())
	}
	text := out.String()
	if i, j := strings.Index(text, "obama"), strings.Index(text, "biden"); !strings.Contains(text, "face 2 at") || i < 0 || j < i {
		t.Errorf("facerec search --all printed:\n%s\nwant face 1 obama, face 2 biden", text)
	}
}
