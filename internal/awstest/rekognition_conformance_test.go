package awstest_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"

	"github.com/facerec/facerec-cdk/internal/awstest"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/rekognitiontest"
)

// fixtureHarness runs the Rekognition conformance suite against the
// stand-in, through a real SDK client: the sample photos' faces are
// fixtures, and each subtest gets a collection of its own in one Env.
type fixtureHarness struct {
	env         *awstest.Env
	collections int
}

// ShowPhotos declares each photo's faces as fixtures, the person as the
// identity.
func (h *fixtureHarness) ShowPhotos(_ *testing.T, photos []rekognitiontest.Photo) {
	for _, p := range photos {
		faces := make([]awstest.Face, len(p.Faces))
		for i, f := range p.Faces {
			faces[i] = awstest.Face{Identity: f.Person, BoundingBox: f.Box}
		}
		h.env.Rek.SetFaces(p.Data, faces...)
	}
}

// NewCollection creates a collection with CreateCollection.
func (h *fixtureHarness) NewCollection(t *testing.T) (service.Rekognition, string) {
	t.Helper()
	h.collections++
	id := fmt.Sprintf("conformance-%d", h.collections)
	if _, err := h.env.Rekognition.CreateCollection(t.Context(), &rekognition.CreateCollectionInput{CollectionId: aws.String(id)}); err != nil {
		t.Fatalf("CreateCollection: %v", err)
	}
	return h.env.Rekognition, id
}

func TestRekognitionConformance(t *testing.T) {
	rekognitiontest.RunConformanceTests(t, &fixtureHarness{env: awstest.New(t)})
}
