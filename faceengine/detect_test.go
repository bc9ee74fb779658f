package faceengine

import (
	"math"
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
