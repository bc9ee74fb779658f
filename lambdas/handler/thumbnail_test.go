package handler

import (
	"bytes"
	"context"
	"image/jpeg"
	"math"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
)

// TestThumbnail_isTheFaceCrop indexes a photo and reads its face's
// thumbnail: a JPEG no larger than contract.ThumbnailMaxSide a side whose
// aspect is that of the face's box with its margins, in pixels of the
// photo; once the image is deleted, even before its face is forgotten, the
// thumbnail is 404.
func TestThumbnail_isTheFaceCrop(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/obama_1.jpg", "obama_1.jpg", "obama")
	_, st := h.status(t, "obama_1.jpg")
	if len(st.Faces) != 1 {
		t.Fatalf("faces %+v", st.Faces)
	}
	face := st.Faces[0]
	resp, jpg := h.thumbnail(t, face.FaceID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	if ct := resp.Headers["Content-Type"]; ct != contract.ThumbnailMediaType {
		t.Errorf("Content-Type %q", ct)
	}
	img, err := jpeg.Decode(bytes.NewReader(jpg))
	if err != nil {
		t.Fatalf("not a JPEG: %v", err)
	}
	photo, err := jpeg.DecodeConfig(bytes.NewReader(photos.MustRead("obama_1.jpg")))
	if err != nil {
		t.Fatal(err)
	}
	b := face.BoundingBox
	clip := func(lo, hi float64) float64 { return math.Min(hi, 1) - math.Max(lo, 0) }
	m := contract.ThumbnailMargin
	w := clip(b.Left-m*b.Width, b.Left+(1+m)*b.Width) * float64(photo.Width)
	hgt := clip(b.Top-m*b.Height, b.Top+(1+m)*b.Height) * float64(photo.Height)
	got := img.Bounds().Size()
	t.Logf("thumbnail of %.0fx%.0f pixels of the photo: %v, %d bytes", w, hgt, got, len(jpg))
	if max(got.X, got.Y) > contract.ThumbnailMaxSide || (w > contract.ThumbnailMaxSide || hgt > contract.ThumbnailMaxSide) && max(got.X, got.Y) != contract.ThumbnailMaxSide {
		t.Errorf("thumbnail %v for a crop of %.0fx%.0f pixels; want the longest side %d", got, w, hgt, contract.ThumbnailMaxSide)
	}
	if want := w / hgt; math.Abs(float64(got.X)/float64(got.Y)-want) > 0.05*want {
		t.Errorf("thumbnail %v has aspect %.3f; the face's crop %.0fx%.0f has %.3f", got, float64(got.X)/float64(got.Y), w, hgt, want)
	}

	// The object is gone before its event removes the face.
	if _, err := h.env.S3.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(h.env.Bucket), Key: aws.String("index/obama_1.jpg")}); err != nil {
		t.Fatal(err)
	}
	if resp, _ := h.thumbnail(t, face.FaceID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("thumbnail of a deleted image's face: status %d, want 404: %s", resp.StatusCode, resp.Body)
	}
}
