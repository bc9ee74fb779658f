package faceengine

import "testing"

// TestSuppressed: a candidate is dropped by an accepted face's box when
// they overlap by more than tinyIoU or, for a turned or weak candidate,
// when its centre lies in that box; a rejected candidate's box drops only
// boxes overlapping it by more than tinyIoU, never by centre.
func TestSuppressed(t *testing.T) {
	big := tinyBox{x0: 0, y0: 0, x1: 1, y1: 1}
	same := tinyBox{x0: 0.05, y0: 0.05, x1: 1, y1: 1}     // IoU 0.90 with big
	inside := tinyBox{x0: 0.4, y0: 0.4, x1: 0.6, y1: 0.6} // centre in big, IoU 0.04
	apart := tinyBox{x0: 2, y0: 2, x1: 3, y1: 3}          // no overlap
	for _, c := range []struct {
		name            string
		bb              tinyBox
		inner           bool
		faces, rejected []tinyBox
		want            bool
	}{
		{"nothing seen", inside, true, nil, nil, false},
		{"overlapping a face", same, false, []tinyBox{big}, nil, true},
		{"inner, centre in a face", inside, true, []tinyBox{big}, nil, true},
		{"upright, centre in a face", inside, false, []tinyBox{big}, nil, false},
		{"overlapping a rejected box", same, false, nil, []tinyBox{big}, true},
		{"inner, centre in a rejected box", inside, true, nil, []tinyBox{big}, false},
		{"apart from both", apart, true, []tinyBox{big}, []tinyBox{big}, false},
	} {
		if got := suppressed(c.bb, c.inner, c.faces, c.rejected); got != c.want {
			t.Errorf("%s: suppressed = %v, want %v", c.name, got, c.want)
		}
	}
}
