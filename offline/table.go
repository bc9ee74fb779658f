package offline

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// bbolt buckets of the data directory's database (the Rekognition
// collections' are in rekognition.go).
var (
	bucketFaces       = []byte("faces")       // FaceId → FaceItem JSON
	bucketImages      = []byte("images")      // image item id → ImageItem JSON
	bucketObjectFaces = []byte("objectFaces") // bucket/key NUL FaceId → empty (the ObjectKeyIndex)
	bucketPersons     = []byte("persons")     // UserId → PersonItem JSON
)

// Table is service.FaceTable on a bbolt database: the local stand-in for
// the DynamoDB table, surviving restarts. It is safe for concurrent use.
type Table struct{ db *bolt.DB }

var _ service.FaceTable = (*Table)(nil)

// dbLockTimeout is how long openDB waits for the database's file lock,
// which another process (facerec serve, or a running facerec invoke) holds
// while it has the database open.
const dbLockTimeout = time.Second

// openDB opens (creating if needed) the bbolt database at path with the
// buckets the local parts use. When another process holds the database
// for more than dbLockTimeout, the error says that its directory is in
// use.
func openDB(path string) (*bolt.DB, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: dbLockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("the data directory %s is in use by another facerec process (is facerec serve running?)", filepath.Dir(path))
	}
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketFaces, bucketImages, bucketObjectFaces, bucketPersons, bucketErasures, bucketSweepMarks, bucketAliases} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare database %s: %w", path, err)
	}
	return db, nil
}

func objectFaceKey(bucket, key, faceID string) []byte {
	return []byte(bucket + "/" + key + "\x00" + faceID)
}

// getFace reads the face item of FaceId id, or nil if there is none.
func getFace(tx *bolt.Tx, id []byte) (*service.FaceItem, error) {
	v := tx.Bucket(bucketFaces).Get(id)
	if v == nil {
		return nil, nil
	}
	f := new(service.FaceItem)
	if err := json.Unmarshal(v, f); err != nil {
		return nil, fmt.Errorf("face item %s: %w", id, err)
	}
	return f, nil
}

// GetImage implements service.FaceTable.
func (t *Table) GetImage(_ context.Context, bucket, key string) (*service.ImageItem, error) {
	var img *service.ImageItem
	err := t.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketImages).Get([]byte(service.ImageItemID(bucket, key)))
		if v == nil {
			return nil
		}
		img = new(service.ImageItem)
		return json.Unmarshal(v, img)
	})
	return img, err
}

// FacesOfObject implements service.FaceTable.
func (t *Table) FacesOfObject(_ context.Context, bucket, key string) ([]service.FaceItem, error) {
	var faces []service.FaceItem
	prefix := []byte(bucket + "/" + key + "\x00")
	err := t.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketObjectFaces).Cursor()
		for k, _ := c.Seek(prefix); k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
			f, err := getFace(tx, k[len(prefix):])
			if err != nil {
				return err
			}
			if f != nil {
				faces = append(faces, *f)
			}
		}
		return nil
	})
	return faces, err
}

// PutPerson implements service.FaceTable.
func (t *Table) PutPerson(_ context.Context, p service.PersonItem) error {
	v, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return t.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPersons).Put([]byte(p.UserID), v)
	})
}

// DeletePerson implements service.FaceTable.
func (t *Table) DeletePerson(_ context.Context, prev service.PersonItem) error {
	return t.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPersons)
		v := b.Get([]byte(prev.UserID))
		if v == nil {
			return nil
		}
		var old service.PersonItem
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("person item %s: %w", prev.UserID, err)
		}
		if old.Person != prev.Person || old.Renaming != prev.Renaming {
			return fmt.Errorf("%w: person item", service.ErrVersionConflict)
		}
		return b.Delete([]byte(prev.UserID))
	})
}

// GetPersons implements service.FaceTable.
func (t *Table) GetPersons(_ context.Context, userIDs []string) (map[string]service.PersonItem, error) {
	out := make(map[string]service.PersonItem, len(userIDs))
	err := t.db.View(func(tx *bolt.Tx) error {
		for _, id := range userIDs {
			v := tx.Bucket(bucketPersons).Get([]byte(id))
			if v == nil {
				continue
			}
			var p service.PersonItem
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("person item %s: %w", id, err)
			}
			out[id] = p
		}
		return nil
	})
	return out, err
}

// PutImage implements service.FaceTable: in one transaction, it writes img
// if the stored image item has Version prevVersion (0: none stored) and
// returns service.ErrVersionConflict otherwise.
func (t *Table) PutImage(_ context.Context, img service.ImageItem, prevVersion int) error {
	v, err := json.Marshal(img)
	if err != nil {
		return err
	}
	id := []byte(service.ImageItemID(img.Bucket, img.Key))
	return t.db.Update(func(tx *bolt.Tx) error {
		matches := prevVersion == 0 // nothing stored is expected
		if old := tx.Bucket(bucketImages).Get(id); old != nil {
			var o service.ImageItem
			if err := json.Unmarshal(old, &o); err != nil {
				return fmt.Errorf("image item %s: %w", id, err)
			}
			matches = prevVersion != 0 && o.Version == prevVersion
		}
		if !matches {
			return fmt.Errorf("%w: %s", service.ErrVersionConflict, id)
		}
		return tx.Bucket(bucketImages).Put(id, v)
	})
}

