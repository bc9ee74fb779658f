package faceengine

import (
	"image"

	"github.com/facerec/facerec-cdk/internal/imageio"
)

// Engine detects faces and computes their descriptors. It is immutable
// after New and safe for concurrent use.
type Engine struct {
	det *detector
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
// cascades. It fails when a file is missing or a tensor is absent or
// misshapen; the embedded model always loads.
func New(modelDir string) (*Engine, error) {
	det, err := newDetector()
	if err != nil {
		return nil, err
	}
	ws, err := loadWeights(modelFS(modelDir))
	if err != nil {
		return nil, err
	}
	net, err := newNetwork(ws)
	if err != nil {
		return nil, err
	}
	return &Engine{det: det, net: net}, nil
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

// Detect returns the faces in img (Decode's output or any image.Image), largest box first. Only upright frontal faces at least a
// tenth of the shorter image side are found: pigo's cascade is trained on
// upright frontal faces and is run without its in-plane rotation search,
// so profiles and strongly tilted heads are missed (an accepted
// limitation).
func (e *Engine) Detect(img image.Image) []Detection {
	return e.det.detect(imageio.ToRGBA(img))
}

// Descriptor computes the descriptor of the face d found in img (by
// Detect, on the same image): it aligns the face on d's eyes to a 150×150
// chip and runs the network on it. It fails only when d's eye positions
// coincide or are not finite.
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
		desc, err := e.describe(m, d)
		if err != nil {
			return nil, err
		}
		faces[i] = Face{Detection: d, Descriptor: desc}
	}
	return faces, nil
}

func (e *Engine) describe(m *image.RGBA, d Detection) (Descriptor, error) {
	chip, err := alignChip(m, d.LeftEye, d.RightEye)
	if err != nil {
		return Descriptor{}, err
	}
	return e.net.describe(chip), nil
}
