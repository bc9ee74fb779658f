package faceengine

import (
	"fmt"
	"image"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// landmarkInput is the side, in pixels, of the square RGB crop the
// landmark network reads (face-api's FaceLandmark68Net takes 112×112).
const landmarkInput = 112

// NumLandmarks is the number of points Detection.Landmarks holds: the 68
// points of the iBUG 300-W markup (as dlib's shape_predictor_68 and
// face-api's FaceLandmark68Net use it): 0–16 the jaw from the image's left
// to its right, 17–21 and 22–26 the eyebrows, 27–30 the nose bridge,
// 31–35 the nostrils, 36–41 and 42–47 the eyes (on the image's left, then
// right), 48–67 the mouth (48 and 54 its corners).
const NumLandmarks = 68

// sepConv is TensorFlow's separableConv2d (a 3×3 depthwise convolution,
// then a 1×1 pointwise one) plus a bias, as face-api's
// depthwiseSeparableConv computes it.
type sepConv struct {
	stride    int
	cin, cout int
	depthwise []float32 // 3·3·cin, HWC
	pointwise []float32 // cin rows × cout columns, for forward; nil in the tiny detector
	// pointwiseT is pointwise transposed (cout rows × cin columns), for
	// forwardPlanes; only the tiny detector sets it.
	pointwiseT []float32
	bias       []float32 // cout
}

// denseBlock is face-api's denseBlock4: conv0 (a plain 3×3 convolution in
// the first block, separable in the others; stride 2) and three separable
// 3×3 convolutions, each fed the ReLU of the sum of the outputs before it.
type denseBlock struct {
	first        bool
	conv0Filters []float32 // first block: 3·3·cin rows × cout columns, HWIO
	conv0        sepConv   // other blocks
	convs        [3]sepConv
	cout         int
}

// landmarkNet is face-api's FaceLandmark68Net: four dense blocks of 32,
// 64, 128 and 256 channels (112 → 56 → 28 → 14 → 7 pixels), a 7×7 average
// pool and a 256→136 fully connected layer giving the 68 points as x, y
// fractions of the input square.
type landmarkNet struct {
	blocks [4]denseBlock
	fcW    []float32 // 256 rows × 136 columns
	fcB    []float32
}

func newLandmarkNet(ws map[string]tensor) (*landmarkNet, error) {
	n := &landmarkNet{}
	cin := 3
	for i, cout := range []int{32, 64, 128, 256} {
		b := &n.blocks[i]
		b.cout = cout
		p := fmt.Sprintf("dense%d/", i)
		var err error
		if i == 0 {
			b.first = true
			f, e := lookup(ws, p+"conv0/filters", 3, 3, cin, cout)
			if e != nil {
				return nil, e
			}
			b.conv0Filters = slices.Clone(f.data)
			bias, e := lookup(ws, p+"conv0/bias", cout)
			if e != nil {
				return nil, e
			}
			b.conv0.bias = slices.Clone(bias.data)
		} else if b.conv0, err = newSepConv(ws, p+"conv0/", 2, cin, cout); err != nil {
			return nil, err
		}
		for j := range b.convs {
			if b.convs[j], err = newSepConv(ws, fmt.Sprintf("%sconv%d/", p, j+1), 1, cout, cout); err != nil {
				return nil, err
			}
		}
		cin = cout
	}
	w, err := lookup(ws, "fc/weights", 256, 2*NumLandmarks)
	if err != nil {
		return nil, err
	}
	b, err := lookup(ws, "fc/bias", 2*NumLandmarks)
	if err != nil {
		return nil, err
	}
	n.fcW, n.fcB = slices.Clone(w.data), slices.Clone(b.data)
	return n, nil
}

func newSepConv(ws map[string]tensor, prefix string, stride, cin, cout int) (sepConv, error) {
	dw, err := lookup(ws, prefix+"depthwise_filter", 3, 3, cin, 1)
	if err != nil {
		return sepConv{}, err
	}
	pw, err := lookup(ws, prefix+"pointwise_filter", 1, 1, cin, cout)
	if err != nil {
		return sepConv{}, err
	}
	b, err := lookup(ws, prefix+"bias", cout)
	if err != nil {
		return sepConv{}, err
	}
	return sepConv{stride: stride, cin: cin, cout: cout, depthwise: slices.Clone(dw.data), pointwise: slices.Clone(pw.data), bias: slices.Clone(b.data)}, nil
}

// landmarks runs the network on a landmarkInput-sided square RGB crop and
// returns the 68 points as fractions of its side.
func (n *landmarkNet) landmarks(crop *image.RGBA) [NumLandmarks]Point {
	x := fmap{h: landmarkInput, w: landmarkInput, c: 3, data: getFloats(landmarkInput * landmarkInput * 3)}
	for y := range landmarkInput {
		row := crop.Pix[y*crop.Stride:]
		for px := range landmarkInput {
			for c := range 3 {
				x.data[(y*landmarkInput+px)*3+c] = float32((float64(row[4*px+c]) - meanRGB[c]) / inputScale)
			}
		}
	}
	for i := range n.blocks {
		y := n.blocks[i].forward(x)
		putFloats(x.data)
		x = y
	}
	defer putFloats(x.data)
	avg := make([]float32, x.c)
	for i, v := range x.data {
		avg[i%x.c] += v
	}
	out := append([]float32(nil), n.fcB...)
	for i := range avg {
		avg[i] /= float32(x.h * x.w)
	}
	blas32.Gemv(blas.Trans, 1,
		blas32.General{Rows: x.c, Cols: len(out), Stride: len(out), Data: n.fcW},
		blas32.Vector{N: x.c, Inc: 1, Data: avg}, 1,
		blas32.Vector{N: len(out), Inc: 1, Data: out})
	var pts [NumLandmarks]Point
	for i := range pts {
		pts[i] = Point{X: float64(out[2*i]), Y: float64(out[2*i+1])}
	}
	return pts
}

func (b *denseBlock) forward(x fmap) fmap {
	var out1 fmap
	if b.first {
		out1 = conv3x3(x, b.conv0Filters, b.conv0.bias, b.cout, 2)
	} else {
		out1 = b.conv0.forward(x)
	}
	reluInPlace(out1.data)
	sum := out1 // accumulates out1 and the outputs of convs
	in := fmap{h: out1.h, w: out1.w, c: out1.c, data: getFloats(len(out1.data))}
	defer putFloats(in.data)
	for i := range b.convs { // each reads the ReLU of out1 + the outputs so far
		for j, v := range sum.data {
			in.data[j] = max(v, 0)
		}
		o := b.convs[i].forward(in)
		for j, v := range o.data {
			sum.data[j] += v
		}
		putFloats(o.data)
	}
	reluInPlace(sum.data)
	return sum
}

// conv3x3 is a plain 3×3 convolution with TensorFlow "same" padding, HWIO
// filters and a bias.
func conv3x3(x fmap, filters, bias []float32, cout, stride int) fmap {
	oh, pt := samePad(x.h, 3, stride)
	ow, pl := samePad(x.w, 3, stride)
	out := fmap{h: oh, w: ow, c: cout, data: getFloats(oh * ow * cout)}
	for oy := range oh {
		for ox := range ow {
			d := out.data[(oy*ow+ox)*cout:][:cout]
			copy(d, bias)
			for ky := range 3 {
				iy := oy*stride + ky - pt
				if iy < 0 || iy >= x.h {
					continue
				}
				for kx := range 3 {
					ix := ox*stride + kx - pl
					if ix < 0 || ix >= x.w {
						continue
					}
					for ci, v := range x.data[(iy*x.w+ix)*x.c:][:x.c] {
						f := filters[((ky*3+kx)*x.c+ci)*cout:][:cout]
						for co := range d {
							d[co] += v * f[co]
						}
					}
				}
			}
		}
	}
	return out
}

// forward applies the depthwise convolution ("same" padding), then the
// pointwise one as a matrix product, then the bias.
func (s *sepConv) forward(x fmap) fmap {
	dw := depthwise3x3(x, s.depthwise, s.stride)
	defer putFloats(dw.data)
	out := fmap{h: dw.h, w: dw.w, c: s.cout, data: getFloats(dw.h * dw.w * s.cout)}
	gemm(dw.h*dw.w, s.cout, s.cin, dw.data, s.pointwise, out.data)
	addBias(out.data, s.bias)
	return out
}

// depthwise3x3 is TensorFlow's depthwiseConv2d with a 3×3 window, channel
// multiplier 1 and "same" padding: filters holds 3·3·x.c values, HWC. The
// result's data comes from getFloats.
func depthwise3x3(x fmap, filters []float32, stride int) fmap {
	oh, pt := samePad(x.h, 3, stride)
	ow, pl := samePad(x.w, 3, stride)
	out := fmap{h: oh, w: ow, c: x.c, data: getFloats(oh * ow * x.c)}
	clear(out.data)
	for oy := range oh {
		for ox := range ow {
			d := out.data[(oy*ow+ox)*x.c:][:x.c]
			for ky := range 3 {
				iy := oy*stride + ky - pt
				if iy < 0 || iy >= x.h {
					continue
				}
				for kx := range 3 {
					ix := ox*stride + kx - pl
					if ix < 0 || ix >= x.w {
						continue
					}
					f := filters[(ky*3+kx)*x.c:][:x.c]
					for c, v := range x.data[(iy*x.w+ix)*x.c:][:x.c] {
						d[c] += v * f[c]
					}
				}
			}
		}
	}
	return out
}
