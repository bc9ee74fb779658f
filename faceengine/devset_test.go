package faceengine

// The labelled development, held-back and fresh sets of issue 15 (photos,
// labels and provenance in testdata/devset) and the engine's measurement on
// them.
// tools/faceapi-devset.mjs measures face-api on the same photos with the
// same rules; testdata/devset/RESULTS.md sets the two side by side.

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io/fs"
	"math"
	"math/cmplx"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	xdraw "golang.org/x/image/draw"

	"github.com/facerec/facerec-cdk/internal/imageio"
)

// devSetLabels is the labels file; the photos' paths in it are relative
// to the repository root, devSetRoot from this package's directory.
const (
	devSetLabels = "testdata/devset/labels.json"
	devSetRoot   = ".."
)

// Matching and derived-image rules, shared with tools/faceapi-devset.mjs.
const (
	// devSetMinIoU: a labelled face counts as found when a detection's box
	// overlaps its box by at least this intersection over union; boxes are
	// matched one to one, best overlap first, and every detection left
	// unmatched is a false detection. 0.3 (not the usual 0.5) because
	// detectors disagree on where a face's box ends (face-api's SSD boxes
	// brow to chin, its tiny detector forehead to chin) and turned faces
	// are labelled with an upright box of the same size.
	devSetMinIoU = 0.3
	// devSetSameDistance is the devVerification threshold: two faces are
	// declared the same person when their descriptors are nearer.
	devSetSameDistance = SameFaceDistance
)

// devSetAngles are the angles the split's portraits are turned by.
var devSetAngles = []float64{-45, -30, -15, 15, 30, 45}

// devSetNoFaceAngles are the angles the split's face-free photos are
// turned by: every 5° from −45° to +45°, since a background shape that
// scores as a face at one angle often does not 5° away.
var devSetNoFaceAngles = func() []float64 {
	var a []float64
	for deg := -45.0; deg <= 45; deg += 5 {
		if deg != 0 {
			a = append(a, deg)
		}
	}
	return a
}()

// devSetPasteWidths are the widths, in pixels, that each portrait's
// labelled face is scaled to when pasted into the middle of a grey
// 1920×1080 canvas.
var devSetPasteWidths = []float64{200, 160, 120, 100, 80, 60, 50, 40}

// devPhoto is one photo of labels.json.
type devPhoto struct {
	// File is the photo's path from the repository root.
	File string `json:"file"`
	// Source is the npm package@version or repository directory it comes from.
	Source string `json:"source"`
	// Split is "dev", "heldback", "fresh" or "fresh2" (see devSplits).
	Split string `json:"split"`
	// Kind is "group", "portrait", "noface" or "hard".
	Kind  string    `json:"kind"`
	Note  string    `json:"note,omitempty"`
	Faces []devFace `json:"faces"`
}

// devFace is one labelled face.
type devFace struct {
	// Box is [x, y, width, height] in pixels of the upright photo.
	Box [4]float64 `json:"box"`
	// Identity names the person where known (the same string in every
	// photo of them), else "".
	Identity string `json:"identity,omitempty"`
	Note     string `json:"note,omitempty"`
}

// devSplits are the splits of testdata/devset/PROVENANCE.md: dev (tuned
// on), heldback (measured on, though four detector constants and the
// zoomed-out pass were chosen with it in view), fresh (measured on; its
// portraits, upright and turned, and its hard photo team-2.jpg were looked
// at for aroundShare and profileEyeShare, so those figures no longer
// measure them independently) and fresh2 (measured on; its turned misses
// were known to be near profiles when profileEyeShare was added, so its
// turned figures are partly spent for that floor; portraits, hard and
// face-free photos only, no person twice: devIdentitySplits).
var devSplits = []string{"dev", "heldback", "fresh", "fresh2"}

// devIdentitySplits are the splits that hold some person in two photos, for
// identification and verification.
var devIdentitySplits = []string{"dev", "heldback", "fresh"}
var devKinds = []string{"group", "portrait", "noface", "hard"}

