package faceengine

import (
	"math"
	"math/cmplx"
	"testing"
)

// TestResample: under a scale of 2 resample is warp; shrinking a photo
// (upright, and turned by 30°) it gives nearly warp's image, the mean
// difference under 2 levels of 255 and no pixel off by more than 40.
func TestResample(t *testing.T) {
	img := loadPhoto(t, "group_obama_biden.jpg")
	side := float64(max(img.Rect.Dx(), img.Rect.Dy()))
	near := resample(img, 1.5, 3, 100)
	if w := warp(img, 1.5, 3, 100); string(near.Pix) != string(w.Pix) {
		t.Error("at scale 1.5, resample differs from warp")
	}
	for _, m := range []complex128{complex(side/150, 0), cmplx.Rect(side/120, math.Pi/6)} {
		got, want := resample(img, m, 40, 150), warp(img, m, 40, 150)
		var sum float64
		var worst int
		for i := range got.Pix {
			d := int(got.Pix[i]) - int(want.Pix[i])
			sum += math.Abs(float64(d))
			worst = max(worst, d, -d)
		}
		mean := sum / float64(len(got.Pix))
		t.Logf("scale %.2f: mean |Δ| %.2f, worst %d", cmplx.Abs(m), mean, worst)
		if mean > 2 || worst > 40 {
			t.Errorf("scale %.2f: mean |Δ| %.2f, worst %d; want ≤ 2 and ≤ 40", cmplx.Abs(m), mean, worst)
		}
	}
}
