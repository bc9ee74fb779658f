package offline

import (
	"path/filepath"
	"testing"

	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/rekognitiontest"
)

// engineHarness runs the Rekognition conformance suite against the local
// Rekognition with the real face engine, loaded once for the test binary
// (testEngine): the photos' faces are found, not declared, and each
// subtest gets a Rekognition on a new database.
type engineHarness struct{}

// ShowPhotos does nothing: the engine sees the faces of the photos.
func (engineHarness) ShowPhotos(*testing.T, []rekognitiontest.Photo) {}

// NewCollection opens a new database in a temporary directory and returns
// a Rekognition of the collection "conformance" on it.
func (engineHarness) NewCollection(t *testing.T) (service.Rekognition, string) {
	t.Helper()
	engine, err := testEngine()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db, err := openDB(filepath.Join(dir, "facerec.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	objects, err := newObjects(filepath.Join(dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	const id = "conformance"
	rek, err := newRekognition(id, engine, objects, db)
	if err != nil {
		t.Fatal(err)
	}
	return rek, id
}

func TestRekognitionConformance(t *testing.T) {
	rekognitiontest.RunConformanceTests(t, engineHarness{})
}