// loadDevSet reads labels.json strictly (unknown fields are errors).
func loadDevSet(tb testing.TB) []devPhoto {
	tb.Helper()
	f, err := os.Open(devSetLabels)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var labels struct {
		Photos []devPhoto `json:"photos"`
	}
	if err := dec.Decode(&labels); err != nil {
		tb.Fatalf("%s: %v", devSetLabels, err)
	}
	return labels.Photos
}

// requireDevSetPhotos skips (fails when CI is set) when tools/node_modules,
// where most photos of the set live, is missing.
func requireDevSetPhotos(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(devSetRoot, "tools/node_modules")); err != nil {
		msg := "tools/node_modules is missing: the development set's photos are read from the npm packages pinned in tools/package.json; run `npm ci --prefix tools` (make setup does)"
		if os.Getenv("CI") != "" {
			tb.Fatal(msg + ", and CI is set")
		}
		tb.Skip(msg)
	}
}

var (
	devImageMu    sync.Mutex
	devImageCache = map[string]*image.RGBA{}
)

// devImage decodes a photo of the set, once per test binary.
func devImage(tb testing.TB, file string) *image.RGBA {
	tb.Helper()
	devImageMu.Lock()
	defer devImageMu.Unlock()
	if img, ok := devImageCache[file]; ok {
		return img
	}
	data, err := os.ReadFile(filepath.Join(devSetRoot, file))
	if err != nil {
		tb.Fatal(err)
	}
	img, err := imageio.DecodeImage(data)
	if err != nil {
		tb.Fatalf("%s: %v", file, err)
	}
	devImageCache[file] = img
	return img
}

// devPixelBox returns a detection's box in pixels of img, as [x, y, w, h].
func devPixelBox(img *image.RGBA, b BoundingBox) [4]float64 {
	w, h := float64(img.Rect.Dx()), float64(img.Rect.Dy())
	return [4]float64{b.Left * w, b.Top * h, b.Width * w, b.Height * h}
}

// devIoU is the intersection over union of two [x, y, w, h] boxes.
func devIoU(a, b [4]float64) float64 {
	iw := min(a[0]+a[2], b[0]+b[2]) - max(a[0], b[0])
	ih := min(a[1]+a[3], b[1]+b[3]) - max(a[1], b[1])
	if iw <= 0 || ih <= 0 {
		return 0
	}
	in := iw * ih
	return in / (a[2]*a[3] + b[2]*b[3] - in)
}

// devMatch pairs labels with detections one to one, best overlap first,
// pairs with an IoU under devSetMinIoU excluded. It returns, per label, the
// index of its detection or -1, and the number of unmatched detections.
func devMatch(labels, dets [][4]float64) (match []int, falses int) {
	type pair struct {
		l, d int
		v    float64
	}
	var pairs []pair
	for l, lb := range labels {
		for d, db := range dets {
			if v := devIoU(lb, db); v >= devSetMinIoU {
				pairs = append(pairs, pair{l, d, v})
			}
		}
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return cmp.Compare(b.v, a.v) })
	match = make([]int, len(labels))
	for i := range match {
		match[i] = -1
	}
	used := make([]bool, len(dets))
	falses = len(dets)
	for _, p := range pairs {
		if match[p.l] < 0 && !used[p.d] {
			match[p.l], used[p.d] = p.d, true
			falses--
		}
	}
	return match, falses
}

// devKindScore is the detection score of the photos of one kind.
type devKindScore struct {
	photos, labels, found, falses int
	cpu                           []time.Duration // per photo, e.Faces
}

// devIdentFace is a labelled face with an identity, and its descriptor when
// found.
type devIdentFace struct {
	file, identity string
	found          bool
	desc           Descriptor
}

// devSplitScore is the measurement of one split.
type devSplitScore struct {
	kinds map[string]*devKindScore
	ident []devIdentFace
}

