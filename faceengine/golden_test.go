package faceengine

import (
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/internal/imageio"
)

var updateChips = flag.Bool("update-chips", false,
	"rewrite testdata/golden/*.png from the sample photos; then run testdata/golden/golden.mjs with node to refresh golden.json")

const goldenDir = "testdata/golden"

// goldenPhotos are the photos whose aligned chips are kept in goldenDir.
var goldenPhotos = []string{"obama_1.jpg", "obama_2.jpg", "biden_2.jpg", "collins_1.png"}

func writeGoldenChips(t *testing.T) {
	for _, name := range goldenPhotos {
		f := onlyFace(t, name)
		a, b := landmarkTransform(&f.Landmarks)
		chip, err := alignChip(loadPhoto(t, name), a, b)
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(goldenDir, strings.TrimSuffix(name, filepath.Ext(name))+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(out, chip); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range landmarkPhotos {
		for i, d := range testEngine(t).Detect(loadPhoto(t, name)) {
			img := loadPhoto(t, name)
			crop, _, _ := landmarkCrop(img, boxRegion(img, d.BoundingBox))
			out, err := os.Create(filepath.Join(goldenDir, "landmarks", fmt.Sprintf("%s_%d.png", strings.TrimSuffix(name, filepath.Ext(name)), i)))
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(out, crop); err != nil {
				t.Fatal(err)
			}
			if err := out.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, p := range samplePhotos {
		in, _ := tinyInput(loadPhoto(t, p.name), tinyInputSize)
		out, err := os.Create(filepath.Join(goldenDir, "detector", strings.TrimSuffix(p.name, filepath.Ext(p.name))+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(out, in); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range samplePhotos {
		in, _ := tinyInput(loadPhoto(t, p.name), ssdInputSize)
		out, err := os.Create(filepath.Join(goldenDir, "ssd", strings.TrimSuffix(p.name, filepath.Ext(p.name))+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(out, in); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Log("chips and crops rewritten: now run node faceengine/testdata/golden/golden.mjs")
}

// landmarkPhotos are the photos whose faces' landmark crops are kept in
// goldenDir/landmarks.
var landmarkPhotos = []string{"obama_1.jpg", "obama_2.jpg", "biden_2.jpg", "collins_1.png", "group_obama_biden.jpg"}

// TestGoldenLandmarks feeds the crops in testdata/golden/landmarks to the
// Go landmark network and compares with the points face-api computed for
// the same crops (fractions of the crop's side).
func TestGoldenLandmarks(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(goldenDir, "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Landmarks map[string][]float64 `json:"landmarks"`
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden.Landmarks) != len(landmarkPhotos)+1 { // the group photo has two faces
		t.Fatalf("golden.json has %d landmark sets, want %d", len(golden.Landmarks), len(landmarkPhotos)+1)
	}
	e := testEngine(t)
	for name, want := range golden.Landmarks {
		f, err := os.Open(filepath.Join(goldenDir, "landmarks", name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds() != image.Rect(0, 0, landmarkInput, landmarkInput) || len(want) != 2*NumLandmarks {
			t.Fatalf("%s: %v and %d numbers, want a %d-pixel square and %d", name, img.Bounds(), len(want), landmarkInput, 2*NumLandmarks)
		}
		var maxDiff float64
		for i, p := range e.lm.landmarks(imageio.ToRGBA(img)) {
			maxDiff = max(maxDiff, math.Abs(p.X-want[2*i]), math.Abs(p.Y-want[2*i+1]))
		}
		t.Logf("%s: max |Δ| %.2g of the side", name, maxDiff)
		if maxDiff > 1e-5 {
			t.Errorf("%s: a point differs from face-api's by %.2g of the side, want ≤ 1e-5", name, maxDiff)
		}
	}
}

// TestGoldenDescriptors feeds the chips in testdata/golden to the Go network
// and compares with the descriptors face-api computed for the same chips.
func TestGoldenDescriptors(t *testing.T) {
	if *updateChips {
		writeGoldenChips(t)
	}
	raw, err := os.ReadFile(filepath.Join(goldenDir, "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Descriptors map[string][]float64 `json:"descriptors"`
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden.Descriptors) != len(goldenPhotos) {
		t.Fatalf("golden.json has %d descriptors, want %d", len(golden.Descriptors), len(goldenPhotos))
	}
	e := testEngine(t)
	for name, want := range golden.Descriptors {
		f, err := os.Open(filepath.Join(goldenDir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds() != image.Rect(0, 0, chipSize, chipSize) {
			t.Fatalf("%s: %v, want a %d-pixel square", name, img.Bounds(), chipSize)
		}
		got := e.net.describe(imageio.ToRGBA(img))
		var dot, ng, nw, maxDiff float64
		for i, w := range want {
			g := float64(got[i])
			dot += g * w
			ng += g * g
			nw += w * w
			maxDiff = max(maxDiff, math.Abs(g-w))
		}
		cos := dot / math.Sqrt(ng*nw)
		t.Logf("%s: cosine %.7f, max |Δ| %.2g", name, cos, maxDiff)
		if len(want) != DescriptorSize || cos < 0.999 {
			t.Errorf("%s: cosine %.6f with face-api's descriptor (length %d), want ≥ 0.999", name, cos, len(want))
		}
	}
}

// TestGoldenDetections runs the Go tiny face detector on the inputs in
// testdata/golden/detector (sample photos scaled and padded as face-api
// does) and compares its boxes and scores with face-api's.
func TestGoldenDetections(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(goldenDir, "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Detections map[string][]struct {
			Score float64    `json:"score"`
			Box   [4]float64 `json:"box"`
		} `json:"detections"`
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden.Detections) != len(samplePhotos) {
		t.Fatalf("golden.json has %d detection sets, want %d", len(golden.Detections), len(samplePhotos))
	}
	e := testEngine(t)
	for name, want := range golden.Detections {
		f, err := os.Open(filepath.Join(goldenDir, "detector", name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := e.tiny.detect(imageio.ToRGBA(img), 0.3)
		if len(got) != len(want) {
			t.Errorf("%s: %d boxes, face-api %d: %+v vs %+v", name, len(got), len(want), got, want)
			continue
		}
		var maxDiff float64
		for i, w := range want {
			g := got[i]
			maxDiff = max(maxDiff, math.Abs(g.score-w.Score), math.Abs(g.x0-w.Box[0]), math.Abs(g.y0-w.Box[1]), math.Abs(g.x1-w.Box[2]), math.Abs(g.y1-w.Box[3]))
		}
		t.Logf("%s: %d boxes, max |Δ| %.2g", name, len(got), maxDiff)
		if maxDiff > 1e-5 {
			t.Errorf("%s: a box or score differs from face-api's by %.2g, want ≤ 1e-5", name, maxDiff)
		}
	}
}

// TestGoldenSSD runs the Go SsdMobilenetv1 on the inputs in
// testdata/golden/ssd (sample photos scaled and padded to 512×512 as
// face-api does) and compares its boxes (clipped to the square, as
// face-api's locateFaces clips them) and scores with face-api's.
func TestGoldenSSD(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(goldenDir, "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		SSD map[string][]struct {
			Score float64    `json:"score"`
			Box   [4]float64 `json:"box"`
		} `json:"ssd"`
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden.SSD) != len(samplePhotos) {
		t.Fatalf("golden.json has %d SSD detection sets, want %d", len(golden.SSD), len(samplePhotos))
	}
	e := testEngine(t)
	for name, want := range golden.SSD {
		f, err := os.Open(filepath.Join(goldenDir, "ssd", name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := e.ssd.detect(imageio.ToRGBA(img), 0.3)
		if len(got) != len(want) {
			t.Errorf("%s: %d boxes, face-api %d: %+v vs %+v", name, len(got), len(want), got, want)
			continue
		}
		clip := func(v float64) float64 { return min(max(v, 0), 1) }
		var maxDiff float64
		for i, w := range want {
			g := got[i]
			for j, v := range [4]float64{clip(g.x0), clip(g.y0), clip(g.x1), clip(g.y1)} {
				maxDiff = max(maxDiff, math.Abs(v-w.Box[j]))
			}
			maxDiff = max(maxDiff, math.Abs(g.score-w.Score))
		}
		t.Logf("%s: %d boxes, max |Δ| %.2g", name, len(got), maxDiff)
		if maxDiff > 1e-5 {
			t.Errorf("%s: a box or score differs from face-api's by %.2g, want ≤ 1e-5", name, maxDiff)
		}
	}
}
