package faceengine

import (
	"cmp"
	"fmt"
	"image"
	"math"
	"math/cmplx"
	"slices"
)

// ssdManifest is the weights manifest of face-api's SsdMobilenetv1, always
// loaded from the embedded model.
const ssdManifest = "ssd_mobilenetv1_model-weights_manifest.json"

// ssdBNEpsilon is the epsilon of the depthwise layers' batch normalisation
// (face-api's mobileNetV1.ts: 0.0010000000474974513, float32 of 1e-3).
const ssdBNEpsilon = 0.0010000000474974513

// ssdIoU is the overlap above which SsdMobilenetv1 drops a box that
// overlaps a better one (face-api's locateFaces: iouThreshold 0.5).
const ssdIoU = 0.5

// ssdMaxResults is face-api's default maxResults for SsdMobilenetv1 (100).
const ssdMaxResults = 100

// ssdDepthwise is one depthwise layer of MobileNet v1: a 3×3 depthwise
// convolution with its batch normalisation folded in (filters scaled by
// γ/√(σ²+ε), then shift = β − μ·γ/√(σ²+ε) added), then ReLU6.
type ssdDepthwise struct {
	stride  int
	filters []float32 // 3·3·c, HWC
	shift   []float32 // c
}

// ssdNet is face-api's SsdMobilenetv1 (TensorFlow's SSD MobileNet v1
// object detector, retrained by face-api.js's author on faces): MobileNet
// v1 (a 3×3/2 convolution and 13 depthwise separable layers, ReLU6, 512 →
// 16 pixels), eight more convolutions down to 1×1, and six box predictors
// (on the feature maps of 32, 16, 8, 4, 2 and 1 pixels a side) giving, for
// each of 5118 priors, a box encoding and a face score.
type ssdNet struct {
	conv0     convLayer
	depthwise [13]ssdDepthwise
	pointwise [13]convLayer
	extra     [8]convLayer
	box       [6]convLayer // 1×1, 4 values per prior of the cell
	class     [6]convLayer // 1×1, 3 values per prior (background, face, unused)
	// anchors are the priors' heights and widths (fractions of the input
	// side) per predictor, 3 for the first and 6 for the others: face-api
	// stores 5118 priors for its 512×512 input (Output/extra_dim), one per
	// anchor and cell, centred on the cells of each predictor's map; the
	// sizes are read from them, and detect centres them on the cells of
	// whatever map size its input gives (TestSSDPriors).
	anchors [6][][2]float32
}

// ssdPriors is the number of priors for the 512×512 input: 32·32·3 + (16²
// + 8² + 4² + 2² + 1)·6, on the predictors' maps of ssdGrid pixels a side.
const ssdPriors = 5118

var ssdGrid = [6]int{32, 16, 8, 4, 2, 1}

// ssdChannels are the output channels of MobileNet v1's 13 pointwise
// layers.
var ssdChannels = [13]int{64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024}

// ssdStride2 reports whether MobileNet's depthwise layer i (1-based, as
// face-api's getStridesForLayerIdx numbers them) has stride 2.
func ssdStride2(i int) bool { return i == 2 || i == 4 || i == 6 || i == 12 }

func newSSDNet(ws map[string]tensor) (*ssdNet, error) {
	n := &ssdNet{}
	var err error
	if n.conv0, err = newPlainConv(ws, "MobilenetV1/Conv2d_0_pointwise/weights", "MobilenetV1/Conv2d_0_pointwise/convolution_bn_offset", 3, 2, 3, 32); err != nil {
		return nil, err
	}
	cin := 32
	for i, cout := range ssdChannels {
		layer := i + 1
		if n.depthwise[i], err = newSSDDepthwise(ws, fmt.Sprintf("MobilenetV1/Conv2d_%d_depthwise/", layer), cin, ssdStride2(layer)); err != nil {
			return nil, err
		}
		p := fmt.Sprintf("MobilenetV1/Conv2d_%d_pointwise/", layer)
		if n.pointwise[i], err = newPlainConv(ws, p+"weights", p+"convolution_bn_offset", 1, 1, cin, cout); err != nil {
			return nil, err
		}
		cin = cout
	}
	extra := []int{256, 512, 128, 256, 128, 256, 64, 128}
	for i, cout := range extra {
		k, stride := 1, 1
		if i%2 == 1 {
			k, stride = 3, 2
		}
		p := fmt.Sprintf("Prediction/Conv2d_%d_pointwise/", i)
		if n.extra[i], err = newPlainConv(ws, p+"weights", p+"convolution_bn_offset", k, stride, cin, cout); err != nil {
			return nil, err
		}
		cin = cout
	}
	for i, cin := range []int{512, 1024, 512, 256, 256, 128} {
		anchors := 6
		if i == 0 {
			anchors = 3
		}
		p := fmt.Sprintf("Prediction/BoxPredictor_%d/", i)
		if n.box[i], err = newPlainConv(ws, p+"BoxEncodingPredictor/weights", p+"BoxEncodingPredictor/biases", 1, 1, cin, 4*anchors); err != nil {
			return nil, err
		}
		if n.class[i], err = newPlainConv(ws, p+"ClassPredictor/weights", p+"ClassPredictor/biases", 1, 1, cin, 3*anchors); err != nil {
			return nil, err
		}
	}
	priors, err := lookup(ws, "Output/extra_dim", 1, ssdPriors, 4)
	if err != nil {
		return nil, err
	}
	off := 0
	for i, g := range ssdGrid {
		a := len(n.class[i].bias) / 3
		for k := range a {
			p := priors.data[4*(off+k):][:4]
			n.anchors[i] = append(n.anchors[i], [2]float32{p[2] - p[0], p[3] - p[1]})
		}
		off += g * g * a
	}
	return n, nil
}

