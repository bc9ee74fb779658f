package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/gif"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
)

// gifPhoto returns a 100×100 GIF, an image format the service does not
// accept.
func gifPhoto(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, image.NewGray(image.Rect(0, 0, 100, 100)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestServe_gifSaysWhichFormatsAreAccepted: a GIF sent as image/gif is
// refused naming GIF and the accepted formats: a search at once (415), an
// upload (stored as its bytes, as the deployed API's image/* binary media
// type does) when it is processed, and the CLI before sending it.
func TestServe_gifSaysWhichFormatsAreAccepted(t *testing.T) {
	srv := startServe(t, t.TempDir())
	c, err := client.New(srv.url, "")
	if err != nil {
		t.Fatal(err)
	}
	img := gifPhoto(t)
	says := func(what, msg string) {
		t.Helper()
		for _, w := range []string{"GIF images (image/gif) are not accepted", "JPEG or PNG (image/jpeg, image/png)"} {
			if !strings.Contains(msg, w) {
				t.Errorf("%s says %q, want %q", what, msg, w)
			}
		}
	}

	resp, err := http.Post(srv.url+"/search", "image/gif", bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	var eb contract.ErrorBody
	json.NewDecoder(resp.Body).Decode(&eb)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType || eb.Error.Code != contract.CodeUnsupportedMedia {
		t.Errorf("search of a GIF: %d %+v, want 415 %s", resp.StatusCode, eb, contract.CodeUnsupportedMedia)
	}
	says("search", eb.Error.Message)

	req, _ := http.NewRequest(http.MethodPut, srv.url+"/index/a.gif", bytes.NewReader(img))
	req.Header.Set("Content-Type", "image/gif")
	var put contract.PutResponse
	if err := doJSON(req, &put); err != nil {
		t.Fatalf("upload of a GIF as image/gif: %v", err)
	}
	st := waitIndexed(t, c, "a.gif")
	if st.Status != contract.StatusRejected {
		t.Errorf("GIF upload: %+v, want rejected", st)
	}
	says("the upload's reason", st.Reason)

	file := filepath.Join(t.TempDir(), "b.gif")
	if err := os.WriteFile(file, img, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = run(context.Background(), []string{"index", "--endpoint", srv.url, file}, &out, io.Discard)
	if err == nil {
		t.Error("facerec index b.gif succeeded")
	}
	says("facerec index", out.String())
	if _, err := c.Status(context.Background(), "b.gif"); err == nil {
		t.Error("facerec index sent b.gif")
	}
}
