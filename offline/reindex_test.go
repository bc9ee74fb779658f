package offline_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/offline"
)

// TestReindexRoutes: POST /reindex on the local server answers 202 with
// the images under the prefix queued; GET /reindex/{reindexId} follows it
// to SUCCEEDED with every image done and none failed; an unknown id is
// 404 NOT_FOUND.
func TestReindexRoutes(t *testing.T) {
	ctx := context.Background()
	srv, err := offline.Start(ctx, quietOptions(t.TempDir()), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := client.New(srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"obama_1.jpg", "biden_2.jpg"} {
		if _, err := c.Index(ctx, p, photos.MustRead(p), "", ""); err != nil {
			t.Fatal(err)
		}
	}
	r, err := c.StartReindex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 2 || r.ReindexID == "" {
		t.Fatalf("POST /reindex: %+v, want 2 images", r)
	}
	for deadline := time.Now().Add(time.Minute); !r.Done(); {
		if time.Now().After(deadline) {
			t.Fatalf("re-index still %+v after a minute", r)
		}
		time.Sleep(50 * time.Millisecond)
		if r, err = c.Reindex(ctx, r.ReindexID); err != nil {
			t.Fatal(err)
		}
	}
	if want := (contract.Reindex{ReindexID: r.ReindexID, Status: contract.ReindexSucceeded, Total: 2, Succeeded: 2}); *r != want {
		t.Errorf("GET /reindex: %+v, want %+v", *r, want)
	}
	var apiErr *client.APIError
	if _, err := c.Reindex(ctx, "reindex-unknown"); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound || apiErr.Code != contract.CodeNotFound {
		t.Errorf("GET /reindex/reindex-unknown: %v, want 404 NOT_FOUND", err)
	}
}
