package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	bolt "go.etcd.io/bbolt"

	"github.com/facerec/facerec-cdk/internal/service"
)

// bucketAliases holds the alias items: person name → UserId.
var bucketAliases = []byte("aliases")

// CopyObject implements service.ObjectGetter for what a rename does: an
// object copied onto itself (CopySource "<bucket>/<its key>",
// percent-encoded) with MetadataDirective REPLACE, which replaces its
// content type and user metadata and keeps its bytes (and so its ETag,
// the MD5 of the bytes). CopySourceIfMatch is honoured (S3's
// PreconditionFailed when the ETag differs). Like S3, the copy sends the
// bucket's ObjectCreated notification. Other copies are refused
// (InvalidRequest): the local bucket has one bucket and nothing else
// copies.
func (o *Objects) CopyObject(_ context.Context, in *s3.CopyObjectInput, _ ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	key := aws.ToString(in.Key)
	if in.MetadataDirective != s3types.MetadataDirectiveReplace || !copiesOntoItself(aws.ToString(in.CopySource), aws.ToString(in.Bucket), key) {
		return nil, &smithy.GenericAPIError{Code: "InvalidRequest", Message: "the local bucket copies an object only onto itself with MetadataDirective REPLACE"}
	}
	o.mu.Lock()
	m, err := o.meta(key)
	if err == nil && m == nil {
		err = &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	}
	if err == nil && in.CopySourceIfMatch != nil && aws.ToString(in.CopySourceIfMatch) != `"`+m.ETag+`"` {
		err = &smithy.GenericAPIError{Code: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold"}
	}
	if err == nil {
		m.ContentType = aws.ToString(in.ContentType)
		m.Metadata = maps.Clone(in.Metadata)
		m.LastModified = time.Now().UTC()
		var mb []byte
		if mb, err = json.Marshal(m); err == nil {
			_, metaPath := o.paths(key)
			err = writeAtomic(metaPath, mb)
		}
	}
	o.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if o.copied != nil {
		if err := o.copied(key, m.Size); err != nil {
			return nil, err
		}
	}
	etag := `"` + m.ETag + `"`
	return &s3.CopyObjectOutput{CopyObjectResult: &s3types.CopyObjectResult{ETag: aws.String(etag), LastModified: aws.Time(m.LastModified)}}, nil
}

// copiesOntoItself reports whether the CopySource src (percent-encoded,
// as S3 takes it) names bucket/key itself.
func copiesOntoItself(src, bucket, key string) bool {
	decoded, err := url.PathUnescape(src)
	return err == nil && decoded == bucket+"/"+key
}

// GetAlias implements service.FaceTable.
func (t *Table) GetAlias(_ context.Context, person string) (string, error) {
	var userID string
	err := t.db.View(func(tx *bolt.Tx) error {
		userID = string(tx.Bucket(bucketAliases).Get([]byte(person)))
		return nil
	})
	return userID, err
}

// PutAlias implements service.FaceTable.
func (t *Table) PutAlias(_ context.Context, person, userID string) error {
	return t.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAliases)
		if old := b.Get([]byte(person)); old != nil && string(old) != userID {
			return fmt.Errorf("%w: alias item", service.ErrVersionConflict)
		}
		return b.Put([]byte(person), []byte(userID))
	})
}

// ReplacePerson implements service.FaceTable in one transaction.
func (t *Table) ReplacePerson(_ context.Context, p, prev service.PersonItem) error {
	v, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return t.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPersons)
		var old service.PersonItem
		if o := b.Get([]byte(p.UserID)); o == nil {
			return fmt.Errorf("%w: person item", service.ErrVersionConflict)
		} else if err := json.Unmarshal(o, &old); err != nil {
			return fmt.Errorf("person item %s: %w", p.UserID, err)
		}
		if old.Person != prev.Person || old.Renaming != prev.Renaming {
			return fmt.Errorf("%w: person item", service.ErrVersionConflict)
		}
		return b.Put([]byte(p.UserID), v)
	})
}

// DeleteAlias implements service.FaceTable.
func (t *Table) DeleteAlias(_ context.Context, person string) error {
	return t.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAliases).Delete([]byte(person))
	})
}

// RelabelFaces implements service.FaceTable in one transaction: each
// face's stored item, only if it exists and names from, takes the face's
// Person; nothing else of it changes.
func (t *Table) RelabelFaces(_ context.Context, faces []service.FaceItem, from string) error {
	return t.db.Update(func(tx *bolt.Tx) error {
		for _, f := range faces {
			old, err := getFace(tx, []byte(f.FaceID))
			if err != nil {
				return err
			}
			if old == nil || old.Person != from {
				continue
			}
			old.Person = f.Person
			v, err := json.Marshal(old)
			if err != nil {
				return fmt.Errorf("face item %s: %w", f.FaceID, err)
			}
			if err := tx.Bucket(bucketFaces).Put([]byte(f.FaceID), v); err != nil {
				return err
			}
		}
		return nil
	})
}
