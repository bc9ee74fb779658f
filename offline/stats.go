package offline

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/facerec/facerec-cdk/internal/service"
)

// CountImages implements service.FaceTable: the image items by Status.
func (t *Table) CountImages(context.Context) (map[string]int, error) {
	counts := map[string]int{}
	err := t.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketImages).ForEach(func(k, v []byte) error {
			var img service.ImageItem
			if err := json.Unmarshal(v, &img); err != nil {
				return fmt.Errorf("image item %s: %w", k, err)
			}
			counts[img.Status]++
			return nil
		})
	})
	return counts, err
}
