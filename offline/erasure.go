package offline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	bolt "go.etcd.io/bbolt"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// bbolt buckets of erasure and sweeping.
var (
	bucketErasures   = []byte("erasures")   // record id → ErasureRecord JSON
	bucketSweepMarks = []byte("sweepMarks") // mark id → sweepMark JSON
)

// sweepMark is a sweep mark as kept in the database.
type sweepMark struct {
	SeenAt    time.Time
	ExpiresAt time.Time
}

// ListObjectVersions implements service.ObjectGetter. The local bucket
// keeps no old versions: an object has one version, its current one,
// with the VersionId "null" (S3's id of a version stored while versioning
// was off), and there are no delete markers. Only Prefix is read; the
// listing is one page.
func (o *Objects) ListObjectVersions(_ context.Context, in *s3.ListObjectVersionsInput, _ ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	metas, err := o.list()
	if err != nil {
		return nil, err
	}
	out := &s3.ListObjectVersionsOutput{Name: in.Bucket, Prefix: in.Prefix, IsTruncated: aws.Bool(false)}
	for _, m := range metas {
		if strings.HasPrefix(m.Key, aws.ToString(in.Prefix)) {
			out.Versions = append(out.Versions, s3types.ObjectVersion{
				Key: aws.String(m.Key), VersionId: aws.String("null"), IsLatest: aws.Bool(true),
				ETag: aws.String(`"` + m.ETag + `"`), Size: aws.Int64(m.Size), LastModified: aws.Time(m.LastModified),
			})
		}
	}
	slices.SortFunc(out.Versions, func(a, b s3types.ObjectVersion) int { return strings.Compare(*a.Key, *b.Key) })
	return out, nil
}

// ImagesOfPerson implements service.FaceTable.
func (t *Table) ImagesOfPerson(_ context.Context, person string) ([]service.ImageItem, error) {
	var images []service.ImageItem
	err := t.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketImages).ForEach(func(k, v []byte) error {
			var img service.ImageItem
			if err := json.Unmarshal(v, &img); err != nil {
				return fmt.Errorf("image item %s: %w", k, err)
			}
			if img.Person == person {
				images = append(images, img)
			}
			return nil
		})
	})
	return images, err
}

// ListImages implements service.FaceTable with a cursor over the images
// bucket, paged as ListFaces.
func (t *Table) ListImages(_ context.Context, limit int, token string) ([]service.ImageItem, string, error) {
	var images []service.ImageItem
	next, err := t.page(bucketImages, limit, token, func(k, v []byte) (bool, error) {
		var img service.ImageItem
		if err := json.Unmarshal(v, &img); err != nil {
			return false, fmt.Errorf("image item %s: %w", k, err)
		}
		images = append(images, img)
		return true, nil
	})
	return images, next, err
}

// PutErasure implements service.FaceTable.
func (t *Table) PutErasure(_ context.Context, rec service.ErasureRecord) error {
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return t.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketErasures).Put([]byte(rec.ID), v)
	})
}

// Erasures returns the erasure records, in id order.
func (t *Table) Erasures() ([]service.ErasureRecord, error) {
	var recs []service.ErasureRecord
	err := t.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketErasures).ForEach(func(k, v []byte) error {
			var r service.ErasureRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("erasure record %s: %w", k, err)
			}
			recs = append(recs, r)
			return nil
		})
	})
	return recs, err
}

// GetSweepMarks implements service.FaceTable.
func (t *Table) GetSweepMarks(_ context.Context, ids []string) (map[string]time.Time, error) {
	out := make(map[string]time.Time, len(ids))
	err := t.db.View(func(tx *bolt.Tx) error {
		for _, id := range ids {
			v := tx.Bucket(bucketSweepMarks).Get([]byte(id))
			if v == nil {
				continue
			}
			var m sweepMark
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("sweep mark %s: %w", id, err)
			}
			out[id] = m.SeenAt
		}
		return nil
	})
	return out, err
}

// PutSweepMarks implements service.FaceTable.
func (t *Table) PutSweepMarks(_ context.Context, ids []string, seen, expires time.Time) error {
	v, err := json.Marshal(sweepMark{SeenAt: seen, ExpiresAt: expires})
	if err != nil {
		return err
	}
	return t.db.Update(func(tx *bolt.Tx) error {
		for _, id := range ids {
			if err := tx.Bucket(bucketSweepMarks).Put([]byte(id), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// DropExpired deletes the items whose time to live (ExpiresAt) is before
// now, as DynamoDB's TTL does on AWS: tombstones and sweep marks. It
// returns how many it deleted.
func (t *Table) DropExpired(now time.Time) (int, error) {
	n := 0
	err := t.db.Update(func(tx *bolt.Tx) error {
		var expired [][]byte
		err := tx.Bucket(bucketImages).ForEach(func(k, v []byte) error {
			var img service.ImageItem
			if err := json.Unmarshal(v, &img); err != nil {
				return fmt.Errorf("image item %s: %w", k, err)
			}
			if !img.ExpiresAt.IsZero() && img.ExpiresAt.Before(now) {
				expired = append(expired, slices.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range expired {
			if err := tx.Bucket(bucketImages).Delete(k); err != nil {
				return err
			}
		}
		n += len(expired)
		expired = expired[:0]
		err = tx.Bucket(bucketSweepMarks).ForEach(func(k, v []byte) error {
			var m sweepMark
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("sweep mark %s: %w", k, err)
			}
			if m.ExpiresAt.Before(now) {
				expired = append(expired, slices.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range expired {
			if err := tx.Bucket(bucketSweepMarks).Delete(k); err != nil {
				return err
			}
		}
		n += len(expired)
		return nil
	})
	return n, err
}

// Sweep runs the sweeper once on the local parts: it drops the expired
// items (DropExpired; DynamoDB's TTL does it on AWS), then runs the sweep
// function's handler (service.Sweep), whose counts, with the expired
// items', go to the log as a metrics record.
func (l *Local) Sweep(ctx context.Context) error {
	n, err := l.Table.DropExpired(time.Now())
	if err != nil {
		l.log.ErrorContext(ctx, "expired items not dropped", "err", err)
	}
	return errors.Join(err, l.Sweeper.Sweep(ctx, map[string]int{contract.MetricSweepItemsExpired: n}))
}

// sweepEvery runs Sweep now and then every interval until ctx ends, in
// the background; the channel is closed once it has stopped. A failed
// sweep is logged (by the handler) and run again at the next tick.
func (l *Local) sweepEvery(ctx context.Context, interval time.Duration) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			_ = l.Sweep(ctx) // logged by Sweep and the handler
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return done
}