// devScore runs e.Faces on each photo of split and matches its detections
// with the labels.
func devScore(tb testing.TB, e *Engine, photos []devPhoto, split string) devSplitScore {
	tb.Helper()
	s := devSplitScore{kinds: map[string]*devKindScore{}}
	for _, p := range photos {
		if p.Split != split {
			continue
		}
		img := devImage(tb, p.File)
		t0 := cpuTime()
		faces, err := e.Faces(img)
		spent := cpuTime() - t0
		if err != nil {
			tb.Fatalf("%s: %v", p.File, err)
		}
		labels := make([][4]float64, len(p.Faces))
		for i, f := range p.Faces {
			labels[i] = f.Box
		}
		dets := make([][4]float64, len(faces))
		for i, f := range faces {
			dets[i] = devPixelBox(img, f.BoundingBox)
		}
		match, falses := devMatch(labels, dets)
		k := s.kinds[p.Kind]
		if k == nil {
			k = &devKindScore{}
			s.kinds[p.Kind] = k
		}
		k.photos++
		k.labels += len(labels)
		k.falses += falses
		k.cpu = append(k.cpu, spent)
		for i, m := range match {
			if m >= 0 {
				k.found++
			}
			if id := p.Faces[i].Identity; id != "" && p.Kind != "hard" {
				f := devIdentFace{file: p.File, identity: id, found: m >= 0}
				if f.found {
					f.desc = faces[m].Descriptor
				}
				s.ident = append(s.ident, f)
			}
		}
	}
	return s
}

// devIdentification returns the identification probes and the top-1 hits:
// each face whose identity appears in another photo is searched, nearest
// descriptor, among the found faces of the other photos; a probe not found
// is a miss.
func devIdentification(faces []devIdentFace) (probes, hits int) {
	for i, p := range faces {
		if !slices.ContainsFunc(faces, func(g devIdentFace) bool { return g.file != p.file && g.identity == p.identity }) {
			continue
		}
		probes++
		if !p.found {
			continue
		}
		best, bestID := math.Inf(1), ""
		for j, g := range faces {
			if j == i || g.file == p.file || !g.found {
				continue
			}
			if d := Distance(p.desc, g.desc); d < best {
				best, bestID = d, g.identity
			}
		}
		if bestID == p.identity {
			hits++
		}
	}
	return probes, hits
}

// devVerification returns the pairs of faces with identities and those judged
// right at devSetSameDistance, a pair with a face not found being judged
// wrong; and the same counts over the pairs of found faces only.
func devVerification(faces []devIdentFace) (pairs, right, foundPairs, foundRight int) {
	for i, a := range faces {
		for _, b := range faces[i+1:] {
			pairs++
			if !a.found || !b.found {
				continue
			}
			foundPairs++
			if (Distance(a.desc, b.desc) < devSetSameDistance) == (a.identity == b.identity) {
				right++
				foundRight++
			}
		}
	}
	return pairs, right, foundPairs, foundRight
}

// devTurnedBox returns the upright box of the same size, centred where a face
// labelled box ends up in turned(img, deg).
func devTurnedBox(img *image.RGBA, box [4]float64, deg float64) [4]float64 {
	// turned samples destination p at c + r(p − c), so q goes to c + (q − c)/r.
	r := cmplx.Rect(1, -deg*math.Pi/180)
	c := complex(float64(img.Rect.Dx()), float64(img.Rect.Dy())) / 2
	p := c + (complex(box[0]+box[2]/2, box[1]+box[3]/2)-c)/r
	return [4]float64{real(p) - box[2]/2, imag(p) - box[3]/2, box[2], box[3]}
}

// devTurned turns each portrait by each of devSetAngles and returns, per
// angle, how many of the turned faces are found, and the false detections
// in all the turned copies.
func devTurned(tb testing.TB, e *Engine, portraits []devPhoto) (found []int, falses int) {
	tb.Helper()
	found = make([]int, len(devSetAngles))
	for _, p := range portraits {
		img := devImage(tb, p.File)
		for i, deg := range devSetAngles {
			m, f := devMatch([][4]float64{devTurnedBox(img, p.Faces[0].Box, deg)}, devDetected(e, turned(img, deg)))
			if m[0] >= 0 {
				found[i]++
			}
			falses += f
		}
	}
	return found, falses
}

