package offline

import (
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/rekognitiontest"
)

// testCollectionID is the CollectionId of testRekognition's collection.
const testCollectionID = "conformance"

// testRekognition returns a Rekognition of the collection
// testCollectionID on a new database, with the shared engine
// (testEngine); the database is closed when the test ends.
func testRekognition(t *testing.T) *Rekognition {
	t.Helper()
	engine, err := testEngine()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := testDB(t, dir)
	objects, err := newObjects(filepath.Join(dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	rek, err := newRekognition(testCollectionID, engine, objects, db)
	if err != nil {
		t.Fatal(err)
	}
	return rek
}

// engineHarness runs the Rekognition conformance suite against the local
// Rekognition with the real face engine, loaded once for the test binary:
// the photos' faces are found, not declared, and each subtest gets a
// Rekognition on a new database.
type engineHarness struct{}

// ShowPhotos does nothing: the engine sees the faces of the photos.
func (engineHarness) ShowPhotos(*testing.T, []rekognitiontest.Photo) {}

// NewCollection returns a testRekognition.
func (engineHarness) NewCollection(t *testing.T) (service.Rekognition, string) {
	t.Helper()
	return testRekognition(t), testCollectionID
}

func TestRekognitionConformance(t *testing.T) {
	rekognitiontest.RunConformanceTests(t, engineHarness{})
}

// TestRekognition_DetectFacesLargestFirst: beyond Rekognition, which
// documents no order, the local DetectFaces returns the faces largest
// first.
func TestRekognition_DetectFacesLargestFirst(t *testing.T) {
	out, err := testRekognition(t).DetectFaces(t.Context(), &rekognition.DetectFacesInput{Image: &rtypes.Image{Bytes: photos.MustRead("group_obama_biden.jpg")}})
	if err != nil || len(out.FaceDetails) != 2 {
		t.Fatalf("DetectFaces: %+v, %v; want two faces", out, err)
	}
	area := func(d rtypes.FaceDetail) float32 {
		return aws.ToFloat32(d.BoundingBox.Width) * aws.ToFloat32(d.BoundingBox.Height)
	}
	if a, b := area(out.FaceDetails[0]), area(out.FaceDetails[1]); a < b {
		t.Errorf("the first face has area %v, the second %v; want the largest first", a, b)
	}
}