// newPlainConv builds a convolution ("same" padding) from an HWIO filter
// tensor and a bias tensor.
func newPlainConv(ws map[string]tensor, filters, bias string, k, stride, cin, cout int) (convLayer, error) {
	f, err := lookup(ws, filters, k, k, cin, cout)
	if err != nil {
		return convLayer{}, err
	}
	b, err := lookup(ws, bias, cout)
	if err != nil {
		return convLayer{}, err
	}
	return convLayer{k: k, stride: stride, same: true, cin: cin, cout: cout,
		filters: newWeights(k*k*cin, cout, slices.Clone(f.data)), bias: slices.Clone(b.data)}, nil
}

func newSSDDepthwise(ws map[string]tensor, prefix string, c int, stride2 bool) (ssdDepthwise, error) {
	f, err := lookup(ws, prefix+"depthwise_weights", 3, 3, c, 1)
	if err != nil {
		return ssdDepthwise{}, err
	}
	var bn [4]tensor
	for i, name := range []string{"gamma", "beta", "moving_mean", "moving_variance"} {
		if bn[i], err = lookup(ws, prefix+"BatchNorm/"+name, c); err != nil {
			return ssdDepthwise{}, err
		}
	}
	d := ssdDepthwise{stride: 1, filters: slices.Clone(f.data), shift: make([]float32, c)}
	if stride2 {
		d.stride = 2
	}
	scale := make([]float32, c)
	for i := range c {
		scale[i] = bn[0].data[i] / float32(math.Sqrt(float64(bn[3].data[i])+ssdBNEpsilon))
		d.shift[i] = bn[1].data[i] - bn[2].data[i]*scale[i]
	}
	for i := range d.filters {
		d.filters[i] *= scale[i%c]
	}
	return d, nil
}

// clone returns a copy of f whose data comes from getFloats.
func (f fmap) clone() fmap {
	c := fmap{h: f.h, w: f.w, c: f.c, data: getFloats(len(f.data))}
	copy(c.data, f.data)
	return c
}

// relu6InPlace clips every value to [0, 6].
func relu6InPlace(v []float32) {
	for i, x := range v {
		switch {
		case x < 0:
			v[i] = 0
		case x > 6:
			v[i] = 6
		}
	}
}

// ssdBox is a box of SsdMobilenetv1 in fractions of its input square, as
// face-api decodes it (not clipped), with its face score.
type ssdBox struct {
	y0, x0, y1, x1 float64
	score          float64
}

