package faceengine

import (
	"cmp"
	"fmt"
	"image"
	"math"
	"slices"
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
	conv0            convLayer // 3×3, "valid", 3 → 16 channels
	seps             [5]sepConv
	conv8, conv8Bias []float32 // 512 rows × 25 columns; 25
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
	n.conv0 = convLayer{k: 3, stride: 1, cin: 3, cout: 16, filters: slices.Clone(f.data), bias: slices.Clone(b.data)}
	cin := 16
	for i := range n.seps {
		cout := cin * 2
		if n.seps[i], err = newSepConv(ws, fmt.Sprintf("conv%d/", i+1), 1, cin, cout); err != nil {
			return nil, err
		}
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

// detect runs the network on a square RGB input (a multiple of 32 pixels a
// side) and returns the boxes scoring above minScore, after dropping those
// that overlap a better one (tinyIoU), best first.
func (n *tinyNet) detect(in *image.RGBA, minScore float64) []tinyBox {
	size := in.Rect.Dx()
	x := fmap{h: size, w: size, c: 3, data: make([]float32, size*size*3)}
	for y := range size {
		row := in.Pix[y*in.Stride:]
		for px := range size {
			for c := range 3 {
				x.data[(y*size+px)*3+c] = float32((float64(row[4*px+c]) - tinyMeanRGB[c]) / inputScale)
			}
		}
	}
	cols := colsPool.Get().(*[]float32)
	x = n.conv0.forward(x, false, cols)
	colsPool.Put(cols)
	leakyInPlace(x.data)
	x = maxPool2(x, 2)
	for i := range n.seps {
		x = n.seps[i].forward(x)
		leakyInPlace(x.data)
		stride := 2
		if i == len(n.seps)-1 {
			stride = 1
		}
		x = maxPool2(x, stride)
	}
	cells := x.h
	var boxes []tinyBox
	out := make([]float32, len(n.conv8Bias))
	for cell := range cells * cells {
		copy(out, n.conv8Bias)
		for ci, v := range x.data[cell*x.c:][:x.c] {
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

// maxPool2 is a 2×2 max pool with TensorFlow "same" padding: the padded
// cells (at the bottom and right) never win.
func maxPool2(x fmap, stride int) fmap {
	oh, ow := (x.h+stride-1)/stride, (x.w+stride-1)/stride
	out := fmap{h: oh, w: ow, c: x.c, data: make([]float32, oh*ow*x.c)}
	for y := range oh {
		for px := range ow {
			d := out.data[(y*ow+px)*x.c:][:x.c]
			copy(d, x.data[(y*stride*x.w+px*stride)*x.c:])
			for ky := range 2 {
				for kx := range 2 {
					iy, ix := y*stride+ky, px*stride+kx
					if iy >= x.h || ix >= x.w {
						continue
					}
					for c, v := range x.data[(iy*x.w+ix)*x.c:][:x.c] {
						d[c] = max(d[c], v)
					}
				}
			}
		}
	}
	return out
}
