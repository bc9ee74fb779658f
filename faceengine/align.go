package faceengine

import (
	"errors"
	"image"
	"math/cmplx"

	"golang.org/x/image/draw"
	"golang.org/x/image/math/f64"
)

// chipPadding is the padding of dlib's get_face_chip_details(shape, 150,
// 0.25), the call that made the chips dlib's descriptor was trained on.
const chipPadding = 0.25

// Eye centres in the chip, as fractions of its side: the means of points
// 36–41 and 42–47 of the mean face shape in dlib's get_face_chip_details
// (dlib/image_transforms/interpolation.h), (x + padding)/(1 + 2·padding).
// For padding 0.25 they are (0.3170, 0.3107) and (0.6698, 0.3107).
var (
	chipLeftEye  = complex((0.2254918+chipPadding)/(1+2*chipPadding), (0.2159903+chipPadding)/(1+2*chipPadding))
	chipRightEye = complex((0.7547613+chipPadding)/(1+2*chipPadding), (0.2159903+chipPadding)/(1+2*chipPadding))
)

// errDegenerateEyes is returned for a detection whose eyes coincide or are
// not finite numbers.
var errDegenerateEyes = errors.New("faceengine: detection has no usable eye positions")

// alignChip warps the face with the given eye centres onto an opaque
// chipSize×chipSize chip, as dlib's extract_image_chip(img, get_face_chip_details(...))
// does with two points: the similarity (rotation, uniform scale, shift) that
// puts the eyes on chipLeftEye·chipSize and chipRightEye·chipSize, then dlib's
// mapping of the chip rectangle's corners onto the centres of the corner
// pixels (a 150/149 stretch about the centre). Pixels come from bilinear
// interpolation (x/image/draw widens the kernel when the chip is smaller
// than the face, which stands in for dlib's pyramid); outside the image
// they are black, as in dlib.
func alignChip(img *image.RGBA, left, right Point) (*image.RGBA, error) {
	e1, e2 := complex(left.X, left.Y), complex(right.X, right.Y)
	u1, u2 := chipLeftEye*chipSize, chipRightEye*chipSize
	a := (e2 - e1) / (u2 - u1) // chip units → image pixels, as scale·e^{iθ}
	if a == 0 || cmplx.IsNaN(a) || cmplx.IsInf(a) {
		return nil, errDegenerateEyes
	}
	b := e1 - a*u1
	// Chip pixel q has centre q+0.5 in x/image/draw's coordinates and is dlib's
	// chip point u = c + (q+0.5 − c)·k with c = chipSize/2, k = chipSize/(chipSize−1);
	// image point p has draw coordinate p+0.5. Composed: src = a·k·dst + t.
	const c, k = chipSize / 2.0, chipSize / (chipSize - 1.0)
	m := a * k
	t := a*c*(1-k) + b + complex(0.5, 0.5)
	// draw.Transform takes the source→destination map: dst = (src − t)/m.
	inv := 1 / m
	ti := -t * inv
	s2d := f64.Aff3{
		real(inv), -imag(inv), real(ti),
		imag(inv), real(inv), imag(ti),
	}
	chip := image.NewRGBA(image.Rect(0, 0, chipSize, chipSize))
	draw.BiLinear.Transform(chip, s2d, img, img.Rect, draw.Src, nil)
	for i := 3; i < len(chip.Pix); i += 4 {
		chip.Pix[i] = 0xff // RGB is premultiplied: partly covered edge pixels fade to black
	}
	return chip, nil
}
