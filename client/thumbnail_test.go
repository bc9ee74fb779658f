package client

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
)

// TestThumbnail: Thumbnail asks for image/jpeg (the deployed API answers
// bytes only then), returns the body as it came, and maps 404 to an
// *APIError.
func TestThumbnail(t *testing.T) {
	jpg := []byte("\xff\xd8\xff\xe0 not really a JPEG")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/thumbnails/{faceId}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != contract.ThumbnailMediaType {
			writeJSON(w, http.StatusNotAcceptable, contract.ErrorBody{Error: contract.ErrorDetail{Code: "NOT_ACCEPTABLE", Message: r.Header.Get("Accept")}})
			return
		}
		if r.PathValue("faceId") != "f 1" {
			writeJSON(w, http.StatusNotFound, contract.ErrorBody{Error: contract.ErrorDetail{Code: contract.CodeNotFound, Message: "no face"}})
			return
		}
		w.Header().Set("Content-Type", contract.ThumbnailMediaType)
		w.Write(jpg)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/v1", "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Thumbnail(context.Background(), "f 1")
	if err != nil || !bytes.Equal(got, jpg) {
		t.Errorf("Thumbnail: %q, %v; want %q", got, err, jpg)
	}
	var apiErr *APIError
	if _, err := c.Thumbnail(context.Background(), "missing"); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("Thumbnail of an unknown face: %v, want a 404 APIError", err)
	}
	if _, err := c.Thumbnail(context.Background(), ""); err == nil {
		t.Error("Thumbnail of an empty FaceId: no error")
	}
}
