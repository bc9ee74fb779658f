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

// ssdInputSize is the side of the square face-api's SsdMobilenetv1 reads.
const ssdInputSize = 512

// goldenPhotos are the photos whose aligned chips are kept in goldenDir.
var goldenPhotos = []string{"obama_1.jpg", "obama_2.jpg", "biden_2.jpg", "collins_1.png"}

func writeGoldenChips(t *testing.T) {
	base := func(name string) string { return strings.TrimSuffix(name, filepath.Ext(name)) }
	for _, name := range goldenPhotos {
		f := onlyFace(t, name)
		a, b := landmarkTransform(&f.Landmarks)
		chip, err := alignChip(loadPhoto(t, name), a, b)
		if err != nil {
			t.Fatal(err)
		}
		writePNG(t, filepath.Join(goldenDir, base(name)+".png"), chip)
	}
	for _, name := range landmarkPhotos {
		for i, d := range testEngine(t).Detect(loadPhoto(t, name)) {
			img := loadPhoto(t, name)
			crop, _, _ := landmarkCrop(img, boxRegion(img, d.BoundingBox))
			writePNG(t, filepath.Join(goldenDir, "landmarks", fmt.Sprintf("%s_%d.png", base(name), i)), crop)
		}
	}
	for _, p := range samplePhotos {
		for dir, size := range map[string]int{"detector": tinyInputSize, "ssd": ssdInputSize} {
			in, _ := tinyInput(loadPhoto(t, p.name), size)
			writePNG(t, filepath.Join(goldenDir, dir, base(p.name)+".png"), in)
		}
	}
	t.Log("chips and crops rewritten: now run node faceengine/testdata/golden/golden.mjs")
}

// writePNG writes img to the PNG file path.
func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(out, img); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
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
	e := testEngine(t)
	checkGoldenBoxes(t, "detections", "detector", func(in *image.RGBA) [][5]float64 {
		var out [][5]float64
		for _, b := range e.tiny.detect(in, 0.3) {
			out = append(out, [5]float64{b.score, b.x0, b.y0, b.x1, b.y1})
		}
		return out
	})
}

// TestGoldenSSD runs the Go SsdMobilenetv1 on the inputs in
// testdata/golden/ssd (sample photos scaled and padded to 512×512 as
// face-api does) and compares its boxes (clipped to the square, as
// face-api's locateFaces clips them) and scores with face-api's.
func TestGoldenSSD(t *testing.T) {
	e := testEngine(t)
	clip := func(v float64) float64 { return min(max(v, 0), 1) }
	checkGoldenBoxes(t, "ssd", "ssd", func(in *image.RGBA) [][5]float64 {
		var out [][5]float64
		for _, b := range e.ssd.detect(in, 0.3) {
			out = append(out, [5]float64{b.score, clip(b.x0), clip(b.y0), clip(b.x1), clip(b.y1)})
		}
		return out
	})
}

// checkGoldenBoxes runs detect on each input in goldenDir/dir and compares
// its boxes (score, left, top, right, bottom; fractions of the input's
// side), best first, with those golden.json holds under key, to 1e-5.
func checkGoldenBoxes(t *testing.T, key, dir string, detect func(*image.RGBA) [][5]float64) {
	raw, err := os.ReadFile(filepath.Join(goldenDir, "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden map[string]json.RawMessage
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	var sets map[string][]struct {
		Score float64    `json:"score"`
		Box   [4]float64 `json:"box"`
	}
	if err := json.Unmarshal(golden[key], &sets); err != nil {
		t.Fatal(err)
	}
	if len(sets) != len(samplePhotos) {
		t.Fatalf("golden.json has %d %s sets, want %d", len(sets), key, len(samplePhotos))
	}
	for name, want := range sets {
		f, err := os.Open(filepath.Join(goldenDir, dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := detect(imageio.ToRGBA(img))
		if len(got) != len(want) {
			t.Errorf("%s: %d boxes, face-api %d: %v vs %+v", name, len(got), len(want), got, want)
			continue
		}
		var maxDiff float64
		for i, w := range want {
			for j, v := range [5]float64{w.Score, w.Box[0], w.Box[1], w.Box[2], w.Box[3]} {
				maxDiff = max(maxDiff, math.Abs(got[i][j]-v))
			}
		}
		t.Logf("%s: %d boxes, max |Δ| %.2g", name, len(got), maxDiff)
		if maxDiff > 1e-5 {
			t.Errorf("%s: a box or score differs from face-api's by %.2g, want ≤ 1e-5", name, maxDiff)
		}
	}
}
