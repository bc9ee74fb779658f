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
	answers := func(c *client.Client) string { return searchAnswers(t, c) }
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

// searchAnswers are the search answers of three sample photos and the
// list of every face, as JSON, through c.
func searchAnswers(t *testing.T, c *client.Client) string {
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

// TestReindex_endpoint: `facerec reindex --endpoint URL --wait` against a
// running `facerec serve` starts a re-index with POST /reindex, shows its
// progress from GET /reindex/{reindexId} until it ends, reports the 4
// images done, and the search answers are the same afterwards. Without
// --wait it prints the id, which GET /reindex/{reindexId} knows.
func TestReindex_endpoint(t *testing.T) {
	dir := t.TempDir()
	uploads := []upload{{"obama_1.jpg", "obama"}, {"biden_2.jpg", "biden"}, {"collins_1.png", ""}, {"group_obama_biden.jpg", ""}}
	srv, c := serveAndUpload(t, dir, uploads...)
	defer srv.stop()
	for _, up := range uploads {
		waitIndexed(t, c, up.file)
	}
	before := searchAnswers(t, c)
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"reindex", "--endpoint", srv.url, "--wait"}, &stdout, &stderr); err != nil {
		t.Fatalf("reindex: %v (%s)", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "SUCCEEDED: 4 images, 4 done, 0 failed") || !strings.Contains(stderr.String(), "re-indexing") {
		t.Errorf("reindex printed %q, progress %q", stdout.String(), stderr.String())
	}
	if after := searchAnswers(t, c); after != before {
		t.Errorf("answers after reindex:\n%s\nbefore:\n%s", after, before)
	}

	stdout.Reset()
	if err := run(context.Background(), []string{"reindex", "--endpoint", srv.url}, &stdout, &stderr); err != nil {
		t.Fatalf("reindex: %v (%s)", err, stderr.String())
	}
	id, _, ok := strings.Cut(strings.TrimPrefix(stdout.String(), "facerec: re-index "), " ")
	if !ok {
		t.Fatalf("reindex printed %q, want the id", stdout.String())
	}
	if r, err := c.Reindex(context.Background(), id); err != nil || r.Total != 4 {
		t.Errorf("GET /reindex/%s: %+v %v, want 4 images", id, r, err)
	}
	if err := run(context.Background(), []string{"reindex", "--endpoint", srv.url, "--data", dir}, &stdout, &stderr); err == nil {
		t.Error("reindex with --endpoint and --data: no error")
	}
}
