package faceengine

import (
	"cmp"
	"fmt"
	"image"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas/blas32"
)

// tinyAnchors are the widths and heights, in grid cells, of the five box
// shapes of face-api's TinyFaceDetector (src/tinyFaceDetector/const.ts).
var tinyAnchors = [5][2]float64{
	{1.603231, 2.094468}, {6.041143, 7.080126}, {2.882459, 3.518061}, {4.266906, 5.178857}, {9.041765, 10.66308},
}

// tinyMeanRGB is subtracted from each 0–255 input channel before dividing
// by inputScale (face-api's TinyFaceDetector MEAN_RGB).
var tinyMeanRGB = [3]float64{117.001, 114.697, 97.404}

// Settings of face-api's TinyFaceDetector: boxes overlapping a better one
// by an intersection over union above tinyIoU are dropped; boxes scoring
// tinyMinScore or less are not faces (face-api's default scoreThreshold).
const (
	tinyIoU      = 0.4
	tinyMinScore = 0.5
)

// tinyNet is face-api's TinyFaceDetector, a Tiny YOLO v2 with separable
// convolutions: a valid 3×3 convolution to 16 channels, then separable
// 3×3 convolutions of 32 to 512 channels with leaky ReLUs and 2×2 max
// pools (a 416-pixel input gives a 13×13 grid), and a 1×1 convolution to
// 5 anchors × (x, y, w, h, score).
type tinyNet struct {
	conv0T, conv0Bias []float32 // 3×3, "valid", 3 → 16 channels: the HWIO filters transposed (16 rows × 27 columns); 16
	seps              [5]sepConv
	conv8, conv8Bias  []float32 // 512 rows × 25 columns; 25
}

func newTinyNet(ws map[string]tensor) (*tinyNet, error) {
	n := &tinyNet{}
	f, err := lookup(ws, "conv0/filters", 3, 3, 3, 16)
	if err != nil {
		return nil, err
	}
	b, err := lookup(ws, "conv0/bias", 16)
	if err != nil {
		return nil, err
	}
	n.conv0T, n.conv0Bias = transposed(f.data, 3*3*3, 16), slices.Clone(b.data)
	cin := 16
	for i := range n.seps {
		cout := cin * 2
		if n.seps[i], err = newSepConv(ws, fmt.Sprintf("conv%d/", i+1), 1, cin, cout); err != nil {
			return nil, err
		}
		s := &n.seps[i]
		s.pointwiseT, s.pointwise = transposed(s.pointwise, cin, cout), nil // forwardPlanes multiplies from the left
		cin = cout
	}
	if f, err = lookup(ws, "conv8/filters", 1, 1, 512, 5*len(tinyAnchors)); err != nil {
		return nil, err
	}
	if b, err = lookup(ws, "conv8/bias", 5*len(tinyAnchors)); err != nil {
		return nil, err
	}
	n.conv8, n.conv8Bias = slices.Clone(f.data), slices.Clone(b.data)
	return n, nil
}

// tinyBox is a detection of tinyNet: a box in fractions of the square
// input and the face probability.
type tinyBox struct {
	x0, y0, x1, y1 float64
	score          float64
}

// planes is a feature map stored plane by plane: c planes of h×w values,
// each row-major (the NCHW layout for one image). The tiny detector works
// on planes so that its convolutions run along whole rows, as long vector
// operations, with no patch matrix.
type planes struct {
	h, w, c int
	data    []float32
}

// plane returns channel c of p.
func (p planes) plane(c int) []float32 { return p.data[c*p.h*p.w:][:p.h*p.w] }

// axpy adds a·x to y (len(x) == len(y)).
func axpy(a float32, x, y []float32) {
	blas32.Axpy(a, blas32.Vector{N: len(x), Inc: 1, Data: x}, blas32.Vector{N: len(y), Inc: 1, Data: y})
}

