package offline_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/offline"
)

// TestReindex_afterAFaceModelChange: a re-index with the same face model
// skips every unchanged image (its FaceIds stay); once the data directory
// records another model, the next re-index computes every image's faces
// again (new FaceIds, as many faces) and the search answers, but for the
// FaceIds and indexing times, are the same.
func TestReindex_afterAFaceModelChange(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	uploads := map[string]string{"obama_1.jpg": "obama", "biden_2.jpg": "biden", "group_obama_biden.jpg": ""}
	srv, c := startClient(t, dir)
	for p, person := range uploads {
		if _, err := c.Index(ctx, p, photos.MustRead(p), "", person); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Local.Queue.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	before, faceIDs := modelAnswers(t, c)
	if len(faceIDs) < 4 {
		t.Fatalf("%d faces indexed, want at least 4", len(faceIDs))
	}
	reindexAll(t, c)
	if _, again := modelAnswers(t, c); !slices.Equal(again, faceIDs) {
		t.Errorf("FaceIds after a re-index with the same model: %v, want the same %v", again, faceIDs)
	}
	srv.Close()
	if err := waitStopped(t, srv); err != nil {
		t.Fatal(err)
	}

	if err := offline.SetRecordedFaceModelVersion(dir, "an-older-model"); err != nil {
		t.Fatal(err)
	}
	srv, c = startClient(t, dir)
	defer srv.Close()
	reindexAll(t, c)
	after, newIDs := modelAnswers(t, c)
	if len(newIDs) != len(faceIDs) {
		t.Errorf("%d faces after the re-index, want %d", len(newIDs), len(faceIDs))
	}
	for _, id := range newIDs {
		if slices.Contains(faceIDs, id) {
			t.Errorf("face %s kept after a face model change, want every face computed again", id)
		}
	}
	if after != before {
		t.Errorf("search answers after the re-index:\n%s\nbefore:\n%s", after, before)
	}
}

// startClient starts the local service on dir and returns it with its
// client.
func startClient(t *testing.T, dir string) (*offline.Server, *client.Client) {
	t.Helper()
	srv, err := offline.Start(context.Background(), quietOptions(dir), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// reindexAll re-indexes through POST /reindex and waits until it ends
// well.
func reindexAll(t *testing.T, c *client.Client) {
	t.Helper()
	ctx := context.Background()
	r, err := c.StartReindex(ctx)
	for deadline := time.Now().Add(2 * time.Minute); err == nil && !r.Done() && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		r, err = c.Reindex(ctx, r.ReindexID)
	}
	if err != nil || r.Status != contract.ReindexSucceeded {
		t.Fatalf("re-index: %+v %v", r, err)
	}
}

// modelAnswers returns the search answers of two sample photos, as JSON
// without the FaceIds and indexing times, and the sorted FaceIds of every face.
func modelAnswers(t *testing.T, c *client.Client) (string, []string) {
	t.Helper()
	ctx := context.Background()
	var all []any
	for _, p := range []string{"obama_2.jpg", "collins_1.png"} {
		res, err := c.SearchAll(ctx, photos.MustRead(p), client.ContentType(p))
		if err != nil {
			t.Fatal(err)
		}
		var v any
		b, _ := json.Marshal(res)
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		all = append(all, withoutFaceIDs(v))
	}
	faces, err := c.AllFaces(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range faces {
		ids = append(ids, f.FaceID)
	}
	slices.Sort(ids)
	b, _ := json.Marshal(all)
	return string(b), ids
}

// withoutFaceIDs returns the decoded JSON v without its "faceId" and
// "indexedAt" fields, which a new indexing changes.
func withoutFaceIDs(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "faceId")
		delete(v, "indexedAt")
		for k, e := range v {
			v[k] = withoutFaceIDs(e)
		}
	case []any:
		for i, e := range v {
			v[i] = withoutFaceIDs(e)
		}
	}
	return v
}