// PutFaces implements service.FaceTable, in one transaction. A face
// replaced with one of another object leaves its old object's index.
func (t *Table) PutFaces(_ context.Context, faces []service.FaceItem) error {
	return t.db.Update(func(tx *bolt.Tx) error {
		for _, f := range faces {
			v, err := json.Marshal(f)
			if err != nil {
				return err
			}
			old, err := getFace(tx, []byte(f.FaceID))
			if err != nil {
				return err
			}
			if old != nil && (old.Bucket != f.Bucket || old.Key != f.Key) {
				if err := tx.Bucket(bucketObjectFaces).Delete(objectFaceKey(old.Bucket, old.Key, old.FaceID)); err != nil {
					return err
				}
			}
			if err := tx.Bucket(bucketFaces).Put([]byte(f.FaceID), v); err != nil {
				return err
			}
			if err := tx.Bucket(bucketObjectFaces).Put(objectFaceKey(f.Bucket, f.Key, f.FaceID), nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteItems implements service.FaceTable: ids are FaceIds, image item
// ids, person item ids (service.PersonItemID) or sweep mark ids; unknown
// ids are ignored.
func (t *Table) DeleteItems(_ context.Context, ids []string) error {
	return t.db.Update(func(tx *bolt.Tx) error {
		for _, id := range ids {
			if err := tx.Bucket(bucketImages).Delete([]byte(id)); err != nil {
				return err
			}
			if err := tx.Bucket(bucketSweepMarks).Delete([]byte(id)); err != nil {
				return err
			}
			if userID, ok := strings.CutPrefix(id, contract.PersonItemPrefix); ok {
				if err := tx.Bucket(bucketPersons).Delete([]byte(userID)); err != nil {
					return err
				}
			}
			f, err := getFace(tx, []byte(id))
			if err != nil {
				return err
			}
			if f == nil {
				continue
			}
			if err := tx.Bucket(bucketObjectFaces).Delete(objectFaceKey(f.Bucket, f.Key, f.FaceID)); err != nil {
				return err
			}
			if err := tx.Bucket(bucketFaces).Delete([]byte(id)); err != nil {
				return err
			}
		}
		return nil
	})
}

// GetFaces implements service.FaceTable.
func (t *Table) GetFaces(_ context.Context, faceIDs []string) (map[string]service.FaceItem, error) {
	out := make(map[string]service.FaceItem, len(faceIDs))
	err := t.db.View(func(tx *bolt.Tx) error {
		for _, id := range faceIDs {
			f, err := getFace(tx, []byte(id))
			if err != nil {
				return err
			}
			if f != nil {
				out[id] = *f
			}
		}
		return nil
	})
	return out, err
}

// GetFace implements service.FaceTable.
func (t *Table) GetFace(_ context.Context, faceID string) (*service.FaceItem, error) {
	var f *service.FaceItem
	err := t.db.View(func(tx *bolt.Tx) error {
		var err error
		f, err = getFace(tx, []byte(faceID))
		return err
	})
	return f, err
}

// ListFaces implements service.FaceTable with a cursor over the faces
// bucket in FaceId order, keeping the faces of person (all if it is
// empty). A page ends after limit faces; its token is the base64url
// (unpadded) of the last FaceId, and the next page starts after it.
func (t *Table) ListFaces(_ context.Context, person string, limit int, token string) ([]service.FaceItem, string, error) {
	var faces []service.FaceItem
	next, err := t.page(bucketFaces, limit, token, func(k, v []byte) (bool, error) {
		var f service.FaceItem
		if err := json.Unmarshal(v, &f); err != nil {
			return false, fmt.Errorf("face item %s: %w", k, err)
		}
		if person != "" && f.Person != person {
			return false, nil
		}
		faces = append(faces, f)
		return true, nil
	})
	return faces, next, err
}

// ListPersons implements service.FaceTable with a cursor over the persons
// bucket in UserId order, paged as ListFaces.
func (t *Table) ListPersons(_ context.Context, limit int, token string) ([]service.PersonItem, string, error) {
	var persons []service.PersonItem
	next, err := t.page(bucketPersons, limit, token, func(k, v []byte) (bool, error) {
		var p service.PersonItem
		if err := json.Unmarshal(v, &p); err != nil {
			return false, fmt.Errorf("person item %s: %w", k, err)
		}
		persons = append(persons, p)
		return true, nil
	})
	return persons, next, err
}

// page walks bucket in key order after the key token encodes (from the
// first without a token), handing each entry to keep, until keep has kept
// limit entries; it returns the token of the next page: the base64url
// (unpadded) of the last kept key, or "" after the last entry.
func (t *Table) page(bucket []byte, limit int, token string, keep func(k, v []byte) (bool, error)) (string, error) {
	after, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || (token != "" && len(after) == 0) {
		return "", service.ErrInvalidToken
	}
	next := ""
	err = t.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		k, v := c.First()
		if token != "" {
			if k, v = c.Seek(after); k != nil && string(k) == string(after) {
				k, v = c.Next()
			}
		}
		kept, last := 0, []byte(nil)
		for ; k != nil; k, v = c.Next() {
			if kept == limit {
				next = base64.RawURLEncoding.EncodeToString(last)
				return nil
			}
			ok, err := keep(k, v)
			if err != nil {
				return err
			}
			if ok {
				kept, last = kept+1, slices.Clone(k)
			}
		}
		return nil
	})
	return next, err
}
