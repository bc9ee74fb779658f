// Package rekognitiontest is a conformance suite for implementations of
// service.Rekognition, in the style of go-cloud's drivertest packages: one
// set of tests, run by each implementation's own test through a Harness,
// pins down the Amazon Rekognition behaviour the service relies on, with
// Rekognition's documented semantics, so that the AWS stand-in
// (internal/awstest) and the engine-backed local implementation (offline)
// are shown to behave alike.
//
// The suite works on the sample photos of examples/photos (see Photos). An
// implementation that recognizes real faces needs nothing more; one that
// is told which faces an image holds (a fixture-driven stand-in) learns
// them from Harness.ShowPhotos.
//
// Errors are checked with errors.As against the SDK's typed errors
// (types.InvalidParameterException and the like), which every
// implementation must return, wrapped or not.
//
// It is test support: only tests import it.
package rekognitiontest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service"
)

// Harness gives the suite an implementation of service.Rekognition to
// test.
type Harness interface {
	// ShowPhotos makes the implementation find in each photo the faces it
	// lists, and match faces of one Person and only those (with a
	// similarity of at least Rekognition's default FaceMatchThreshold, 80,
	// for the same person and below it for others). The suite calls it
	// once, before NewCollection. An implementation that recognizes real
	// faces does nothing.
	ShowPhotos(t *testing.T, photos []Photo)
	// NewCollection returns the implementation and the CollectionId of a
	// new collection in it, without faces or users: each subtest gets its
	// own. What it creates is released by t.Cleanup; it fails t if it
	// cannot create it.
	NewCollection(t *testing.T) (rek service.Rekognition, collectionID string)
}

// Photo is a sample photo of examples/photos and the faces in it.
type Photo struct {
	// Name is the file name in examples/photos.
	Name string
	// Data is the content of the file.
	Data []byte
	// Faces are the faces in the photo, largest first; none for a photo
	// without a face.
	Faces []Face
}

// Face is a face in a Photo.
type Face struct {
	// Person names whose face it is: faces of one Person match, faces of
	// different persons do not.
	Person string
	// Box is where the face is, as ratios of the image width and height
	// (Rekognition's BoundingBox), as the local face engine finds it. The
	// suite wants the centre of every box an implementation reports for
	// the face to lie in it.
	Box types.BoundingBox
}

// The sample photos, by file name.
const (
	obama1  = "obama_1.jpg"
	obama2  = "obama_2.jpg"
	biden2  = "biden_2.jpg"
	collins = "collins_1.png"
	group   = "group_obama_biden.jpg"
	rocket  = "noface_rocket.jpg"
)

// The persons in the sample photos.
const (
	personObama   = "obama"
	personBiden   = "biden"
	personCollins = "collins"
)

// Photos returns the sample photos the suite uses and their faces:
// obama_1.jpg and obama_2.jpg show one person, biden_2.jpg another,
// collins_1.png a third, group_obama_biden.jpg two faces (the larger,
// on the left, of the first person, the other of the second) and
// noface_rocket.jpg none. Each call returns new values.
func Photos() []Photo {
	face := func(person string, left, top, width, height float32) Face {
		return Face{Person: person, Box: types.BoundingBox{Left: aws.Float32(left), Top: aws.Float32(top), Width: aws.Float32(width), Height: aws.Float32(height)}}
	}
	photo := func(name string, faces ...Face) Photo {
		return Photo{Name: name, Data: photos.MustRead(name), Faces: faces}
	}
	return []Photo{
		photo(obama1, face(personObama, 0.375, 0.083, 0.316, 0.253)),
		photo(obama2, face(personObama, 0.211, 0.196, 0.548, 0.286)),
		photo(biden2, face(personBiden, 0.291, 0.130, 0.477, 0.477)),
		photo(collins, face(personCollins, 0.333, 0.120, 0.203, 0.203)),
		photo(group, face(personObama, 0.202, 0.029, 0.166, 0.282), face(personBiden, 0.705, 0.086, 0.152, 0.258)),
		photo(rocket),
	}
}