// devNoFaceTurned turns each face-free photo of the split by each of
// devSetNoFaceAngles and returns the detections in all of them (every one
// false) and the number of turned images.
func devNoFaceTurned(tb testing.TB, e *Engine, photos []devPhoto, split string) (falses, images int) {
	tb.Helper()
	for _, p := range photos {
		if p.Split != split || p.Kind != "noface" {
			continue
		}
		img := devImage(tb, p.File)
		for _, deg := range devSetNoFaceAngles {
			falses += len(e.Detect(turned(img, deg)))
			images++
		}
	}
	return falses, images
}

// devPasted returns img scaled so that box is width pixels wide, pasted into a
// grey 1920×1080 canvas with box's centre at the canvas's centre, and
// box's place in the canvas.
func devPasted(img *image.RGBA, box [4]float64, width float64) (*image.RGBA, [4]float64) {
	canvas := greyCanvas()
	return canvas, pasteFace(canvas, img, box, width, complex(960, 540))
}

// greyCanvas returns a grey (128) 1920×1080 image.
func greyCanvas() *image.RGBA {
	canvas := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	xdraw.Draw(canvas, canvas.Rect, &image.Uniform{color.RGBA{128, 128, 128, 255}}, image.Point{}, xdraw.Src)
	return canvas
}

// pasteFace draws img into canvas scaled so that box (pixels of img) is
// width pixels wide, box's centre at c, and returns box's place in the
// canvas.
func pasteFace(canvas, img *image.RGBA, box [4]float64, width float64, c complex128) [4]float64 {
	k := width / box[2]
	cx, cy := real(c)-k*(box[0]+box[2]/2), imag(c)-k*(box[1]+box[3]/2)
	r := image.Rect(int(math.Round(cx)), int(math.Round(cy)), int(math.Round(cx+k*float64(img.Rect.Dx()))), int(math.Round(cy+k*float64(img.Rect.Dy()))))
	xdraw.BiLinear.Scale(canvas, r, img, img.Rect, xdraw.Src, nil)
	kx, ky := float64(r.Dx())/float64(img.Rect.Dx()), float64(r.Dy())/float64(img.Rect.Dy())
	return [4]float64{float64(r.Min.X) + kx*box[0], float64(r.Min.Y) + ky*box[1], kx * box[2], ky * box[3]}
}

// devDetected returns e.Detect's boxes in pixels of img.
func devDetected(e *Engine, img *image.RGBA) [][4]float64 {
	var boxes [][4]float64
	for _, d := range e.Detect(img) {
		boxes = append(boxes, devPixelBox(img, d.BoundingBox))
	}
	return boxes
}

// devPortraits returns the split's portraits (one labelled face each).
func devPortraits(photos []devPhoto, split string) []devPhoto {
	var out []devPhoto
	for _, p := range photos {
		if p.Split == split && p.Kind == "portrait" && len(p.Faces) == 1 {
			out = append(out, p)
		}
	}
	return out
}