// detect runs the network on a square RGB input (a multiple of 32 pixels a
// side) and returns the boxes scoring above minScore, after dropping those
// that overlap a better one (tinyIoU), best first.
func (n *tinyNet) detect(in *image.RGBA, minScore float64) []tinyBox {
	size := in.Rect.Dx()
	x := planes{h: size, w: size, c: 3, data: getFloats(size * size * 3)}
	for y := range size {
		row := in.Pix[y*in.Stride:]
		for px := range size {
			for c := range 3 {
				x.data[(c*size+y)*size+px] = float32((float64(row[4*px+c]) - tinyMeanRGB[c]) / inputScale)
			}
		}
	}
	// Leaky ReLU is increasing, so it commutes with the max pools: it runs
	// on the pooled maps, a quarter of the values.
	next := func(y planes) {
		putFloats(x.data)
		x = y
	}
	next(n.conv0Pooled(x))
	leakyInPlace(x.data)
	for i := range n.seps {
		stride := 2
		if i == len(n.seps)-1 {
			stride = 1
		}
		next(n.seps[i].forwardPlanes(x))
		next(maxPool2(x, stride))
		leakyInPlace(x.data)
	}
	defer putFloats(x.data)
	cells := x.h
	var boxes []tinyBox
	out := make([]float32, len(n.conv8Bias))
	for cell := range cells * cells {
		copy(out, n.conv8Bias)
		for ci := range x.c {
			v := x.data[ci*cells*cells+cell]
			for co, f := range n.conv8[ci*len(out):][:len(out)] {
				out[co] += v * f
			}
		}
		row, col := float64(cell/cells), float64(cell%cells)
		for a, anchor := range tinyAnchors {
			o := out[5*a:][:5]
			score := sigmoid(float64(o[4]))
			if score <= minScore {
				continue
			}
			cx, cy := (col+sigmoid(float64(o[0])))/float64(cells), (row+sigmoid(float64(o[1])))/float64(cells)
			w, h := math.Exp(float64(o[2]))*anchor[0]/float64(cells), math.Exp(float64(o[3]))*anchor[1]/float64(cells)
			boxes = append(boxes, tinyBox{x0: cx - w/2, y0: cy - h/2, x1: cx + w/2, y1: cy + h/2, score: score})
		}
	}
	slices.SortStableFunc(boxes, func(a, b tinyBox) int { return cmp.Compare(b.score, a.score) })
	var kept []tinyBox
	for _, b := range boxes {
		if !slices.ContainsFunc(kept, func(k tinyBox) bool { return iou(b, k) > tinyIoU }) {
			kept = append(kept, b)
		}
	}
	return kept
}

// conv0Bands is the number of output row pairs conv0Pooled computes at a
// time (for a 416-pixel input, 27 × 8 × 414 im2col values, 358 KB, and
// 16 × 8 × 414 outputs, 212 KB). Of 1, 2, 4, 8 and 16, 4 gave the fastest
// 416-pixel pass on vek (31.6, 29.7, 29.4, 30.7 and 32.7 ms, median of 4
// interleaved runs of BenchmarkTinyDetector/416, one core); on gonum 2–16
// were within 1 ms of each other (1 is slower there: its 414-value rows
// are under axpyMinN).
const conv0Bands = 4

// conv0Pooled is the first layer, a 3×3 "valid" convolution plus bias,
// followed by the 2×2 stride-2 max pool, a band of conv0Bands row pairs
// at a time: the band's k·k·cin shifted input rows (im2col) times the
// filters is one matrix product (gemm), and each pair of rows is pooled
// as soon as its band is computed, so the full-size output is never
// stored.
func (n *tinyNet) conv0Pooled(x planes) planes {
	const k, cin, cout = 3, 3, 16
	oh, ow := x.h-k+1, x.w-k+1
	ph, pw := (oh+1)/2, (ow+1)/2
	out := planes{h: ph, w: pw, c: cout, data: getFloats(ph * pw * cout)}
	cols := getFloats(k * k * cin * 2 * conv0Bands * ow)
	defer putFloats(cols)
	conv := getFloats(cout * 2 * conv0Bands * ow)
	defer putFloats(conv)
	for py0 := 0; py0 < ph; py0 += conv0Bands {
		// Conv rows oy0 … oy0+rows−1; an odd last row is pooled with itself.
		oy0, rows := 2*py0, min(2*conv0Bands, oh-2*py0)
		m := rows * ow
		for ky := range k {
			for kx := range k {
				for ci := range cin {
					dst := cols[((ky*k+kx)*cin+ci)*m:][:m]
					in := x.plane(ci)
					for r := range rows {
						copy(dst[r*ow:][:ow], in[(oy0+r+ky)*x.w+kx:][:ow])
					}
				}
			}
		}
		c := conv[:cout*m]
		gemm(cout, m, k*k*cin, n.conv0T, cols[:k*k*cin*m], c)
		for co := range cout {
			band, o, b := c[co*m:][:m], out.plane(co), n.conv0Bias[co]
			for i := range band {
				band[i] += b
			}
			for r := 0; r < rows; r += 2 {
				next := min(r+1, rows-1)
				pool2Row(o[(py0+r/2)*pw:][:pw], band[r*ow:][:ow], band[next*ow:][:ow], 2)
			}
		}
	}
	return out
}

