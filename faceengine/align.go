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

// errDegenerateEyes is returned for a detection whose eyes (or landmarks)
// coincide or are not finite numbers.
var errDegenerateEyes = errors.New("faceengine: detection has no usable eye positions")

// meanFaceX and meanFaceY are dlib's mean face shape: the average
// positions of points 17–67 of the 68-point markup, as fractions of the
// face's box (dlib/image_transforms/interpolation.h,
// get_face_chip_details).
var (
	meanFaceX = [NumLandmarks - 17]float64{
		0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124,
		0.904991, 0.98004, 0.490127, 0.490127, 0.490127, 0.490127, 0.36688, 0.426036,
		0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918,
		0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149,
		0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721,
		0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874,
		0.553364, 0.490127, 0.42689,
	}
	meanFaceY = [NumLandmarks - 17]float64{
		0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891,
		0.0187482, 0.038915, 0.106454, 0.203352, 0.307009, 0.409805, 0.515625, 0.587326,
		0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733,
		0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099,
		0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805,
		0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746,
		0.784792, 0.824182, 0.831803, 0.824182,
	}
)

// alignedPoint reports whether dlib's get_face_chip_details fits landmark
// i: the nose (27–35), the eyes (36–47) and the mouth but its lower lip
// (48–54, 60–64); not the jaw, the eyebrows or the lower lip.
func alignedPoint(i int) bool {
	return i >= 27 && !(i >= 55 && i <= 59) && i < 65
}

// landmarkTransform returns the similarity u ↦ a·u + b from chip
// coordinates (pixels of the chipSize chip) to image pixels that puts the
// points alignedPoint selects nearest, in least squares, to where dlib's
// mean face shape (with padding chipPadding) has them in the chip: the
// transform dlib's get_face_chip_details(shape, 150, 0.25) computes with
// find_similarity_transform.
func landmarkTransform(pts *[NumLandmarks]Point) (a, b complex128) {
	var us, ps []complex128
	var uMean, pMean complex128
	for i, p := range pts {
		if !alignedPoint(i) {
			continue
		}
		u := complex((meanFaceX[i-17]+chipPadding)/(1+2*chipPadding), (meanFaceY[i-17]+chipPadding)/(1+2*chipPadding)) * chipSize
		us, ps = append(us, u), append(ps, complex(p.X, p.Y))
		uMean += u
		pMean += complex(p.X, p.Y)
	}
	n := complex(float64(len(us)), 0)
	uMean, pMean = uMean/n, pMean/n
	var num complex128
	var den float64
	for i, u := range us {
		du := u - uMean
		num += cmplx.Conj(du) * (ps[i] - pMean)
		den += real(du)*real(du) + imag(du)*imag(du)
	}
	a = num / complex(den, 0)
	return a, pMean - a*uMean
}

// eyesTransform returns the similarity from chip coordinates to image
// pixels that puts the eye centres of dlib's mean face on left and right.
func eyesTransform(left, right Point) (a, b complex128) {
	e1, e2 := complex(left.X, left.Y), complex(right.X, right.Y)
	u1, u2 := chipLeftEye*chipSize, chipRightEye*chipSize
	a = (e2 - e1) / (u2 - u1)
	return a, e1 - a*u1
}

// alignChip warps the face onto an opaque chipSize×chipSize chip, as dlib's
// extract_image_chip(img, get_face_chip_details(...)) does: chip point u
// shows image point a·u + b (landmarkTransform's or eyesTransform's
// similarity), with dlib's mapping of the chip rectangle's corners onto
// the centres of the corner pixels (a 150/149 stretch about the centre).
// Pixels come from bilinear interpolation (x/image/draw widens the kernel
// when the chip is smaller than the face, which stands in for dlib's
// pyramid); outside the image they are black, as in dlib.
func alignChip(img *image.RGBA, a, b complex128) (*image.RGBA, error) {
	if a == 0 || cmplx.IsNaN(a) || cmplx.IsInf(a) || cmplx.IsNaN(b) || cmplx.IsInf(b) {
		return nil, errDegenerateEyes
	}
	// Chip pixel q has centre q+0.5 in x/image/draw's coordinates and is dlib's
	// chip point u = c + (q+0.5 − c)·k with c = chipSize/2, k = chipSize/(chipSize−1);
	// image point p has draw coordinate p+0.5. Composed: src = a·k·dst + t.
	const c, k = chipSize / 2.0, chipSize / (chipSize - 1.0)
	m := a * k
	t := a*c*(1-k) + b + complex(0.5, 0.5)
	return warp(img, m, t, chipSize), nil
}

// warp returns the size×size image whose draw coordinate q shows img's
// draw coordinate m·q + t, bilinearly interpolated, opaque, black outside
// img.
func warp(img *image.RGBA, m, t complex128, size int) *image.RGBA {
	// draw.Transform takes the source→destination map: dst = (src − t)/m.
	inv := 1 / m
	ti := -t * inv
	s2d := f64.Aff3{
		real(inv), -imag(inv), real(ti),
		imag(inv), real(inv), imag(ti),
	}
	out := image.NewRGBA(image.Rect(0, 0, size, size))
	draw.BiLinear.Transform(out, s2d, img, img.Rect, draw.Src, nil)
	for i := 3; i < len(out.Pix); i += 4 {
		out.Pix[i] = 0xff // RGB is premultiplied: partly covered edge pixels fade to black
	}
	return out
}
