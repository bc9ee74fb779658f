package faceengine

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"testing"
)

// textures returns 640×480 images without faces: uniform noise, stripes,
// a checkerboard, blotches (noise blurred by a coarse grid) and a smooth
// gradient, the kinds of background a detector can mistake for a face.
func textures() map[string]*image.RGBA {
	const w, h = 640, 480
	rng := rand.New(rand.NewPCG(1, 2))
	blotch := [h/40 + 2][w/40 + 2][3]float64{}
	for y := range blotch {
		for x := range blotch[y] {
			for c := range 3 {
				blotch[y][x][c] = rng.Float64() * 255
			}
		}
	}
	out := map[string]*image.RGBA{}
	paint := func(name string, f func(x, y, c int) float64) {
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				p := m.Pix[y*m.Stride+4*x:]
				for c := range 3 {
					p[c] = uint8(max(0, min(255, f(x, y, c))))
				}
				p[3] = 255
			}
		}
		out[name] = m
	}
	paint("noise", func(x, y, c int) float64 { return rng.Float64() * 255 })
	paint("stripes", func(x, y, c int) float64 { return 128 + 100*math.Sin(float64(x+y)/6) })
	paint("checkerboard", func(x, y, c int) float64 { return float64(255 * ((x/32 + y/32) % 2)) })
	paint("blotches", func(x, y, c int) float64 {
		fx, fy := float64(x)/40, float64(y)/40
		ix, iy := int(fx), int(fy)
		tx, ty := fx-float64(ix), fy-float64(iy)
		v := func(i, j int) float64 { return blotch[iy+j][ix+i][c] }
		return (v(0, 0)*(1-tx)+v(1, 0)*tx)*(1-ty) + (v(0, 1)*(1-tx)+v(1, 1)*tx)*ty
	})
	paint("gradient", func(x, y, c int) float64 { return float64(x*255/w+y*255/h) / 2 })
	return out
}

// TestNoFaces: the sample photo without a face, upright and turned, and
// synthetic textures give no detection.
func TestNoFaces(t *testing.T) {
	e := testEngine(t)
	imgs := textures()
	rocket := loadPhoto(t, "noface_rocket.jpg")
	for _, deg := range []float64{0, -45, -30, 30, 45, 90} {
		imgs[fmt.Sprintf("noface_rocket.jpg turned %+g°", deg)] = turned(rocket, deg)
	}
	for name, img := range imgs {
		if dets := e.Detect(img); len(dets) != 0 {
			t.Errorf("%s: %d faces, want none: %+v", name, len(dets), dets[0].BoundingBox)
		}
	}
}
