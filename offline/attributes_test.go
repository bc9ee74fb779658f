package offline

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"golang.org/x/image/draw"

	"github.com/facerec/facerec-cdk/examples/photos"
)

// landmarksOf returns the landmarks of the largest face DetectFaces finds
// in data, by type, checking that there are the five of Rekognition's
// DEFAULT attributes, inside the face's box, with a pose and a quality.
func landmarksOf(t *testing.T, r *Rekognition, data []byte) map[rtypes.LandmarkType][2]float64 {
	t.Helper()
	out, err := r.DetectFaces(t.Context(), &rekognition.DetectFacesInput{Image: &rtypes.Image{Bytes: data}})
	if err != nil || len(out.FaceDetails) == 0 {
		t.Fatalf("DetectFaces: %+v, %v", out, err)
	}
	d := out.FaceDetails[0]
	if d.Pose == nil || d.Quality == nil {
		t.Errorf("pose %+v, quality %+v", d.Pose, d.Quality)
	}
	b := d.BoundingBox
	left, top, width, height := float64(*b.Left), float64(*b.Top), float64(*b.Width), float64(*b.Height)
	marks := map[rtypes.LandmarkType][2]float64{}
	for _, l := range d.Landmarks {
		x, y := float64(aws.ToFloat32(l.X)), float64(aws.ToFloat32(l.Y))
		if x < left || x > left+width || y < top || y > top+height {
			t.Errorf("landmark %s at %.3f,%.3f is outside the box %+v", l.Type, x, y, *b)
		}
		marks[l.Type] = [2]float64{x, y}
	}
	if len(marks) != 5 || len(d.Landmarks) != 5 {
		t.Fatalf("landmarks %+v, want eyeLeft, eyeRight, nose, mouthLeft, mouthRight", d.Landmarks)
	}
	return marks
}

// TestRekognition_landmarksAsRatios checks the local FaceDetail's
// landmarks: placed as on a face (eyes above the nose above the mouth,
// left of right as seen), and the same ratios when the photo is sent three
// times larger, so that the engine works on a scaled copy.
func TestRekognition_landmarksAsRatios(t *testing.T) {
	r := testRekognition(t)
	data := photos.MustRead("obama_1.jpg")
	marks := landmarksOf(t, r, data)
	el, er, n := marks[rtypes.LandmarkTypeEyeLeft], marks[rtypes.LandmarkTypeEyeRight], marks[rtypes.LandmarkTypeNose]
	ml, mr := marks[rtypes.LandmarkTypeMouthLeft], marks[rtypes.LandmarkTypeMouthRight]
	if el[0] >= er[0] || ml[0] >= mr[0] {
		t.Errorf("left is not left of right: eyes %v %v, mouth %v %v", el, er, ml, mr)
	}
	if max(el[1], er[1]) >= n[1] || n[1] >= min(ml[1], mr[1]) {
		t.Errorf("not eyes above nose above mouth: eyes %v %v, nose %v, mouth %v %v", el, er, n, ml, mr)
	}

	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	size := src.Bounds().Size()
	if scaled := 9 * size.X * size.Y; scaled <= workPixels {
		t.Fatalf("obama_1.jpg three times larger has %d pixels, not more than workPixels %d", scaled, workPixels)
	}
	large := image.NewRGBA(image.Rect(0, 0, 3*size.X, 3*size.Y))
	draw.CatmullRom.Scale(large, large.Bounds(), src, src.Bounds(), draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, large, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	for typ, p := range landmarksOf(t, r, buf.Bytes()) {
		if q := marks[typ]; math.Abs(p[0]-q[0]) > 0.02 || math.Abs(p[1]-q[1]) > 0.02 {
			t.Errorf("%s at %.3f,%.3f in the larger photo, %.3f,%.3f in the original", typ, p[0], p[1], q[0], q[1])
		}
	}
}
