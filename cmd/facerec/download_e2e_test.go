package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
)

// TestServe_download indexes a photo with `facerec serve` and downloads
// it with `facerec download`: to its base name in the working directory
// (the flags after the filename), to -o FILE with --json, and to stdout
// with -o -; the files hold the photo's bytes and the printed records
// are its faces. A filename never uploaded fails and writes no file.
func TestServe_download(t *testing.T) {
	srv, c := serveAndUpload(t, t.TempDir(), upload{"obama_1.jpg", "obama"})
	st := waitIndexed(t, c, "obama_1.jpg")
	if len(st.Faces) != 1 {
		t.Fatalf("obama_1.jpg indexed with faces %+v", st.Faces)
	}
	ctx := context.Background()
	work := t.TempDir()
	t.Chdir(work)
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"download", "--endpoint", srv.url, "obama_1.jpg"}, &out, &errOut); err != nil {
		t.Fatalf("facerec download: %v\n%s", err, errOut.String())
	}
	if got, err := os.ReadFile(filepath.Join(work, "obama_1.jpg")); err != nil || !bytes.Equal(got, photos.MustRead("obama_1.jpg")) {
		t.Errorf("obama_1.jpg written with %d bytes (%v), want the photo's", len(got), err)
	}
	for _, want := range []string{"index/obama_1.jpg: indexed", st.Faces[0].FaceID, "obama", "image written to obama_1.jpg"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("facerec download printed\n%s\nwithout %q", out.String(), want)
		}
	}

	out.Reset()
	file := filepath.Join(work, "copy.jpg")
	if err := run(ctx, []string{"download", "-o", file, "--json", "--endpoint", srv.url, "obama_1.jpg"}, &out, &errOut); err != nil {
		t.Fatalf("facerec download -o --json: %v\n%s", err, errOut.String())
	}
	var d contract.ImageDownload
	if err := json.Unmarshal(out.Bytes(), &d); err != nil || len(d.Faces) != 1 || d.Faces[0].FaceID != st.Faces[0].FaceID || d.URL == "" {
		t.Errorf("--json printed %s (%v), want the download with its face", out.String(), err)
	}
	if got, err := os.ReadFile(file); err != nil || !bytes.Equal(got, photos.MustRead("obama_1.jpg")) {
		t.Errorf("-o FILE written with %d bytes (%v), want the photo's", len(got), err)
	}

	out.Reset()
	errOut.Reset()
	if err := run(ctx, []string{"download", "-o", "-", "--endpoint", srv.url, "obama_1.jpg"}, &out, &errOut); err != nil {
		t.Fatalf("facerec download -o -: %v\n%s", err, errOut.String())
	}
	if !bytes.Equal(out.Bytes(), photos.MustRead("obama_1.jpg")) || !strings.Contains(errOut.String(), st.Faces[0].FaceID) {
		t.Errorf("-o -: %d bytes on stdout, stderr %q; want the photo, and the records on stderr", out.Len(), errOut.String())
	}

	if err := run(ctx, []string{"download", "--endpoint", srv.url, "missing.jpg"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("download of a missing image: %v, want a 404 error", err)
	}
	entries, _ := os.ReadDir(work)
	for _, e := range entries {
		if e.Name() != "obama_1.jpg" && e.Name() != "copy.jpg" {
			t.Errorf("%s left in the working directory", e.Name())
		}
	}
}
