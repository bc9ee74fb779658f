package offline

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/facerec/facerec-cdk/internal/service"
)

// The face model a data directory was indexed with: descriptors of two
// models are not comparable, so an image indexed by another model must be
// indexed again even though its bytes have not changed.
var (
	// bucketMeta holds facts about the data directory.
	bucketMeta = []byte("meta")
	// keyFaceModelVersion is the FaceModelVersion that indexed the
	// data directory's images.
	keyFaceModelVersion = []byte("faceModelVersion")
)

// recordFaceModelVersion records version as the data directory's face
// model. If another one (or none: a data directory from before the model
// was recorded) indexed its images, it first marks every image item that is
// not a tombstone as recorded before collections were (CollectionID ""), so
// that the reconcile indexes it again on the next re-index
// (Local.Reindex, POST /reindex, `facerec reindex`), replacing its faces
// with the new model's (see service.Service.Reconcile). It returns how
// many items it marked.
func recordFaceModelVersion(db *bolt.DB, version string) (int, error) {
	marked := 0
	err := db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if string(meta.Get(keyFaceModelVersion)) == version {
			return nil
		}
		images := tx.Bucket(bucketImages)
		type update struct{ k, v []byte }
		var updates []update
		err = images.ForEach(func(k, v []byte) error {
			var img service.ImageItem
			if err := json.Unmarshal(v, &img); err != nil {
				return fmt.Errorf("image item %q: %w", k, err)
			}
			if img.Status == service.StatusRemoved || img.CollectionID == "" {
				return nil
			}
			img.CollectionID = ""
			b, err := json.Marshal(img)
			if err != nil {
				return err
			}
			updates = append(updates, update{append([]byte(nil), k...), b})
			return nil
		})
		if err != nil {
			return err
		}
		for _, u := range updates { // bbolt forbids writes inside ForEach
			if err := images.Put(u.k, u.v); err != nil {
				return err
			}
		}
		marked = len(updates)
		return meta.Put(keyFaceModelVersion, []byte(version))
	})
	return marked, err
}
