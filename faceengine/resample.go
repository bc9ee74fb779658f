package faceengine

import (
	"image"
	"math"
	"math/bits"
)

// resample returns the size×size image whose draw coordinate q shows
// img's draw coordinate m·q + t, as warp does, but cheaper when it
// shrinks: bilinear interpolation that widens its kernel to the scale
// (x/image/draw's) reads about (2·|m|)² pixels for each it writes, so for
// |m| ≥ 2 the part of img the square covers is first shrunk by the
// largest power of two f ≤ |m| (each pixel the mean of an f×f block, a box
// filter), and warp works on that at a scale of |m|/f < 2.
func resample(img *image.RGBA, m, t complex128, size int) *image.RGBA {
	f := 1 << max(bits.Len(uint(math.Hypot(real(m), imag(m))))-1, 0)
	if f < 2 {
		return warp(img, m, t, size)
	}
	// The square's bounds in img, one block of margin for the kernel,
	// aligned to blocks and clipped to img.
	s := complex(float64(size), 0)
	corners := [4]complex128{t, t + m*s, t + m*complex(0, float64(size)), t + m*(s+complex(0, float64(size)))}
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, c := range corners {
		x0, y0, x1, y1 = min(x0, real(c)), min(y0, imag(c)), max(x1, real(c)), max(y1, imag(c))
	}
	b := img.Rect
	fx := func(v float64) int { return int(math.Floor(v/float64(f)))*f - f }
	r := image.Rect(fx(x0), fx(y0), fx(x1)+3*f, fx(y1)+3*f).Intersect(b)
	// Blocks lie in r: whole blocks from r.Min (a partial one at the far
	// edge of img averages the pixels it has).
	cw, ch := (r.Dx()+f-1)/f, (r.Dy()+f-1)/f
	if cw <= 0 || ch <= 0 {
		return warp(img, m, t, size)
	}
	small := image.NewRGBA(image.Rect(0, 0, cw, ch))
	sums := make([]uint32, 4*cw)
	for cy := range ch {
		clear(sums)
		ys, ye := r.Min.Y+cy*f, min(r.Min.Y+(cy+1)*f, r.Max.Y)
		for y := ys; y < ye; y++ {
			row := img.Pix[(y-b.Min.Y)*img.Stride+4*(r.Min.X-b.Min.X):][:4*r.Dx()]
			for cx := range cw {
				block := row[4*cx*f : 4*min((cx+1)*f, r.Dx())]
				var s0, s1, s2, s3 uint32
				for i := 0; i+3 < len(block); i += 4 {
					p := block[i : i+4 : i+4]
					s0 += uint32(p[0])
					s1 += uint32(p[1])
					s2 += uint32(p[2])
					s3 += uint32(p[3])
				}
				o := sums[4*cx : 4*cx+4 : 4*cx+4]
				o[0] += s0
				o[1] += s1
				o[2] += s2
				o[3] += s3
			}
		}
		out := small.Pix[cy*small.Stride:][:4*cw]
		for cx := range cw {
			n := uint32((ye - ys) * (min(r.Min.X+(cx+1)*f, r.Max.X) - (r.Min.X + cx*f)))
			for c := range 4 {
				out[4*cx+c] = uint8((sums[4*cx+c] + n/2) / n)
			}
		}
	}
	// Small draw coordinate c shows img draw coordinate r.Min + f·c.
	o := complex(float64(r.Min.X), float64(r.Min.Y))
	return warp(small, m/complex(float64(f), 0), (t-o)/complex(float64(f), 0), size)
}
