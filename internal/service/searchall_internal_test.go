package service

import (
	"bytes"
	"image"
	"math/rand/v2"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/facerec/facerec-cdk/contract"
)

func TestCropRect(t *testing.T) {
	bounds := image.Rect(0, 0, 1000, 500)
	tests := []struct {
		name string
		box  contract.BoundingBox
		want image.Rectangle
	}{
		{"centred face gets half its size on each side", contract.BoundingBox{Left: 0.375, Top: 0.375, Width: 0.25, Height: 0.25}, image.Rect(250, 125, 750, 375)},
		{"face over the left edge is clipped", contract.BoundingBox{Left: -0.05, Top: 0.2, Width: 0.2, Height: 0.4}, image.Rect(0, 0, 250, 400)},
		{"face at the bottom right is clipped", contract.BoundingBox{Left: 0.9, Top: 0.8, Width: 0.1, Height: 0.2}, image.Rect(850, 350, 1000, 500)},
		{"tiny face is widened to 80x80 inside the photo", contract.BoundingBox{Left: 0.995, Top: 0, Width: 0.005, Height: 0.02}, image.Rect(920, 0, 1000, 80)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cropRect(tc.box, bounds); got != tc.want {
				t.Errorf("cropRect = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestEncodeCrop_closeUpStaysUnderRekognitionsLimit: the crop of a face
// filling a 12-megapixel photo of noise (the worst case for JPEG) is scaled
// to 1920 pixels a side, which fits Rekognition's 5 MB of inline bytes.
func TestEncodeCrop_closeUpStaysUnderRekognitionsLimit(t *testing.T) {
	photo := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range photo.Pix {
		photo.Pix[i] = byte(r.Uint32())
	}
	b, err := encodeCrop(photo, photo.Rect)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > contract.MaxImageBytes || max(cfg.Width, cfg.Height) > maxCropSide {
		t.Errorf("crop of %d bytes, %dx%d pixels; want at most %d bytes and %d pixels a side", len(b), cfg.Width, cfg.Height, contract.MaxImageBytes, maxCropSide)
	}
}

func TestSearchedTarget(t *testing.T) {
	size := image.Pt(1000, 1000)
	crop := image.Rect(100, 100, 500, 500)
	target := contract.BoundingBox{Left: 0.2, Top: 0.2, Width: 0.2, Height: 0.2} // pixels 200-400
	box := func(l, t, w, h float32) *rtypes.BoundingBox {
		return &rtypes.BoundingBox{Left: aws.Float32(l), Top: aws.Float32(t), Width: aws.Float32(w), Height: aws.Float32(h)}
	}
	if !searchedTarget(box(0.25, 0.25, 0.5, 0.5), crop, target, size) {
		t.Error("the target itself (centre 300,300) was not recognized")
	}
	if searchedTarget(box(0.75, 0.75, 0.25, 0.25), crop, target, size) {
		t.Error("a neighbour in the margin (centre 450,450) was taken for the target")
	}
}
