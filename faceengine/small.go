package faceengine

import (
	"cmp"
	"fmt"
	"image"
	"math"
	"slices"

	pigo "github.com/esimov/pigo/core"
)

// The small-face pass: the tiny face detector reads the whole image at
// 416 pixels a side, so in a 1920-pixel photo it misses faces under about
// 100–160 pixels (testdata/devset/RESULTS.md, "pasted"), while Rekognition
// finds faces down to 40×40 pixels in a 1920×1080 image ("Guidelines and
// quotas", Amazon Rekognition Developer Guide). Running the tiny detector
// at full resolution would cost about 165 ms per megapixel (0.17 MP, 28 ms
// at 416 pixels a side: BenchmarkTinyDetector). pigo's face cascade
// (github.com/esimov/pigo v1.4.6, MIT: a pixel-intensity-comparison tree
// cascade after N. Markuš et al., arXiv:1305.4537) scans the image's luma
// for upright frontal faces between smallMinSide and the size the upright
// pass finds, for 20 ms on a plain 1920×1080 image and 50–75 ms on the dev
// split's 1920-pixel group photos (BenchmarkSmallFaces, one core). Its
// clusters are proposals only: each is looked at again by the tiny
// detector, upright, on a square smallVerifySpan times its side (verify),
// is a face only when that look scores above MinConfidence (its only
// score, so the threshold every face's Confidence meets) and passes
// minEyeShare as every face does, and takes that look's box and the
// landmarks located in it.
//
// The settings were chosen on the sample portraits pasted into a grey
// 1920×1080 image at 40–80 pixels, moved by up to 12 pixels (which moves
// the faces against the cascade's scan grid), and on the dev split's
// group photos (their backgrounds and the cascade's time):
//
//   - smallMinSide: the smallest window, in pixels of a 1920×1080 image,
//     and proportionally larger (by the square root of the pixel counts'
//     ratio) in a larger one, as Rekognition's rule has it, which also
//     bounds the cascade's cost whatever the image's size: 40, as
//     Rekognition's, since pigo's window for a face labelled 40 pixels
//     wide (brow to chin) is 48–64 pixels.
//   - smallMaxShare: the largest window, as a share of the image's longer
//     side: 1/12 (160 pixels in a 1920-pixel photo), the width down to
//     which the upright pass found every pasted dev portrait; the pass does
//     not run when that is under smallMinSide (images of under 480
//     pixels, where the upright pass reads faces of 40 pixels at 35 or
//     more).
//   - smallShift and smallScale: the window moves by 12% of its side and
//     grows by 20% per scale. The four sample portraits pasted with faces
//     40–80 pixels wide at ten shifts each (BenchmarkSmallFacesPlaced, 160
//     images) are all found, the cascade's lowest cluster score for them
//     5.6; at 15% it scored two of them 0 (missed), and at 10% it costs
//     93 ms per dev group photo instead of 68. pigo's command line's
//     defaults (10%, 10%), from windows of 24 pixels, cost 140–690 ms.
//   - smallClusterIoU: pigo merges windows overlapping by more than this
//     into one cluster (its command line's default is 0.2).
//   - smallMinQ: the least summed cascade score of a cluster worth a
//     second look (the lowest score of a pasted face above).
//   - smallVerifySpan: the second look's square, as a multiple of the
//     window's side: 2.5, where the pasted 40- and 50-pixel faces scored
//     0.80–0.92 in that look; with verifySpan's 2 some scored 0.51 or 0.
//   - maxSmallRejects and maxSmallProposals bound the pass's cost: once
//     maxSmallRejects proposals of an image were found not to be faces
//     (by the second look or by minEyeShare; each costs a second look,
//     about 5 ms, and one that passes it a landmark run, about 10 ms
//     more), or maxSmallProposals were looked at, the rest (the
//     lower-scoring ones) are not. The dev group photos gave 0–2 proposals
//     each; 100 is the most faces Rekognition's DetectFaces returns
//     (Amazon Rekognition API Reference, DetectFaces).
//   - smallNested: a proposal whose centre lies in an accepted face's box
//     is dropped (a part of that face, or that face again) unless the box
//     is more than this many times as wide as the proposal: a small face
//     inside a large face's box (a photo held up, a badge, a picture in the
//     picture: TestSmallFaceInsideAFace), or inside a whole pasted photo
//     that a coarse pass read as one face, is still looked at. On the
//     pasted dev portraits a face's accepted box was under twice as wide
//     as the cascade's window on it, so 3 leaves a margin.
const (
	smallMinSide      = 40
	smallMaxShare     = 1.0 / 12
	smallShift        = 0.12
	smallScale        = 1.2
	smallClusterIoU   = 0.2
	smallMinQ         = 5
	smallVerifySpan   = 2.5
	maxSmallRejects   = 8
	maxSmallProposals = 100
	smallNested       = 3.0
)

// newCascade unpacks pigo's face cascade, embedded unchanged from
// github.com/esimov/pigo v1.4.6 (model/README.md).
func newCascade() (*pigo.Pigo, error) {
	b, err := embeddedModel.ReadFile("model/" + cascadeFile)
	if err != nil {
		return nil, err
	}
	c, err := pigo.NewPigo().Unpack(b)
	if err != nil {
		return nil, fmt.Errorf("faceengine: %s: %w", cascadeFile, err)
	}
	return c, nil
}

// smallFaces returns the cascade's proposals for faces of m smaller than
// the upright pass finds, as squares (centre and side, pixels of m), best
// first; see the settings above.
func (e *Engine) smallFaces(m *image.RGBA) []region {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	minSide := int(math.Ceil(smallMinSide * max(1, math.Sqrt(float64(w*h)/(1920*1080)))))
	maxSide := int(smallMaxShare * float64(max(w, h)))
	if maxSide < minSide {
		return nil
	}
	params := pigo.CascadeParams{
		MinSize:     minSide,
		MaxSize:     maxSide,
		ShiftFactor: smallShift,
		ScaleFactor: smallScale,
		ImageParams: pigo.ImageParams{Pixels: luma(m), Rows: h, Cols: w, Dim: w},
	}
	clusters := e.cascade.ClusterDetections(e.cascade.RunCascade(params, 0), smallClusterIoU)
	clusters = slices.DeleteFunc(clusters, func(c pigo.Detection) bool { return c.Q < smallMinQ })
	slices.SortStableFunc(clusters, func(a, b pigo.Detection) int { return cmp.Compare(b.Q, a.Q) })
	out := make([]region, len(clusters))
	for i, c := range clusters {
		out[i] = region{c: complex(float64(c.Col), float64(c.Row)), side: float64(c.Scale), turn: 1}
	}
	return out
}

// luma returns m's luma, one byte per pixel row by row, with ITU-R BT.601
// weights (0.299, 0.587, 0.114) in 16.16 fixed point, rounded; within one
// level of pigo's own RgbToGrayscale (the pass's settings were measured
// with this function). pigo's reads each pixel through image.Image's At,
// an allocation per pixel: 37 ms and 2 million allocations for a
// 1920×1080 image against 3.9 ms and one here (one core).
func luma(m *image.RGBA) []uint8 {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	g := make([]uint8, w*h)
	for y := range h {
		row := m.Pix[y*m.Stride:][:4*w]
		for x := range w {
			p := row[4*x : 4*x+3 : 4*x+3]
			g[y*w+x] = uint8((19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2]) + 1<<15) >> 16)
		}
	}
	return g
}
