package offline

import (
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SetReadTimeout sets the HTTP server's read timeout of the servers
// started after it, and returns a func that restores it.
func SetReadTimeout(d time.Duration) (restore func()) {
	old := readTimeout
	readTimeout = d
	return func() { readTimeout = old }
}

// SetRecordedFaceModelVersion records version as the face model of the
// data directory dir, which no process may hold, as if another model had
// indexed it.
func SetRecordedFaceModelVersion(dir, version string) error {
	db, err := openDB(filepath.Join(dir, "facerec.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyFaceModelVersion, []byte(version))
	})
}
