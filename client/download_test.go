package client

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
)

// TestDownloadImage: Download reads GET /images/{filename} with the API
// key; DownloadImage then gets the answer's link without the key (it may
// be another host's, as S3's presigned URLs are), resolving a relative
// link against the endpoint, and writes its bytes; a refused link (403
// once expired) is an *APIError with the code, message and request ID of
// S3's XML error body, and an error keeps the link out.
func TestDownloadImage(t *testing.T) {
	image := []byte("the image's bytes")
	link := "/links/ok?X-Amz-Signature=secret"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/images/{filename}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-api-key") != "key" || r.PathValue("filename") != "a b.jpg" {
			writeJSON(w, http.StatusNotFound, contract.ErrorBody{Error: contract.ErrorDetail{Code: contract.CodeNotFound, Message: "no image"}})
			return
		}
		writeJSON(w, http.StatusOK, contract.ImageDownload{ImageStatus: contract.ImageStatus{Key: "index/a b.jpg", Status: contract.StatusIndexed,
			Faces: []contract.StatusFace{{FaceID: "f1", ImageID: "i1"}}}, URL: link, ExpiresIn: 300})
	})
	mux.HandleFunc("GET /links/{name}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-api-key") != "" {
			http.Error(w, "the API key was sent to the link", http.StatusBadRequest)
			return
		}
		if r.PathValue("name") != "ok" {
			// S3's answer to an expired presigned URL.
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>300</X-Amz-Expires>` +
				`<Expires>2026-01-01T00:05:00Z</Expires><ServerTime>2026-01-01T00:10:00Z</ServerTime>` +
				`<RequestId>4442587FB7D0A2F9</RequestId><HostId>h0B3mYx0ZrXqvYGuY7PnO8OVy9k4tGsGo7wq2T2lQ2ynVx+8vUpVvtkS3xYgM4bB3Wn4vQyqYiU=</HostId></Error>`))
			return
		}
		w.Write(image)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/v1", "key")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var buf bytes.Buffer
	d, err := c.DownloadImage(ctx, "a b.jpg", &buf)
	if err != nil || !bytes.Equal(buf.Bytes(), image) || d.Key != "index/a b.jpg" || len(d.Faces) != 1 || d.Faces[0].ImageID != "i1" {
		t.Fatalf("DownloadImage: %+v, %v, %q", d, err, buf.String())
	}

	link = srv.URL + "/links/expired?X-Amz-Signature=secret"
	var apiErr *APIError
	if _, err := c.DownloadImage(ctx, "a b.jpg", &bytes.Buffer{}); !errors.As(err, &apiErr) || apiErr.Status != http.StatusForbidden || strings.Contains(err.Error(), "secret") ||
		apiErr.Code != "AccessDenied" || apiErr.Message != "Request has expired" || apiErr.RequestID != "4442587FB7D0A2F9" {
		t.Errorf("an expired link: %v, want a 403 APIError with S3's code, message and request ID, without the link", err)
	}
	link = "http://127.0.0.1:1/links/ok?X-Amz-Signature=secret"
	if _, err := c.DownloadImage(ctx, "a b.jpg", &bytes.Buffer{}); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("an unreachable link: %v, want an error without the link", err)
	}
	if _, err := c.Download(ctx, "missing.jpg"); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("Download of an unknown image: %v, want a 404 APIError", err)
	}
	if _, err := c.Download(ctx, ""); err == nil {
		t.Error("Download of an empty filename: no error")
	}
}
