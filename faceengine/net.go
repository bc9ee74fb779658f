package faceengine

import (
	"fmt"
	"image"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// chipSize is the side, in pixels, of the aligned RGB face chip that the
// descriptor network reads (dlib_face_recognition_resnet_model_v1 takes
// 150×150 chips).
const chipSize = 150

// meanRGB is subtracted from each 0–255 chip channel before dividing by
// inputScale; both numbers are those of face-api 1.7.15
// (src/faceRecognitionNet/FaceRecognitionNet.ts). dlib's own
// input_rgb_image uses the same means but divides by 256; the weights here
// are face-api's, so face-api's 255 is kept.
var meanRGB = [3]float64{122.782, 117.001, 104.298}

const inputScale = 255

// fmap is a feature map: h×w×c values, row-major in (y, x, channel) order
// (TensorFlow's NHWC layout for one image).
type fmap struct {
	h, w, c int
	data    []float32
}

// convLayer is face-api's convLayer (conv2d + bias, then the "scale" layer,
// which holds dlib's affine layer: x·weights + biases) with the scale folded
// into the filters: y = conv(x, filters·s) + (bias·s + b).
type convLayer struct {
	k, stride int  // square kernel side; stride in both directions
	same      bool // TensorFlow "same" padding or "valid"
	cin, cout int
	filters   weights   // k·k·cin rows × cout columns: the HWIO filters, laid out by newWeights
	bias      []float32 // cout
}

// residualBlock is face-api's residual (down == false) or residualDown
// (down == true): conv1 (ReLU), conv2, a shortcut, a sum and a ReLU. In
// the down variant conv1 has stride 2 and "valid" padding and the shortcut
// is a 2×2 stride-2 average pool, zero-padded in channels when conv2 has
// more of them.
type residualBlock struct {
	conv1, conv2 convLayer
	down         bool
}

// network is the face-api FaceRecognitionNet, a port of dlib's ResNet-29
// face descriptor (dlib_face_recognition_resnet_model_v1): a 7×7/2 conv,
// a 3×3/2 max pool, residual blocks of 32, 64, 128 and 256 channels, a
// global average pool and a 256→128 fully connected layer without bias.
type network struct {
	stem   convLayer
	blocks []residualBlock
	fc     []float32 // 256 rows × 128 columns
}

// blockLayout lists the residual blocks of FaceRecognitionNet in order
// (face-api's FaceRecognitionNet.forwardInput), with their output channels
// and whether each is a "down" block; the names are the tensor prefixes.
var blockLayout = []struct {
	name string
	cout int
	down bool
}{
	{"conv32_1", 32, false}, {"conv32_2", 32, false}, {"conv32_3", 32, false},
	{"conv64_down", 64, true}, {"conv64_1", 64, false}, {"conv64_2", 64, false}, {"conv64_3", 64, false},
	{"conv128_down", 128, true}, {"conv128_1", 128, false}, {"conv128_2", 128, false},
	{"conv256_down", 256, true}, {"conv256_1", 256, false}, {"conv256_2", 256, false},
	{"conv256_down_out", 256, true},
}

// DescriptorSize is the length of a face descriptor.
const DescriptorSize = 128

// newNetwork builds the network from the tensors of a face-api
// face_recognition_model manifest, checking every shape.
func newNetwork(ws map[string]tensor) (*network, error) {
	n := &network{}
	var err error
	if n.stem, err = newConvLayer(ws, "conv32_down", 7, 2, false, 3, 32); err != nil {
		return nil, err
	}
	cin := 32
	for _, b := range blockLayout {
		stride := 1
		if b.down {
			stride = 2
		}
		c1, err := newConvLayer(ws, b.name+"/conv1", 3, stride, !b.down, cin, b.cout)
		if err != nil {
			return nil, err
		}
		c2, err := newConvLayer(ws, b.name+"/conv2", 3, 1, true, b.cout, b.cout)
		if err != nil {
			return nil, err
		}
		n.blocks = append(n.blocks, residualBlock{conv1: c1, conv2: c2, down: b.down})
		cin = b.cout
	}
	fc, err := lookup(ws, "fc", cin, DescriptorSize)
	if err != nil {
		return nil, err
	}
	n.fc = slices.Clone(fc.data)
	return n, nil
}

// newConvLayer folds prefix/conv/{filters,bias} and prefix/scale/{weights,biases}.
func newConvLayer(ws map[string]tensor, prefix string, k, stride int, same bool, cin, cout int) (convLayer, error) {
	f, err := lookup(ws, prefix+"/conv/filters", k, k, cin, cout)
	if err != nil {
		return convLayer{}, err
	}
	var vecs [3]tensor
	for i, name := range []string{"/conv/bias", "/scale/weights", "/scale/biases"} {
		if vecs[i], err = lookup(ws, prefix+name, cout); err != nil {
			return convLayer{}, err
		}
	}
	l := convLayer{k: k, stride: stride, same: same, cin: cin, cout: cout,
		bias: make([]float32, cout)}
	filters := slices.Clone(f.data)
	for i := range filters {
		filters[i] *= vecs[1].data[i%cout]
	}
	l.filters = newWeights(k*k*cin, cout, filters)
	for o := range cout {
		l.bias[o] = vecs[0].data[o]*vecs[1].data[o] + vecs[2].data[o]
	}
	return l, nil
}

// lookup returns the tensor called name after checking its shape.
func lookup(ws map[string]tensor, name string, shape ...int) (tensor, error) {
	t, ok := ws[name]
	if !ok {
		return tensor{}, fmt.Errorf("faceengine: weights have no tensor %q", name)
	}
	if !slices.Equal(t.shape, shape) {
		return tensor{}, fmt.Errorf("faceengine: tensor %q has shape %v, want %v", name, t.shape, shape)
	}
	return t, nil
}

// describe runs the network on a chipSize×chipSize chip and returns the raw
// 128-D output (not normalized, as face-api and dlib return it).
func (n *network) describe(chip *image.RGBA) Descriptor {
	x := fmap{h: chipSize, w: chipSize, c: 3, data: getFloats(chipSize * chipSize * 3)}
	for y := range chipSize {
		row := chip.Pix[y*chip.Stride:]
		for px := range chipSize {
			for c := range 3 {
				x.data[(y*chipSize+px)*3+c] = float32((float64(row[4*px+c]) - meanRGB[c]) / inputScale)
			}
		}
	}
	cols := colsPool.Get().(*[]float32)
	defer colsPool.Put(cols)
	next := func(y fmap) {
		putFloats(x.data)
		x = y
	}
	next(n.stem.forward(x, true, cols))
	next(maxPool3x3s2(x))
	for i := range n.blocks {
		next(n.blocks[i].forward(x, cols))
	}
	defer putFloats(x.data)
	avg := make([]float32, x.c)
	for i, v := range x.data {
		avg[i%x.c] += v
	}
	for i := range avg {
		avg[i] /= float32(x.h * x.w)
	}
	out := make([]float32, DescriptorSize)
	blas32.Gemv(blas.Trans, 1,
		blas32.General{Rows: x.c, Cols: DescriptorSize, Stride: DescriptorSize, Data: n.fc},
		blas32.Vector{N: x.c, Inc: 1, Data: avg}, 0,
		blas32.Vector{N: DescriptorSize, Inc: 1, Data: out})
	var d Descriptor
	for i, v := range out {
		d[i] = float32(v)
	}
	return d
}

// colsPool holds *[]float32 im2col buffers reused across convolutions.
var colsPool = sync.Pool{New: func() any { return new([]float32) }}

// samePad returns TensorFlow's "same" output size and leading padding for
// a k×k window: out = ceil(in/stride), the padding split with the extra
// pixel at the end.
func samePad(in, k, stride int) (out, before int) {
	out = (in + stride - 1) / stride
	return out, max((out-1)*stride+k-in, 0) / 2
}

// colsBudget is the most values the im2col patch matrix holds at once: the
// output is computed in bands of rows whose patches fit (128 KiB of
// float32), so that the patches stay in cache between im2col and the
// matrix product.
const colsBudget = 1 << 15

// forward applies the convolution as im2col followed by matrix products:
// the patch matrix (one row per output pixel, k·k·cin columns in HWC order)
// times the HWIO filter matrix (k·k·cin rows × cout columns) gives the
// output directly in HWC order. The
// patch matrix is built and multiplied one band of output rows at a time
// (colsBudget); scratch holds it and is grown as needed.
func (l *convLayer) forward(x fmap, relu bool, scratch *[]float32) fmap {
	oh, ow := (x.h-l.k)/l.stride+1, (x.w-l.k)/l.stride+1
	pt, pl := 0, 0
	if l.same {
		oh, pt = samePad(x.h, l.k, l.stride)
		ow, pl = samePad(x.w, l.k, l.stride)
	}
	out := fmap{h: oh, w: ow, c: l.cout, data: getFloats(oh * ow * l.cout)}
	if l.k == 1 && l.stride == 1 { // the patch matrix is x itself
		gemmWeights(oh*ow, x.data, l.filters, out.data)
	} else {
		l.im2col(x, out, pt, pl, scratch)
	}
	addBias(out.data, l.bias)
	if relu {
		reluInPlace(out.data)
	}
	return out
}

// im2col computes out (its size set by forward) from x, pt and pl pixels
// of padding before its rows and columns, a band of output rows at a time.
func (l *convLayer) im2col(x, out fmap, pt, pl int, scratch *[]float32) {
	oh, ow := out.h, out.w
	kk := l.k * l.k * l.cin
	band := max(1, colsBudget/(ow*kk))
	if cap(*scratch) < band*ow*kk {
		*scratch = make([]float32, band*ow*kk)
	}
	for oy0 := 0; oy0 < oh; oy0 += band {
		rows := min(band, oh-oy0)
		cols := (*scratch)[:rows*ow*kk]
		clear(cols) // zero where the window leaves x
		for oy := oy0; oy < oy0+rows; oy++ {
			for ox := range ow {
				dst := cols[((oy-oy0)*ow+ox)*kk:]
				for ky := range l.k {
					iy := oy*l.stride + ky - pt
					if iy < 0 || iy >= x.h {
						continue
					}
					for kx := range l.k {
						ix := ox*l.stride + kx - pl
						if ix < 0 || ix >= x.w {
							continue
						}
						src := (iy*x.w + ix) * x.c
						copy(dst[(ky*l.k+kx)*l.cin:][:l.cin], x.data[src:src+x.c])
					}
				}
			}
		}
		gemmWeights(rows*ow, cols, l.filters, out.data[oy0*ow*l.cout:][:rows*ow*l.cout])
	}
}

func (b *residualBlock) forward(x fmap, scratch *[]float32) fmap {
	h := b.conv1.forward(x, true, scratch)
	out := b.conv2.forward(h, false, scratch)
	putFloats(h.data)
	if !b.down {
		for i, v := range x.data {
			out.data[i] += v
		}
		reluInPlace(out.data)
		return out
	}
	// The shortcut: a 2×2 stride-2 "valid" average pool of x. When it is
	// larger than out (odd sizes: 8×8 pools to 4×4 while the 3×3/2 conv
	// gives 3×3), face-api pads out with zeros at the bottom and right.
	ph, pw := (x.h-2)/2+1, (x.w-2)/2+1
	sum := fmap{h: ph, w: pw, c: out.c, data: getFloats(ph * pw * out.c)}
	defer putFloats(out.data)
	clear(sum.data) // the padding channels stay zero
	for y := range ph {
		for px := range pw {
			d := sum.data[(y*pw+px)*out.c:]
			for c := range x.c {
				at := func(dy, dx int) float32 { return x.data[((2*y+dy)*x.w+2*px+dx)*x.c+c] }
				d[c] = (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4
			}
			if y < out.h && px < out.w {
				for c, v := range out.data[(y*out.w+px)*out.c:][:out.c] {
					d[c] += v
				}
			}
		}
	}
	reluInPlace(sum.data)
	return sum
}

// maxPool3x3s2 is a 3×3 max pool with stride 2 and "valid" padding.
func maxPool3x3s2(x fmap) fmap {
	oh, ow := (x.h-3)/2+1, (x.w-3)/2+1
	out := fmap{h: oh, w: ow, c: x.c, data: getFloats(oh * ow * x.c)}
	for y := range oh {
		for px := range ow {
			d := out.data[(y*ow+px)*x.c:][:x.c]
			copy(d, x.data[(2*y*x.w+2*px)*x.c:])
			for ky := range 3 {
				for kx := range 3 {
					for c, v := range x.data[((2*y+ky)*x.w+2*px+kx)*x.c:][:x.c] {
						d[c] = max(d[c], v)
					}
				}
			}
		}
	}
	return out
}

func reluInPlace(v []float32) {
	for i, x := range v {
		v[i] = max(x, 0)
	}
}

// floatsPool holds the networks' feature maps between calls (*[]float32),
// so that a detection or a descriptor reuses the memory of earlier ones
// instead of allocating it (about 25 MB for the tiny detector).
var floatsPool sync.Pool

// getFloats returns a slice of n float32s from floatsPool or a new one; its
// contents are not zeroed.
func getFloats(n int) []float32 {
	if p, ok := floatsPool.Get().(*[]float32); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]float32, n)
}

// putFloats returns v to floatsPool; the caller no longer uses it.
func putFloats(v []float32) { floatsPool.Put(&v) }
