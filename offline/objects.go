package offline

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/facerec/facerec-cdk/internal/service"
)

// Objects is the local stand-in for the S3 bucket: one file per object in
// a directory, named by the SHA-256 of the key so that any key (spaces,
// Unicode, "../") is stored safely inside the directory, with a JSON
// sidecar holding the key, ETag and user metadata.
//
// Each file is replaced atomically and durably (temporary file, fsync,
// rename, fsync of the directory), data first, sidecar last. Put and
// Delete hold a lock that GetObject and HeadObject share, so within the
// process a reader sees an object's bytes and sidecar from the same Put,
// and concurrent Puts of one key never mix. Across a crash only each file
// is atomic: a crash between a Put's two renames leaves the new bytes with
// the previous sidecar (or none, for a new key: the object is then
// absent). It is safe for concurrent use by one process; the data
// directory's database lock keeps other facerec processes out.
type Objects struct {
	dir string
	// mu is held for writing by Put and Delete and for reading by the
	// methods that read objects.
	mu sync.RWMutex
	// removed, when set, sends the bucket's ObjectRemoved notification of
	// a key DeleteObject deleted.
	removed func(key string) error
	// copied, when set, sends the bucket's ObjectCreated notification of
	// a key CopyObject copied (of size bytes).
	copied func(key string, size int64) error
}

// objectMeta is an object's sidecar.
type objectMeta struct {
	Key          string            `json:"key"`
	ETag         string            `json:"etag"`
	Size         int64             `json:"size"`
	ContentType  string            `json:"contentType,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	LastModified time.Time         `json:"lastModified"`
}

var _ service.ObjectGetter = (*Objects)(nil)

func newObjects(dir string) (*Objects, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Objects{dir: dir}, nil
}

func (o *Objects) paths(key string) (data, meta string) {
	sum := sha256.Sum256([]byte(key))
	name := hex.EncodeToString(sum[:])
	return filepath.Join(o.dir, name+".bin"), filepath.Join(o.dir, name+".json")
}

// Put stores data under key with user metadata (keys lower-case, as S3
// returns them) and returns its ETag (the hex MD5 of data, as S3 gives for
// single-part uploads).
func (o *Objects) Put(key string, data []byte, contentType string, metadata map[string]string) (string, error) {
	sum := md5.Sum(data)
	meta := objectMeta{Key: key, ETag: hex.EncodeToString(sum[:]), Size: int64(len(data)), ContentType: contentType, Metadata: metadata, LastModified: time.Now().UTC()}
	mb, err := json.Marshal(meta)
	if err != nil {
		return "", err
	}
	dataPath, metaPath := o.paths(key)
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := writeAtomic(dataPath, data); err != nil {
		return "", err
	}
	if err := writeAtomic(metaPath, mb); err != nil {
		return "", err
	}
	return meta.ETag, nil
}

// Delete removes the object key, sidecar first, so that a crash between
// the two removals leaves the object absent (a data file without its
// sidecar is never read, and the next Put of key replaces it). Deleting a
// key that is not stored is not an error, as in S3.
func (o *Objects) Delete(key string) error {
	dataPath, metaPath := o.paths(key)
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, p := range []string{metaPath, dataPath} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return syncDir(o.dir)
}

// meta reads the sidecar of key, or nil if there is none. The caller
// holds o.mu.
func (o *Objects) meta(key string) (*objectMeta, error) {
	_, metaPath := o.paths(key)
	m, err := readMeta(metaPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return m, err
}

// readMeta reads the sidecar at path.
func readMeta(path string) (*objectMeta, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := new(objectMeta)
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("object sidecar %s: %w", path, err)
	}
	return m, nil
}

// list returns the sidecars of all the objects, in no particular order.
// Sidecars that cannot be read are left out and reported in the error
// (one error per sidecar, joined), so the others are usable even when it
// is not nil.
func (o *Objects) list() ([]objectMeta, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	paths, err := filepath.Glob(filepath.Join(o.dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var metas []objectMeta
	var errs []error
	for _, p := range paths {
		m, err := readMeta(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		metas = append(metas, *m)
	}
	return metas, errors.Join(errs...)
}

// GetObject implements service.ObjectGetter: the object's bytes and
// metadata, or *types.NoSuchKey as S3 answers. The bucket is ignored (one
// local bucket).
func (o *Objects) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	key := aws.ToString(in.Key)
	o.mu.RLock()
	defer o.mu.RUnlock()
	m, err := o.meta(key)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	}
	dataPath, _ := o.paths(key)
	b, err := os.ReadFile(dataPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	}
	if err != nil {
		return nil, err
	}
	return &s3.GetObjectOutput{
		Body:          io.NopCloser(bytes.NewReader(b)),
		ContentLength: aws.Int64(int64(len(b))),
		ContentType:   aws.String(m.ContentType),
		ETag:          aws.String(`"` + m.ETag + `"`),
		Metadata:      m.Metadata,
		LastModified:  aws.Time(m.LastModified),
	}, nil
}

// open opens the data file of key for reading and returns it with its
// sidecar, both from the same Put (read under the lock; once open, the
// file keeps its bytes when a later Put or Delete replaces or removes its
// name), or *types.NoSuchKey if key is not stored. The caller closes the
// file.
func (o *Objects) open(key string) (*os.File, *objectMeta, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	m, err := o.meta(key)
	if err != nil {
		return nil, nil, err
	}
	dataPath, _ := o.paths(key)
	var f *os.File
	if m != nil {
		f, err = os.Open(dataPath)
	}
	if m == nil || errors.Is(err, fs.ErrNotExist) {
		return nil, nil, &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	}
	if err != nil {
		return nil, nil, err
	}
	return f, m, nil
}

// HeadObject implements service.ObjectGetter: the object's metadata, or
// *types.NotFound as S3 answers.
func (o *Objects) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	m, err := o.meta(aws.ToString(in.Key))
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, &s3types.NotFound{Message: aws.String("Not Found")}
	}
	return &s3.HeadObjectOutput{
		ContentLength: aws.Int64(m.Size),
		ContentType:   aws.String(m.ContentType),
		ETag:          aws.String(`"` + m.ETag + `"`),
		Metadata:      m.Metadata,
		LastModified:  aws.Time(m.LastModified),
	}, nil
}

// DeleteObject implements service.ObjectGetter: it deletes the object, as
// Delete, and sends its ObjectRemoved notification, as the bucket does on
// AWS, so that the image's item becomes a tombstone there and here. The
// bucket is ignored (one local bucket).
func (o *Objects) DeleteObject(_ context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	key := aws.ToString(in.Key)
	if err := o.Delete(key); err != nil {
		return nil, err
	}
	if o.removed != nil {
		if err := o.removed(key); err != nil {
			return nil, err
		}
	}
	return &s3.DeleteObjectOutput{}, nil
}

// writeAtomic writes data to path through a synced temporary file in the
// same directory and a rename, then syncs the directory: a crash never
// leaves a partial file, and once it returns the new file survives one.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir fsyncs the directory dir, making the renames and removals of its
// entries durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}
