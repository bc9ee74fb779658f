package faceengine

import (
	"image"

	"github.com/facerec/facerec-cdk/internal/imageio"
)

// Engine detects faces and computes their descriptors. It is immutable
// after New and safe for concurrent use.
type Engine struct {
	det *detector
	lm  *landmarkNet
	net *network
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
// otherwise from the directory modelDir. It also loads the embedded pigo
// face cascade and face-api's FaceLandmark68Net (always the embedded
// copy). It fails when a file is missing or a tensor is absent or
// misshapen; the embedded model always loads.
func New(modelDir string) (*Engine, error) {
	det, err := newDetector()
	if err != nil {
		return nil, err
	}
	lws, err := loadWeights(modelFS(""), landmarkManifest)
	if err != nil {
		return nil, err
	}
	lm, err := newLandmarkNet(lws)
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
	return &Engine{det: det, lm: lm, net: net}, nil
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
// largest box first, each with its 68 landmarks and eye centres. Only
// upright frontal faces at least a tenth of the shorter image side are
// found: pigo's cascade is trained on upright frontal faces and is run
// without its in-plane rotation search, so profiles and strongly tilted
// heads are missed (an accepted limitation).
func (e *Engine) Detect(img image.Image) []Detection {
	m := imageio.ToRGBA(img)
	dets := e.det.detect(m)
	for i := range dets {
		e.locate(m, &dets[i])
	}
	return dets
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
	dets := e.det.detect(m)
	faces := make([]Face, len(dets))
	for i, d := range dets {
		e.locate(m, &d)
		desc, err := e.describe(m, d)
		if err != nil {
			return nil, err
		}
		faces[i] = Face{Detection: d, Descriptor: desc}
	}
	return faces, nil
}

// landmarkCropScale is the side of the square crop the landmark network
// reads, as a multiple of the side of pigo's box, centred on the box.
const landmarkCropScale = 1.2

// landmarkCrop returns the landmarkInput-sided square crop of m the
// landmark network reads for the box b: landmarkCropScale times the box's
// longer side, centred on it; and the crop's top-left corner and side in
// pixels of m.
func landmarkCrop(m *image.RGBA, b BoundingBox) (crop *image.RGBA, x0, y0, side float64) {
	w, h := float64(m.Rect.Dx()), float64(m.Rect.Dy())
	side = landmarkCropScale * max(b.Width*w, b.Height*h)
	x0 = (b.Left+b.Width/2)*w - side/2
	y0 = (b.Top+b.Height/2)*h - side/2
	// Crop draw coordinate q shows image draw coordinate (x0, y0) + 0.5 + q·side/landmarkInput.
	return warp(m, complex(side/landmarkInput, 0), complex(x0+0.5, y0+0.5), landmarkInput), x0, y0, side
}

// locate fills d's Landmarks and eyes: it runs the landmark network on
// landmarkCrop of d's box.
func (e *Engine) locate(m *image.RGBA, d *Detection) {
	crop, x0, y0, side := landmarkCrop(m, d.BoundingBox)
	var left, right Point
	for i, p := range e.lm.landmarks(crop) {
		q := Point{X: x0 + p.X*side, Y: y0 + p.Y*side}
		d.Landmarks[i] = q
		switch {
		case i >= 36 && i <= 41:
			left.X, left.Y = left.X+q.X/6, left.Y+q.Y/6
		case i >= 42 && i <= 47:
			right.X, right.Y = right.X+q.X/6, right.Y+q.Y/6
		}
	}
	d.LeftEye, d.RightEye = left, right
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