func TestDevSetLabels(t *testing.T) {
	requireDevSetPhotos(t)
	photos := loadDevSet(t)
	seen := map[string]bool{}
	count := map[[2]string]int{} // by split and identity
	for _, p := range photos {
		if seen[p.File] {
			t.Errorf("%s: listed twice", p.File)
		}
		seen[p.File] = true
		if p.Source == "" {
			t.Errorf("%s: no source", p.File)
		}
		if !slices.Contains(devSplits, p.Split) || !slices.Contains(devKinds, p.Kind) {
			t.Errorf("%s: split %q, kind %q; want one of %v and %v", p.File, p.Split, p.Kind, devSplits, devKinds)
		}
		if (p.Kind == "noface") != (len(p.Faces) == 0) {
			t.Errorf("%s: kind %s with %d faces", p.File, p.Kind, len(p.Faces))
		}
		if p.Kind == "portrait" && len(p.Faces) != 1 {
			t.Errorf("%s: a portrait with %d faces", p.File, len(p.Faces))
		}
		if _, err := os.Stat(filepath.Join(devSetRoot, p.File)); errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: missing (run npm ci --prefix tools if it is in tools/node_modules)", p.File)
			continue
		}
		img := devImage(t, p.File)
		for i, f := range p.Faces {
			b := f.Box
			if b[2] < 20 || b[3] < 20 || b[0] < 0 || b[1] < 0 || b[0]+b[2] > float64(img.Rect.Dx()) || b[1]+b[3] > float64(img.Rect.Dy()) {
				t.Errorf("%s face %d: box %v not a face of at least 20 px inside the %v image", p.File, i, b, img.Rect.Size())
			}
			for j, g := range p.Faces[:i] {
				if devIoU(f.Box, g.Box) > 0.1 {
					t.Errorf("%s: faces %d and %d overlap", p.File, j, i)
				}
			}
			if f.Identity != "" {
				count[[2]string{p.Split, f.Identity}]++
				if !slices.Contains(devIdentitySplits, p.Split) {
					t.Errorf("%s face %d: identity %q on split %s, which is not in devIdentitySplits", p.File, i, f.Identity, p.Split)
				}
			}
		}
	}
	// Identification needs each of those splits to hold some person twice.
	for _, split := range devIdentitySplits {
		twice := 0
		for k, n := range count {
			if n > 1 && k[0] == split {
				twice++
			}
		}
		if twice == 0 {
			t.Errorf("split %s: no identity labelled in two photos", split)
		}
	}
}

// BenchmarkDevSet measures the engine on the splits of devSplits (run
// with -run '^$' -bench DevSet -benchtime 1x -cpu 1); each sub-benchmark
// reports its figures as metrics:
//   - <split>/<kind>: %recall (labelled faces found, see devSetMinIoU),
//     faces (labelled), false (detections matching no label), and
//     cpu-ms/photo and max-cpu-ms (e.Faces, decode excluded; one core
//     with -cpu 1);
//   - <split>/turned: found-m45 … found-p45 (portraits whose face is
//     found turned by −45° … +45°, of portraits), false;
//   - <split>/noface-turned: false (detections in the face-free photos
//     turned by each of devSetNoFaceAngles), images;
//   - <split>/pasted: each portrait's smallest width is the narrowest
//     of devSetPasteWidths down to which its face is found at every width
//     (999 when missed at 200 px); px-median and px-all (the median and
//     the largest of them), %found-40px (portraits found at every width
//     down to 40 px), false;
//   - <split>/identity, for devIdentitySplits only: %top1 of probes (see
//     devIdentification), %verify of pairs and %verify-found of
//     pairs-found (see devVerification).
//
// It is a measurement, not a test: the goals are issue 15's.
func BenchmarkDevSet(b *testing.B) {
	requireDevSetPhotos(b)
	e := testEngine(b)
	photos := loadDevSet(b)
	for _, split := range devSplits {
		var s devSplitScore
		b.Run(split+"/photos", func(b *testing.B) {
			for b.Loop() {
				s = devScore(b, e, photos, split)
			}
		})
		for _, kind := range devKinds {
			k := s.kinds[kind]
			if k == nil {
				continue
			}
			b.Run(split+"/"+kind, func(b *testing.B) {
				for b.Loop() {
				}
				if k.labels > 0 {
					b.ReportMetric(100*float64(k.found)/float64(k.labels), "%recall")
				}
				b.ReportMetric(float64(k.labels), "faces")
				b.ReportMetric(float64(k.falses), "false")
				var sum, most time.Duration
				for _, c := range k.cpu {
					sum, most = sum+c, max(most, c)
				}
				b.ReportMetric(float64(sum.Milliseconds())/float64(len(k.cpu)), "cpu-ms/photo")
				b.ReportMetric(float64(most.Milliseconds()), "max-cpu-ms")
			})
		}
		portraits := devPortraits(photos, split)
		b.Run(split+"/turned", func(b *testing.B) {
			var found []int
			var falses int
			for b.Loop() {
				found, falses = devTurned(b, e, portraits)
			}
			for i, deg := range devSetAngles {
				b.ReportMetric(float64(found[i]), fmt.Sprintf("found-%s%02.0f", map[bool]string{true: "m", false: "p"}[deg < 0], math.Abs(deg)))
			}
			b.ReportMetric(float64(len(portraits)), "portraits")
			b.ReportMetric(float64(falses), "false")
		})
		b.Run(split+"/noface-turned", func(b *testing.B) {
			var falses, images int
			for b.Loop() {
				falses, images = devNoFaceTurned(b, e, photos, split)
			}
			b.ReportMetric(float64(falses), "false")
			b.ReportMetric(float64(images), "images")
		})
		b.Run(split+"/pasted", func(b *testing.B) {
			var smallest []float64
			var at40, falses int
			for b.Loop() {
				smallest, at40, falses = nil, 0, 0
				for _, p := range portraits {
					img := devImage(b, p.File)
					least := 999.0
					for _, w := range devSetPasteWidths {
						canvas, box := devPasted(img, p.Faces[0].Box, w)
						m, f := devMatch([][4]float64{box}, devDetected(e, canvas))
						falses += f
						if m[0] < 0 {
							break
						}
						least = w
						if w == 40 {
							at40++
						}
					}
					smallest = append(smallest, least)
					if least > 40 {
						b.Logf("%s: smallest %g px", filepath.Base(p.File), least)
					}
				}
			}
			slices.Sort(smallest)
			b.ReportMetric(smallest[len(smallest)/2], "px-median")
			b.ReportMetric(smallest[len(smallest)-1], "px-all")
			b.ReportMetric(100*float64(at40)/float64(len(portraits)), "%found-40px")
			b.ReportMetric(float64(falses), "false")
		})
		if !slices.Contains(devIdentitySplits, split) {
			continue
		}
		b.Run(split+"/identity", func(b *testing.B) {
			for b.Loop() {
			}
			probes, hits := devIdentification(s.ident)
			pairs, right, foundPairs, foundRight := devVerification(s.ident)
			b.ReportMetric(100*float64(hits)/float64(probes), "%top1")
			b.ReportMetric(float64(probes), "probes")
			b.ReportMetric(100*float64(right)/float64(pairs), "%verify")
			b.ReportMetric(float64(pairs), "pairs")
			b.ReportMetric(100*float64(foundRight)/float64(foundPairs), "%verify-found")
			b.ReportMetric(float64(foundPairs), "pairs-found")
		})
	}
}

