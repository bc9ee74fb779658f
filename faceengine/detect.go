package faceengine

import (
	"cmp"
	_ "embed" // the pigo cascades
	"fmt"
	"image"
	"math"
	"slices"

	pigo "github.com/esimov/pigo/core"
)

// The face cascade ships with pigo v1.4.6 (see cascade/README.md).
//
//go:embed cascade/facefinder
var faceCascadeFile []byte

// BoundingBox locates a face like Amazon Rekognition's BoundingBox: the
// top-left corner and the size, each as a ratio of the width (Left, Width)
// or height (Top, Height) of the oriented image.
type BoundingBox struct {
	Left, Top, Width, Height float64 // ratios, see the type's comment
}

// Point is a position in pixels of the oriented image, X to the right and Y
// down from its top-left corner, pixel (i, j) being centred on (i, j).
type Point struct {
	X, Y float64 // pixels, see the type's comment
}

// Detection is one detected face.
type Detection struct {
	// BoundingBox locates the face (ratios of the oriented image).
	BoundingBox BoundingBox
	// Confidence, 0–100, is 100·(1 − 2^(−q/minFaceScore)) for the summed
	// pigo cascade score q of the face's cluster: 50 at the acceptance
	// threshold, 75 at twice it, about 99.9 at ten times it. It is monotone
	// in q; it is not a calibrated probability.
	Confidence float64
	// LeftEye and RightEye are the eye centres on the left and right of
	// the image (the subject's right and left eyes on a frontal face): the
	// means of Landmarks 36–41 and 42–47.
	LeftEye, RightEye Point
	// Landmarks are the 68 points of the face (see NumLandmarks for their
	// order), in pixels of the oriented image, from face-api's
	// FaceLandmark68Net run on the box; Descriptor aligns the face on
	// them.
	Landmarks [NumLandmarks]Point
}

// Detection settings, tuned on examples/photos (photos of at most 640 px,
// faces of 70–290 px): every face found once and nothing else.
const (
	// minFaceFrac and maxFaceFrac bound the face side relative to the
	// shorter image side: faces under a tenth of it are not searched for.
	// minFacePixels is the smallest window (pigo's tool defaults to 20).
	minFaceFrac   = 0.1
	maxFaceFrac   = 1.0
	minFacePixels = 20
	// shiftFactor is the step of the scanning window as a fraction of its
	// side; scaleFactor the ratio between successive window sizes.
	shiftFactor = 0.1
	scaleFactor = 1.1
	// clusterIoU is the intersection over union above which pigo merges
	// raw detections into one cluster (pigo's tool defaults to 0.15).
	clusterIoU = 0.2
	// minFaceScore is the least summed cascade score of a kept cluster;
	// on the sample photos faces score 19–102 and other clusters ≤ 2.
	minFaceScore = 8.0
	// maxOverlap drops a cluster whose intersection with a higher-scoring
	// one exceeds this fraction of the smaller box's area. Intersection
	// over the smaller area, rather than over the union, also removes the
	// small boxes that pigo places inside a face (on the chin or an eye).
	maxOverlap = 0.3
)

// detector wraps pigo's face cascade. It is immutable and safe for
// concurrent use.
type detector struct {
	faces *pigo.Pigo
}

func newDetector() (*detector, error) {
	faces, err := pigo.NewPigo().Unpack(faceCascadeFile)
	if err != nil {
		return nil, fmt.Errorf("faceengine: face cascade: %w", err)
	}
	return &detector{faces: faces}, nil
}

// detect finds upright frontal faces in img and returns them sorted by box
// size, largest first.
func (d *detector) detect(img *image.RGBA) []Detection {
	g := toGray(img)
	short := min(g.w, g.h)
	params := pigo.CascadeParams{
		MinSize:     max(minFacePixels, int(minFaceFrac*float64(short))),
		MaxSize:     int(maxFaceFrac * float64(short)),
		ShiftFactor: shiftFactor,
		ScaleFactor: scaleFactor,
		ImageParams: pigo.ImageParams{Pixels: g.pix, Rows: g.h, Cols: g.w, Dim: g.w},
	}
	if params.MinSize > params.MaxSize {
		return nil
	}
	clusters := d.faces.ClusterDetections(d.faces.RunCascade(params, 0), clusterIoU)
	clusters = slices.DeleteFunc(clusters, func(c pigo.Detection) bool { return c.Q < minFaceScore })
	slices.SortStableFunc(clusters, func(a, b pigo.Detection) int { return cmp.Compare(b.Q, a.Q) })
	var kept []pigo.Detection
	for _, c := range clusters {
		if !slices.ContainsFunc(kept, func(k pigo.Detection) bool { return overlap(c, k) > maxOverlap }) {
			kept = append(kept, c)
		}
	}
	slices.SortStableFunc(kept, func(a, b pigo.Detection) int { return b.Scale - a.Scale })
	out := make([]Detection, len(kept))
	for i, c := range kept {
		s := float64(c.Scale)
		out[i] = Detection{
			BoundingBox: BoundingBox{
				Left:   (float64(c.Col) - s/2) / float64(g.w),
				Top:    (float64(c.Row) - s/2) / float64(g.h),
				Width:  s / float64(g.w),
				Height: s / float64(g.h),
			},
			Confidence: 100 * (1 - math.Exp2(-float64(c.Q)/minFaceScore)),
		}
	}
	return out
}

// overlap returns the intersection area of two square pigo boxes divided by
// the area of the smaller one.
func overlap(a, b pigo.Detection) float64 {
	side := func(c1, s1, c2, s2 int) float64 {
		lo := max(float64(c1)-float64(s1)/2, float64(c2)-float64(s2)/2)
		hi := min(float64(c1)+float64(s1)/2, float64(c2)+float64(s2)/2)
		return max(hi-lo, 0)
	}
	inter := side(a.Row, a.Scale, b.Row, b.Scale) * side(a.Col, a.Scale, b.Col, b.Scale)
	small := float64(min(a.Scale, b.Scale))
	return inter / (small * small)
}

// grayImage is an 8-bit luma raster, row-major, w·h bytes.
type grayImage struct {
	w, h int
	pix  []uint8
}

// toGray converts to luma with the ITU-R BT.601 weights (0.299, 0.587,
// 0.114) in 16.16 fixed point, as pigo's RgbToGrayscale does in floating
// point.
func toGray(img *image.RGBA) *grayImage {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	g := &grayImage{w: w, h: h, pix: make([]uint8, w*h)}
	for y := range h {
		row := img.Pix[y*img.Stride:]
		for x := range w {
			p := row[4*x : 4*x+3]
			g.pix[y*w+x] = uint8((19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2])) >> 16)
		}
	}
	return g
}
