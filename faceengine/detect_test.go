package faceengine

import (
	"math"
	"path/filepath"
	"testing"
)

// TestSuppressed: a candidate is dropped by an accepted face's box when
// they overlap by more than tinyIoU or, for a turned or weak candidate,
// when its centre lies in that box, and for a small-face proposal when its
// centre lies in it and it is at most smallNested times as wide; a
// rejected candidate's box drops only boxes overlapping it by more than
// tinyIoU, never by centre.
func TestSuppressed(t *testing.T) {
	big := tinyBox{x0: 0, y0: 0, x1: 1, y1: 1}
	same := tinyBox{x0: 0.05, y0: 0.05, x1: 1, y1: 1}     // IoU 0.90 with big
	inside := tinyBox{x0: 0.4, y0: 0.4, x1: 0.6, y1: 0.6} // centre in big, IoU 0.04
	apart := tinyBox{x0: 2, y0: 2, x1: 3, y1: 3}          // no overlap
	half := tinyBox{x0: 0.3, y0: 0.3, x1: 0.7, y1: 0.7}   // centre in big, big 2.5 times as wide
	inner := math.Inf(1)
	for _, c := range []struct {
		name            string
		bb              tinyBox
		nested          float64
		faces, rejected []tinyBox
		want            bool
	}{
		{"nothing seen", inside, inner, nil, nil, false},
		{"overlapping a face", same, 0, []tinyBox{big}, nil, true},
		{"inner, centre in a face", inside, inner, []tinyBox{big}, nil, true},
		{"upright, centre in a face", inside, 0, []tinyBox{big}, nil, false},
		{"small, centre in a face 5 times as wide", inside, smallNested, []tinyBox{big}, nil, false},
		{"small, centre in a face 2.5 times as wide", half, smallNested, []tinyBox{big}, nil, true},
		{"overlapping a rejected box", same, 0, nil, []tinyBox{big}, true},
		{"inner, centre in a rejected box", inside, inner, nil, []tinyBox{big}, false},
		{"apart from both", apart, inner, []tinyBox{big}, []tinyBox{big}, false},
	} {
		if got := suppressed(c.bb, c.nested, c.faces, c.rejected); got != c.want {
			t.Errorf("%s: suppressed = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestSecondLookFallbacks: turned three-quarter views whose second look
// fails at the Roll their landmarks give (landmarks located on a head at
// 45° point the wrong way) or finds the face off the candidate's centre
// (a coarse whole-image box drawn low, over the neck) are found by the
// second look's fallbacks: another look at each whole-image pass's turn,
// and a face found around the candidate's centre
// (aroundShare). Every case here was missed before those fallbacks; the
// fresh split's portraits, turned, from which they come, were looked at to
// find them (testdata/devset/PROVENANCE.md).
func TestSecondLookFallbacks(t *testing.T) {
	requireDevSetPhotos(t)
	e := testEngine(t)
	byName := map[string]devPhoto{}
	for _, p := range devPortraits(loadDevSet(t), "fresh") {
		byName[filepath.Base(p.File)] = p
	}
	for _, tc := range []struct {
		file string
		deg  float64
	}{
		{"bruce-mars.jpg", 45},
		{"kal-visuals.jpg", 45},
		{"ivana.jpg", -45},
		{"ivana.jpg", 45},
		{"camp.jpg", -30},
		{"card-profile4-square.jpg", 45},
	} {
		p, ok := byName[tc.file]
		if !ok {
			t.Fatalf("%s: not a fresh portrait of labels.json", tc.file)
		}
		img := devImage(t, p.File)
		match, falses := devMatch([][4]float64{devTurnedBox(img, p.Faces[0].Box, tc.deg)}, devDetected(e, turned(img, tc.deg)))
		if match[0] < 0 || falses > 0 {
			t.Errorf("%s turned by %+g°: matched %v, %d false detections; want the face and nothing else", tc.file, tc.deg, match, falses)
		}
	}
}
