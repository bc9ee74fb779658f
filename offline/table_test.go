package offline

import (
	"path/filepath"
	"testing"

	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/tabletest"
)

// TestTable_conformance runs the FaceTable conformance suite on the bbolt
// table, each subtest on a new database.
func TestTable_conformance(t *testing.T) {
	tabletest.RunConformanceTests(t, func(t *testing.T) service.FaceTable {
		db, err := openDB(filepath.Join(t.TempDir(), "facerec.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return &Table{db: db}
	})
}