// detect runs the network on a square RGB input (512 pixels a side, as face-
// api's NetInput.toBatchTensor(512, false) scales every input and as its
// priors are laid out; a smaller square runs the same layers on smaller maps,
// with the priors centred on their cells) and returns the boxes, in fractions
// of the square, scoring above minScore, each dropped when it overlaps a
// better one kept by more than ssdIoU, best first, at most ssdMaxResults:
// face-api's SsdMobilenetv1.locateFaces without its final clipping.
func (n *ssdNet) detect(in *image.RGBA, minScore float64) []ssdBox {
	size := in.Rect.Dx()
	x := fmap{h: size, w: size, c: 3, data: getFloats(size * size * 3)}
	for y := range size {
		row := in.Pix[y*in.Stride:]
		for px := range size {
			for c := range 3 {
				x.data[(y*size+px)*3+c] = float32(row[4*px+c])/127.5 - 1
			}
		}
	}
	scratch := colsPool.Get().(*[]float32)
	defer colsPool.Put(scratch)
	next := func(y fmap) {
		putFloats(x.data)
		x = y
	}
	next(n.conv0.forward(x, false, scratch))
	relu6InPlace(x.data)
	var maps [6]fmap // the box predictors' inputs
	for i := range n.depthwise {
		d := &n.depthwise[i]
		next(depthwise3x3(x, d.filters, d.stride))
		addBias(x.data, d.shift)
		relu6InPlace(x.data)
		y := n.pointwise[i].forward(x, false, scratch)
		relu6InPlace(y.data)
		next(y)
		if i == 10 { // layer 11's output feeds the first predictor
			maps[0] = x.clone()
		}
	}
	maps[1] = x.clone()
	for i := range n.extra {
		next(n.extra[i].forward(x, false, scratch))
		relu6InPlace(x.data)
		if i%2 == 1 {
			maps[2+i/2] = x.clone()
		}
	}
	putFloats(x.data)
	var boxes []ssdBox
	for i, m := range maps {
		enc := n.box[i].forward(m, false, scratch)
		cls := n.class[i].forward(m, false, scratch)
		a := len(n.anchors[i])
		for j := range enc.data[:len(enc.data)/4] {
			score := sigmoid(float64(cls.data[3*j+1]))
			if score <= minScore {
				continue
			}
			e := enc.data[4*j:][:4]
			anchor := n.anchors[i][j%a]
			ph, pw := float64(anchor[0]), float64(anchor[1])
			cy, cx := priorCentre(j/a, m.h, m.w)
			cy += float64(e[0]) / 10 * ph
			cx += float64(e[1]) / 10 * pw
			h := math.Exp(float64(e[2])/5) * ph / 2
			w := math.Exp(float64(e[3])/5) * pw / 2
			boxes = append(boxes, ssdBox{y0: cy - h, x0: cx - w, y1: cy + h, x1: cx + w, score: score})
		}
		putFloats(enc.data)
		putFloats(cls.data)
		putFloats(m.data)
	}
	slices.SortStableFunc(boxes, func(a, b ssdBox) int { return cmp.Compare(b.score, a.score) })
	var kept []ssdBox
	for _, b := range boxes {
		if len(kept) == ssdMaxResults {
			break
		}
		if !slices.ContainsFunc(kept, func(k ssdBox) bool { return ssdOverlap(b, k) > ssdIoU }) {
			kept = append(kept, b)
		}
	}
	return kept
}

// priorCentre returns the centre (y, x; fractions of the input) of the
// priors of cell (row-major) of an h×w predictor map.
func priorCentre(cell, h, w int) (y, x float64) {
	return (float64(cell/w) + 0.5) / float64(h), (float64(cell%w) + 0.5) / float64(w)
}

// ssdOverlap is the intersection over union of two boxes, 0 when either
// is empty (face-api's nonMaxSuppression IOU).
func ssdOverlap(a, b ssdBox) float64 {
	areaA := (a.y1 - a.y0) * (a.x1 - a.x0)
	areaB := (b.y1 - b.y0) * (b.x1 - b.x0)
	if areaA <= 0 || areaB <= 0 {
		return 0
	}
	inter := max(min(a.y1, b.y1)-max(a.y0, b.y0), 0) * max(min(a.x1, b.x1)-max(a.x0, b.x0), 0)
	return inter / (areaA + areaB - inter)
}

// ssdScore is face-api's SsdMobilenetv1 (the detector behind face-api's own
// figures, which issue 15 measures this engine against) as a second opinion on
// a face found by the tiny detector: it runs on an ssdLookSize-sided square
// ssdLookSpan times r's side about r's centre, turned by roll degrees so that
// the head stands upright, and returns the best face score of its boxes, after
// detect's suppression of overlapping ones, centred within a quarter of r's
// side of r's centre (0 when there is none; the thresholds were measured so).
// At so small an input the network's boxes are not usable (they keep near its
// smallest priors, whatever the face's size): only the score is used (see
// ssdVetoScore).
func (e *Engine) ssdScore(m *image.RGBA, r region, roll float64) float64 {
	turn := cmplx.Rect(1, roll*math.Pi/180)
	sq := turnedSquare{c: r.c, a: complex(ssdLookSpan*r.side/ssdLookSize, 0) * turn, size: ssdLookSize}
	best := 0.0
	for _, b := range e.ssd.detect(resample(m, sq.a, sq.origin(), ssdLookSize), 0) {
		q := complex((b.x0+b.x1)/2, (b.y0+b.y1)/2) * ssdLookSize
		if cmplx.Abs(sq.origin()+sq.a*q-r.c) < r.side/4 {
			best = max(best, b.score)
		}
	}
	return best
}
