package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/examples/photos"
)

// TestReindex_sameAnswers: after the sample photos are indexed by `facerec
// serve`, `facerec reindex --wait` on its data directory sends every image
// through the index path again, with a progress bar, and the search answers
// (matches, FaceIds, similarities) and the faces are the same afterwards:
// nothing indexed twice, nothing lost.
func TestReindex_sameAnswers(t *testing.T) {
	dir := t.TempDir()
	uploads := []upload{{"obama_1.jpg", "obama"}, {"biden_2.jpg", "biden"}, {"collins_1.png", ""}, {"group_obama_biden.jpg", ""}}
	srv, c := serveAndUpload(t, dir, uploads...)
	for _, up := range uploads {
		waitIndexed(t, c, up.file)
	}
	answers := func(c *client.Client) string {
		t.Helper()
		var all []any
		for _, p := range []string{"obama_2.jpg", "biden_2.jpg", "collins_1.png"} {
			res, err := c.Search(context.Background(), photos.MustRead(p), client.ContentType(p))
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, res)
		}
		faces, err := c.AllFaces(context.Background(), "", 0)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, faces)
		b, _ := json.Marshal(all)
		return string(b)
	}
	before := answers(c)
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"reindex", "--data", dir, "--wait"}, &stdout, &stderr); err != nil {
		t.Fatalf("reindex: %v (%s)", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "4 images re-indexed") || !strings.Contains(stderr.String(), "re-indexing") {
		t.Errorf("reindex printed %q, progress %q", stdout.String(), stderr.String())
	}

	srv = startServe(t, dir)
	c, err := client.New(srv.url, "")
	if err != nil {
		t.Fatal(err)
	}
	if after := answers(c); after != before {
		t.Errorf("answers after reindex:\n%s\nbefore:\n%s", after, before)
	}
}
