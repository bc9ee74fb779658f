package faceengine

import (
	"image"
	"math"
	"math/cmplx"

	pigo "github.com/esimov/pigo/core"

	"github.com/facerec/facerec-cdk/internal/imageio"
)

// Engine detects faces and computes their descriptors. It is immutable
// after New and safe for concurrent use.
type Engine struct {
	tiny    *tinyNet
	ssd     *ssdNet
	cascade *pigo.Pigo
	lm      *landmarkNet
	net     *network
}

// Face is a detected face with its descriptor.
type Face struct {
	Detection
	// Descriptor is the face's 128-D descriptor.
	Descriptor Descriptor
}

// New loads the face-api FaceRecognitionNet weights
// (face_recognition_model-weights_manifest.json and the shard it names):
// with modelDir "", the copy embedded in this package (model/README.md);
// otherwise from the directory modelDir. It also loads face-api's
// TinyFaceDetector, FaceLandmark68Net and SsdMobilenetv1, and pigo's face
// cascade for the small-face pass (small.go), always the embedded copies. It fails when a file is missing or a tensor is absent or
// misshapen; the embedded model always loads.
func New(modelDir string) (*Engine, error) {
	lws, err := loadWeights(modelFS(""), landmarkManifest)
	if err != nil {
		return nil, err
	}
	lm, err := newLandmarkNet(lws)
	if err != nil {
		return nil, err
	}
	tws, err := loadWeights(modelFS(""), tinyManifest)
	if err != nil {
		return nil, err
	}
	tiny, err := newTinyNet(tws)
	if err != nil {
		return nil, err
	}
	sws, err := loadWeights(modelFS(""), ssdManifest)
	if err != nil {
		return nil, err
	}
	ssd, err := newSSDNet(sws)
	if err != nil {
		return nil, err
	}
	cascade, err := newCascade()
	if err != nil {
		return nil, err
	}
	ws, err := loadWeights(modelFS(modelDir), manifestFile)
	if err != nil {
		return nil, err
	}
	net, err := newNetwork(ws)
	if err != nil {
		return nil, err
	}
	return &Engine{tiny: tiny, ssd: ssd, cascade: cascade, lm: lm, net: net}, nil
}

// Decode decodes a JPEG or PNG photo upright, with a JPEG's EXIF
// Orientation applied, as Rekognition sees it (and as the service decodes
// photos before cropping faces), so that the boxes Detect returns locate
// faces in the photo as shown. It fails for data that is not a JPEG or
// PNG image or does not decode, and for an image of more than 50
// megapixels (a guard against decompression bombs); the result is an RGBA
// image with bounds starting at (0, 0).
func Decode(data []byte) (*image.RGBA, error) {
	return imageio.DecodeImage(data)
}

// Detect returns the faces in img (Decode's output or any image.Image),
// largest box first, each with its 68 landmarks and eye centres. Faces are
// found by face-api's tiny face detector on a 416×416 copy of the image
// (the longer side scaled to 416 pixels), on two 224×224 copies turned
// by ±45° (heads tilted to ±45° are found) and on one with the image
// shrunk to half its side (faces that fill the frame); each candidate but
// those scoring above 75 and not tilted is looked at again on a copy
// turned so that the head stands upright (see Detection.Confidence), and
// faces with a Confidence above MinConfidence are kept. Faces smaller than
// those passes find (under about a twelfth of the longer side) are
// proposed by pigo's frontal-face cascade, from 40 pixels in a 1920×1080
// image (proportionally more in a larger one), and kept when the tiny
// detector, looking again, scores them above MinConfidence (small.go);
// images of under 480 pixels skip that pass, their 40-pixel faces being
// large enough for the others. Upright, roughly frontal faces are so
// mostly found down to 40 pixels; faces turned aside, or cut close
// around, only from about 100–160 pixels in a 1920×1080 image
// (testdata/devset/RESULTS.md). face-api's SsdMobilenetv1 gives a second
// opinion on a small square about a face: a face of Confidence at most 70
// must pass it, and it finds heads in profile that the tiny detector
// rejects (detect.go).
func (e *Engine) Detect(img image.Image) []Detection {
	return e.detect(imageio.ToRGBA(img))
}

// Descriptor computes the descriptor of the face d found in img (by
// Detect, on the same image): it aligns the face on d's landmarks to a
// 150×150 chip, as dlib does, and runs the network on it. A Detection
// without landmarks (all zero) is aligned on its eyes alone. It fails
// only when those positions coincide or are not finite.
func (e *Engine) Descriptor(img image.Image, d Detection) (Descriptor, error) {
	return e.describe(imageio.ToRGBA(img), d)
}

// Faces detects the faces in img, as Detect does, and computes the
// descriptor of each, as Descriptor does.
func (e *Engine) Faces(img image.Image) ([]Face, error) {
	m := imageio.ToRGBA(img)
	dets := e.detect(m)
	faces := make([]Face, len(dets))
	for i, d := range dets {
		desc, err := e.describe(m, d)
		if err != nil {
			return nil, err
		}
		faces[i] = Face{Detection: d, Descriptor: desc}
	}
	return faces, nil
}

// tinyInputSize is the side of the tiny face detector's input: face-api's
// default, 416 pixels (a 13×13 grid of 32-pixel cells).
const tinyInputSize = 416

// tinyInput returns m scaled and padded as face-api feeds its tiny face
// detector: padded with black at the right or bottom to a square, scaled
// to size pixels a side; and the side of the square in pixels of m.
func tinyInput(m *image.RGBA, size int) (*image.RGBA, float64) {
	side := float64(max(m.Rect.Dx(), m.Rect.Dy()))
	return resample(m, complex(side/float64(size), 0), 0, size), side
}

