package offline

import (
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/tabletest"
)

// TestTable_conformance runs the FaceTable conformance suite on the bbolt
// table, each subtest on a new database.
func TestTable_conformance(t *testing.T) {
	tabletest.RunConformanceTests(t, func(t *testing.T) service.FaceTable {
		return &Table{db: testDB(t, t.TempDir())}
	})
}

// testDB opens a new database in dir, closed when the test ends.
func testDB(t *testing.T, dir string) *bolt.DB {
	t.Helper()
	db, err := openDB(filepath.Join(dir, "facerec.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