// TestDevSetFloor holds the engine to what engine v2's detector measures
// on the development split (BenchmarkDevSet, RESULTS.md), so that a change
// that loses faces or adds false detections fails. Every turned face is
// found, as issue 15 asks; group photos are one face (a head in profile)
// short of issue 15's recall goal (≥ 98%), so that floor is what was
// reached, not the goal: raise it as the engine improves.
func TestDevSetFloor(t *testing.T) {
	requireDevSetPhotos(t)
	e := testEngine(t)
	photos := loadDevSet(t)
	s := devScore(t, e, photos, "dev")
	floors := []struct {
		kind               string
		minFound, maxFalse int
	}{
		{"group", 23, 0},   // of 24 faces: the one missed is a head in profile (sample2.jpg)
		{"portrait", 4, 0}, // of 4
		{"noface", 0, 0},
	}
	for _, f := range floors {
		k := s.kinds[f.kind]
		if k == nil {
			t.Fatalf("no %s photo in the dev split", f.kind)
		}
		t.Logf("%s: found %d of %d faces, %d false detections", f.kind, k.found, k.labels, k.falses)
		if k.found < f.minFound || k.falses > f.maxFalse {
			t.Errorf("%s photos: found %d of %d faces with %d false detections; the floor is %d found, at most %d false", f.kind, k.found, k.labels, k.falses, f.minFound, f.maxFalse)
		}
	}
	// Turned portraits: all 24 found (4 portraits at ±15°, ±30°, ±45°).
	perAngle, falses := devTurned(t, e, devPortraits(photos, "dev"))
	found := 0
	for _, n := range perAngle {
		found += n
	}
	t.Logf("turned portraits: found %d, %d false detections", found, falses)
	if found < 24 || falses > 0 {
		t.Errorf("turned portraits: found %d with %d false detections; the floor is 24 found, none false", found, falses)
	}
}