// landmarkCropScale is the side of the square crop the landmark network
// reads, as a multiple of the longer side of the detector's box, centred
// on the box: 1, as face-api crops the box and pads it to a square.
const landmarkCropScale = 1.0

// region is the square the landmark network reads for a face: side pixels
// a side, centred on the image point c (X + iY), its axes turned by turn
// (a unit complex number: e^{iθ} for a square turned θ clockwise as seen,
// so that a head with Roll θ° stands upright in it).
type region struct {
	c    complex128
	side float64
	turn complex128
}

// boxRegion returns the upright region of the box b of m, as face-api
// crops it: landmarkCropScale times the box's longer side, centred on it.
func boxRegion(m *image.RGBA, b BoundingBox) region {
	w, h := float64(m.Rect.Dx()), float64(m.Rect.Dy())
	return region{
		c:    complex((b.Left+b.Width/2)*w, (b.Top+b.Height/2)*h),
		side: landmarkCropScale * max(b.Width*w, b.Height*h),
		turn: 1,
	}
}

// landmarkCrop returns the landmarkInput-sided square crop of m the
// landmark network reads for the region r, and the similarity u ↦ a·u + z0
// from fractions of the crop's side (u = X + iY, 0–1) to image pixels.
func landmarkCrop(m *image.RGBA, r region) (crop *image.RGBA, a, z0 complex128) {
	a = complex(r.side, 0) * r.turn
	z0 = r.c - a*complex(0.5, 0.5)
	// Crop draw coordinate q shows image draw coordinate z0 + 0.5 + q·a/landmarkInput.
	return resample(m, a/landmarkInput, z0+complex(0.5, 0.5), landmarkInput), a, z0
}

// locate fills d's Landmarks, eyes, pose and quality: it runs the landmark
// network on landmarkCrop of r.
func (e *Engine) locate(m *image.RGBA, r region, d *Detection) {
	crop, a, z0 := landmarkCrop(m, r)
	var left, right Point
	for i, p := range e.lm.landmarks(crop) {
		z := z0 + a*complex(p.X, p.Y)
		q := Point{X: real(z), Y: imag(z)}
		d.Landmarks[i] = q
		switch {
		case i >= 36 && i <= 41:
			left.X, left.Y = left.X+q.X/6, left.Y+q.Y/6
		case i >= 42 && i <= 47:
			right.X, right.Y = right.X+q.X/6, right.Y+q.Y/6
		}
	}
	d.LeftEye, d.RightEye = left, right
	d.Pose = pose(&d.Landmarks)
	d.Quality = quality(crop)
}

// pose estimates the head's orientation from its landmarks, as Pose
// describes.
func pose(lm *[NumLandmarks]Point) Pose {
	c := func(p Point) complex128 { return complex(p.X, p.Y) }
	var le, re complex128
	for i := range 6 {
		le += c(lm[36+i]) / 6
		re += c(lm[42+i]) / 6
	}
	eyeLine := re - le
	if eyeLine == 0 {
		return Pose{}
	}
	// In the face's frame (eye line along x), distances across and down.
	unrot := cmplx.Conj(eyeLine) / complex(cmplx.Abs(eyeLine), 0)
	across := func(p, q complex128) float64 { return real((q - p) * unrot) }
	down := func(p, q complex128) float64 { return imag((q - p) * unrot) }
	deg := func(v float64) float64 { return math.Asin(max(-1, min(1, v))) * 180 / math.Pi }
	nose := c(lm[30])
	l, r := across(c(lm[0]), nose), across(nose, c(lm[16]))
	eyes := (le + re) / 2
	lip := down(eyes, c(lm[51]))
	var yaw, pitch float64
	if l+r > 0 {
		yaw = deg((l - r) / (l + r))
	}
	if lip > 0 {
		pitch = deg((meanNoseShare - down(eyes, nose)/lip) / meanNoseShare)
	}
	return Pose{Roll: cmplx.Phase(eyeLine) * 180 / math.Pi, Yaw: yaw, Pitch: pitch}
}

// meanNoseShare is where the nose tip (point 30) lies between the eye line
// and the upper lip (point 51) in dlib's mean face shape, as a fraction of
// that distance.
var meanNoseShare = func() float64 {
	var eyeY float64
	for i := 36; i <= 47; i++ {
		eyeY += meanFaceY[i-17] / 12
	}
	return (meanFaceY[30-17] - eyeY) / (meanFaceY[51-17] - eyeY)
}()

// quality measures the brightness and sharpness of a face crop, as Quality
// describes.
func quality(crop *image.RGBA) Quality {
	n := crop.Rect.Dx()
	luma := func(x, y int) float64 {
		p := crop.Pix[y*crop.Stride+4*x:]
		return 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
	}
	var sum, lsum, lsq, count float64
	for y := n / 4; y < 3*n/4; y++ {
		for x := n / 4; x < 3*n/4; x++ {
			v := luma(x, y)
			lap := luma(x-1, y) + luma(x+1, y) + luma(x, y-1) + luma(x, y+1) - 4*v
			sum += v
			lsum += lap
			lsq += lap * lap
			count++
		}
	}
	mean := lsum / count
	return Quality{Brightness: 100 * sum / count / 255, Sharpness: 100 * (1 - math.Exp(-(lsq/count-mean*mean)/500))}
}

func (e *Engine) describe(m *image.RGBA, d Detection) (Descriptor, error) {
	a, b := eyesTransform(d.LeftEye, d.RightEye)
	if d.Landmarks != ([NumLandmarks]Point{}) {
		a, b = landmarkTransform(&d.Landmarks)
	}
	chip, err := alignChip(m, a, b)
	if err != nil {
		return Descriptor{}, err
	}
	return e.net.describe(chip), nil
}
