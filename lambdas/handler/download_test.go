package handler

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
)

// TestDownload_answersTheFacesAndALinkNotToStore downloads an indexed
// image whose filename is percent-encoded in the path, as API Gateway
// passes it: the answer is not to be stored (it holds a bearer link), its
// faces are the status's, its link gets the image's bytes, and the person's
// name is in no log line.
func TestDownload_answersTheFacesAndALinkNotToStore(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/Jane Doe.jpg", "obama_1.jpg", "Jane Doe Person")
	var d contract.ImageDownload
	resp := h.get(t, h.api.Download, "/images", contract.FilenameParam, "Jane%20Doe.jpg", nil, &d)
	if resp.StatusCode != http.StatusOK || resp.Headers["Cache-Control"] != "no-store" {
		t.Fatalf("status %d, Cache-Control %q: %s", resp.StatusCode, resp.Headers["Cache-Control"], resp.Body)
	}
	_, st := h.status(t, "Jane%20Doe.jpg")
	if d.Key != "index/Jane Doe.jpg" || d.Status != contract.StatusIndexed || len(d.Faces) != 1 || d.Faces[0].FaceID != st.Faces[0].FaceID || d.Faces[0].ImageID == "" {
		t.Errorf("download %+v, want the status %+v with ImageIds", d.ImageStatus, st)
	}
	got, err := http.Get(d.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	body, _ := io.ReadAll(got.Body)
	if got.StatusCode != http.StatusOK || string(body) != string(photos.MustRead("obama_1.jpg")) {
		t.Errorf("GET url: %d, %d bytes; want the image's bytes", got.StatusCode, len(body))
	}
	if strings.Contains(h.logs.String(), "Jane Doe Person") {
		t.Errorf("the person's name is logged:\n%s", h.logs.String())
	}
}