// forwardPlanes is forward (stride 1) on planes: the depthwise
// convolution row by row, then the pointwise one as one matrix product
// (the cout×cin transposed pointwise filters times the cin×(h·w) input)
// and the bias.
func (s *sepConv) forwardPlanes(x planes) planes {
	dw := planes{h: x.h, w: x.w, c: x.c, data: getFloats(len(x.data))}
	defer putFloats(dw.data)
	clear(dw.data)
	w := x.w
	for c := range x.c {
		in, o := x.plane(c), dw.plane(c)
		for oy := range x.h {
			row := o[oy*w:][:w]
			for ky := range 3 {
				iy := oy + ky - 1 // "same" padding of 1 at each side
				if iy < 0 || iy >= x.h {
					continue
				}
				src := in[iy*w:][:w]
				f := s.depthwise[ky*3*s.cin+c:]
				axpy(f[0], src[:w-1], row[1:])
				axpy(f[s.cin], src, row)
				axpy(f[2*s.cin], src[1:], row[:w-1])
			}
		}
	}
	hw := x.h * x.w
	out := planes{h: x.h, w: x.w, c: s.cout, data: getFloats(hw * s.cout)}
	gemm(s.cout, hw, s.cin, s.pointwiseT, dw.data, out.data)
	for co, b := range s.bias {
		o := out.plane(co)
		for i := range o {
			o[i] += b
		}
	}
	return out
}

// iou is the intersection over union of two boxes.
func iou(a, b tinyBox) float64 {
	iw := max(0, min(a.x1, b.x1)-max(a.x0, b.x0))
	ih := max(0, min(a.y1, b.y1)-max(a.y0, b.y0))
	inter := iw * ih
	return inter / ((a.x1-a.x0)*(a.y1-a.y0) + (b.x1-b.x0)*(b.y1-b.y0) - inter)
}

func sigmoid(v float64) float64 { return 1 / (1 + math.Exp(-v)) }

// leakyInPlace is face-api's leaky ReLU: max(x, 0.1·x).
func leakyInPlace(v []float32) {
	const slope = float32(0.1) // face-api's 0.10000000149011612
	for i, x := range v {
		v[i] = max(x, slope*x)
	}
}

// maxPool2 is a 2×2 max pool with TensorFlow "same" padding, plane by
// plane: the padded cells (at the bottom and right) never win.
func maxPool2(x planes, stride int) planes {
	oh, ow := (x.h+stride-1)/stride, (x.w+stride-1)/stride
	out := planes{h: oh, w: ow, c: x.c, data: getFloats(oh * ow * x.c)}
	for c := range x.c {
		in, o := x.plane(c), out.plane(c)
		for y := range oh {
			y0, y1 := y*stride, min(y*stride+1, x.h-1)
			pool2Row(o[y*ow:][:ow], in[y0*x.w:][:x.w], in[y1*x.w:][:x.w], stride)
		}
	}
	return out
}

// pool2Row sets d to the 2×2 maxima of the input rows r0 and r1 at the
// given stride, the padded column at the right never winning.
func pool2Row(d, r0, r1 []float32, stride int) {
	for px := range d {
		x0, x1 := px*stride, min(px*stride+1, len(r0)-1)
		d[px] = max(r0[x0], r0[x1], r1[x0], r1[x1])
	}
}
