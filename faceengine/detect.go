package faceengine

import (
	"cmp"
	"image"
	"slices"
)

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
	// Confidence, 0–100, is 100 times the tiny face detector's face
	// probability for the box (the sigmoid of its objectness output);
	// Detect keeps boxes above MinConfidence.
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
	// Pose is the head's orientation estimated from Landmarks.
	Pose Pose
	// Quality is the brightness and sharpness of the face's crop.
	Quality Quality
}

// Pose is a head's orientation in degrees, named as Rekognition's
// FaceDetail.Pose names it. Roll is exact up to the landmarks' error: the
// angle of the line from the image-left eye centre to the other, positive
// when the head leans clockwise as seen (its image-right eye lower). Yaw
// and Pitch are rough geometric estimates from the landmarks, not
// calibrated against measured head angles: Yaw is asin((l − r)/(l + r))
// for the distances l and r, across the face, from the nose tip (point
// 30) to the jaw's ends (points 0 and 16), positive when the face turns
// towards the image's right (the nose nearer the right jaw end is
// negative); Pitch is asin of the relative shift of the nose tip between
// the eye line and the upper lip (point 51) from where dlib's mean face
// has it, positive when the face looks up. Each is 0 for a frontal face.
type Pose struct {
	Roll, Yaw, Pitch float64 // degrees, see the type's comment
}

// Quality is the image quality of a face, named as Rekognition's
// FaceDetail.Quality names it, both 0–100 and measured on the landmark
// network's 112×112 crop of the face: Brightness is the mean luma of the
// crop's central half (100 for white); Sharpness is 100·(1 − e^(−v/500))
// for the variance v of the luma's 4-neighbour Laplacian over that half
// (0 for a flat or blurred face; about 50 at v = 350; 71 and 34 for the
// sample photos obama_1.jpg and the softer collins_1.png). They are this
// engine's own measures, not Rekognition's (which publishes no formula).
type Quality struct {
	Brightness, Sharpness float64 // 0–100, see the type's comment
}

// MinConfidence is the least Confidence of a face Detect returns: 50,
// face-api's default scoreThreshold for its tiny face detector (a face
// probability of one half).
const MinConfidence = 100 * tinyMinScore

// detect finds the faces of m with the tiny face detector on a
// tinyInputSize square copy, clips the boxes to m and returns them largest
// first.
func (e *Engine) detect(m *image.RGBA) []Detection {
	in, side := tinyInput(m, tinyInputSize)
	w, h := float64(m.Rect.Dx()), float64(m.Rect.Dy())
	var out []Detection
	for _, b := range e.tiny.detect(in, tinyMinScore) {
		x0, y0 := max(b.x0*side, 0), max(b.y0*side, 0)
		x1, y1 := min(b.x1*side, w), min(b.y1*side, h)
		if x1 <= x0 || y1 <= y0 {
			continue
		}
		out = append(out, Detection{
			BoundingBox: BoundingBox{Left: x0 / w, Top: y0 / h, Width: (x1 - x0) / w, Height: (y1 - y0) / h},
			Confidence:  100 * b.score,
		})
	}
	slices.SortStableFunc(out, func(a, b Detection) int {
		return cmp.Compare(b.BoundingBox.Width*b.BoundingBox.Height*w*h, a.BoundingBox.Width*a.BoundingBox.Height*w*h)
	})
	return out
}
