package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/facerec/facerec-cdk/lambdas/config"
)

// Outcomes of Reconcile, in IndexResult.Outcome.
const (
	// OutcomeIndexed: the object's faces were (re)indexed.
	OutcomeIndexed = "indexed"
	// OutcomeRejected: the object is not an image Rekognition can use; an
	// image item with the reason was recorded.
	OutcomeRejected = "rejected"
	// OutcomeUnchanged: the same bytes were already processed; nothing done.
	OutcomeUnchanged = "unchanged"
	// OutcomeRemoved: the object no longer exists; its faces were removed.
	OutcomeRemoved = "removed"
)

// PersonMetadataKey is the S3 user metadata key (x-amz-meta-person) that
// carries the person named at upload.
const PersonMetadataKey = "person"

// maxDeleteFaces is the most FaceIds one DeleteFaces call takes (4096;
// Rekognition API reference).
const maxDeleteFaces = 4096

// IndexResult says what Reconcile did to one object.
type IndexResult struct {
	Bucket  string
	Key     string
	Outcome string
	// Reason explains a rejection.
	Reason string
	// FaceIDs are the FaceIds indexed for the object (OutcomeIndexed).
	FaceIDs []string
	// RemovedFaceIDs are the FaceIds of earlier versions that were removed.
	RemovedFaceIDs []string
}

// Reconcile brings the collection and the table in line with the object
// bucket/key as it is now, whatever event announced it: a new or changed
// image is indexed and replaces the faces of its earlier version; an object
// that is not a usable image is recorded as rejected (IndexFaces is not
// called); a deleted object loses its faces. Because it looks at the object
// rather than the event, it is idempotent and insensitive to event order: a
// redelivered event finds the same bytes (same SHA-256) and does nothing.
//
// It returns an *Error only when the work should be retried (AWS throttling
// or failures, missing permissions); per-image problems are results.
func (s *Service) Reconcile(ctx context.Context, bucket, key string) (IndexResult, error) {
	res := IndexResult{Bucket: bucket, Key: key}
	log := s.log.With("bucket", bucket, "key", key)

	image, err := s.table.GetImage(ctx, bucket, key)
	if err != nil {
		return res, fromAWS("DynamoDB", err)
	}
	obj, err := s.objects.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		var nsk *s3types.NoSuchKey
		if !errors.As(err, &nsk) {
			return res, fromAWS("S3", err)
		}
		res.Outcome = OutcomeRemoved
		if res.RemovedFaceIDs, err = s.removeFaces(ctx, image, bucket, key, true); err != nil {
			return res, err
		}
		log.InfoContext(ctx, "object gone; removed its faces", "removedFaces", len(res.RemovedFaceIDs))
		return res, nil
	}
	defer obj.Body.Close()

	item := ImageItem{
		Bucket:    bucket,
		Key:       key,
		ETag:      strings.Trim(aws.ToString(obj.ETag), `"`),
		Person:    decodePerson(obj.Metadata[PersonMetadataKey]),
		IndexedAt: s.now(),
	}
	if aws.ToInt64(obj.ContentLength) > config.MaxS3ImageBytes {
		if image != nil && image.Status == StatusRejected && image.ETag == item.ETag {
			res.Outcome = OutcomeUnchanged
			return res, nil
		}
		reason := fmt.Sprintf("the object is %d bytes; Rekognition indexes images of at most %d bytes", aws.ToInt64(obj.ContentLength), config.MaxS3ImageBytes)
		return s.reject(ctx, log, res, item, image, reason)
	}
	data, err := io.ReadAll(io.LimitReader(obj.Body, config.MaxS3ImageBytes+1))
	if err != nil {
		return res, fromAWS("S3", err)
	}
	sum := sha256.Sum256(data)
	item.ContentSHA256 = hex.EncodeToString(sum[:])
	if image != nil && image.ContentSHA256 == item.ContentSHA256 && image.Person == item.Person {
		if image.ETag != item.ETag {
			// The same bytes uploaded another way (multipart): record the
			// new ETag so that the image does not look pending.
			image.ETag = item.ETag
			if err := s.table.PutImage(ctx, *image); err != nil {
				return res, fromAWS("DynamoDB", err)
			}
		}
		res.Outcome = OutcomeUnchanged
		log.InfoContext(ctx, "image unchanged; nothing to do", "status", image.Status)
		return res, nil
	}

	if _, verr := ValidateImage(data, config.MaxS3ImageBytes); verr != nil {
		return s.reject(ctx, log, res, item, image, verr.Message)
	}
	in := &rekognition.IndexFacesInput{
		CollectionId:    aws.String(s.cfg.CollectionID),
		ExternalImageId: aws.String(ExternalImageID(key)),
		MaxFaces:        aws.Int32(int32(s.cfg.MaxFaces)),
		QualityFilter:   rtypes.QualityFilter(s.cfg.QualityFilter),
	}
	if len(data) <= config.MaxImageBytes {
		in.Image = &rtypes.Image{Bytes: data}
	} else {
		// Rekognition takes larger images (up to 15 MB) only from S3. It
		// reads the current version; if that changed meanwhile, its own
		// event reconciles again.
		in.Image = &rtypes.Image{S3Object: &rtypes.S3Object{Bucket: aws.String(bucket), Name: aws.String(key)}}
	}
	out, err := s.rek.IndexFaces(ctx, in)
	if err != nil {
		e := fromAWS("Rekognition", err)
		if e.Kind.Temporary() || e.Kind == KindInternal {
			return res, e
		}
		return s.reject(ctx, log, res, item, image, e.Message)
	}
	for _, u := range out.UnindexedFaces {
		reasons := make([]string, len(u.Reasons))
		for i, r := range u.Reasons {
			reasons[i] = string(r)
		}
		item.UnindexedReasons = append(item.UnindexedReasons, strings.Join(reasons, "+"))
	}
	if len(out.UnindexedFaces) > 0 {
		log.InfoContext(ctx, "faces not indexed", "reasons", item.UnindexedReasons)
	}

	faces := make([]FaceItem, 0, len(out.FaceRecords))
	for _, r := range out.FaceRecords {
		if r.Face == nil {
			continue
		}
		faces = append(faces, FaceItem{
			FaceID:          aws.ToString(r.Face.FaceId),
			ImageID:         aws.ToString(r.Face.ImageId),
			ExternalImageID: aws.ToString(r.Face.ExternalImageId),
			BoundingBox:     boundingBox(r.Face.BoundingBox),
			Confidence:      float64(aws.ToFloat32(r.Face.Confidence)),
			Bucket:          bucket,
			Key:             key,
			ETag:            item.ETag,
			ContentSHA256:   item.ContentSHA256,
			Person:          item.Person,
			IndexedAt:       item.IndexedAt,
		})
		res.FaceIDs = append(res.FaceIDs, aws.ToString(r.Face.FaceId))
	}
	if err := s.table.PutFaces(ctx, faces); err != nil {
		return res, fromAWS("DynamoDB", err)
	}
	// Old faces are gathered before the image item is replaced; the new
	// faces are recorded before the old ones go, so a failure leaves at
	// worst stale faces that the retry removes, never a gap.
	old, err := s.oldFaceIDs(ctx, image, bucket, key, res.FaceIDs)
	if err != nil {
		return res, err
	}
	item.Status = StatusIndexed
	item.FaceCount = len(faces)
	item.FaceIDs = res.FaceIDs
	if err := s.table.PutImage(ctx, item); err != nil {
		return res, fromAWS("DynamoDB", err)
	}
	res.RemovedFaceIDs, err = s.deleteFaces(ctx, old, nil)
	if err != nil {
		return res, err
	}
	res.Outcome = OutcomeIndexed
	log.InfoContext(ctx, "image indexed", "faces", len(faces), "unindexedFaces", len(out.UnindexedFaces), "removedFaces", len(res.RemovedFaceIDs), "person", item.Person != "")
	return res, nil
}

// reject records item as rejected for reason, after removing the faces of
// the object's earlier version (whose image item is image, or nil).
func (s *Service) reject(ctx context.Context, log *slog.Logger, res IndexResult, item ImageItem, image *ImageItem, reason string) (IndexResult, error) {
	removed, err := s.removeFaces(ctx, image, item.Bucket, item.Key, false)
	if err != nil {
		return res, err
	}
	item.Status = StatusRejected
	item.Reason = reason
	if err := s.table.PutImage(ctx, item); err != nil {
		return res, fromAWS("DynamoDB", err)
	}
	res.Outcome = OutcomeRejected
	res.Reason = reason
	res.RemovedFaceIDs = removed
	log.WarnContext(ctx, "image rejected", "reason", reason)
	return res, nil
}

// oldFaceIDs returns the FaceIds stored for bucket/key before this run:
// those of its image item and, in case an earlier run failed between
// writing faces and writing the image item, those found by object key;
// keep lists FaceIds to leave out (the ones just indexed).
func (s *Service) oldFaceIDs(ctx context.Context, image *ImageItem, bucket, key string, keep []string) ([]string, error) {
	faces, err := s.table.FacesOfObject(ctx, bucket, key)
	if err != nil {
		return nil, fromAWS("DynamoDB", err)
	}
	seen := make(map[string]bool, len(keep))
	for _, id := range keep {
		seen[id] = true
	}
	var ids []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if image != nil {
		for _, id := range image.FaceIDs {
			add(id)
		}
	}
	for _, f := range faces {
		add(f.FaceID)
	}
	return ids, nil
}

// removeFaces removes every face stored for bucket/key (image is its image
// item, or nil), and the image item too when withImage is set. It returns
// the removed FaceIds.
func (s *Service) removeFaces(ctx context.Context, image *ImageItem, bucket, key string, withImage bool) ([]string, error) {
	ids, err := s.oldFaceIDs(ctx, image, bucket, key, nil)
	if err != nil {
		return nil, err
	}
	var extra []string
	if withImage && image != nil {
		extra = []string{ImageItemID(bucket, key)}
	}
	return s.deleteFaces(ctx, ids, extra)
}

// deleteFaces deletes FaceIds from the collection and then their items, and
// the extra items, from the table. It returns ids.
func (s *Service) deleteFaces(ctx context.Context, ids, extra []string) ([]string, error) {
	for start := 0; start < len(ids); start += maxDeleteFaces {
		chunk := ids[start:min(start+maxDeleteFaces, len(ids))]
		_, err := s.rek.DeleteFaces(ctx, &rekognition.DeleteFacesInput{CollectionId: aws.String(s.cfg.CollectionID), FaceIds: chunk})
		if err != nil {
			return nil, fromAWS("Rekognition", err)
		}
	}
	items := append(append([]string(nil), ids...), extra...)
	if len(items) > 0 {
		if err := s.table.DeleteItems(ctx, items); err != nil {
			return nil, fromAWS("DynamoDB", err)
		}
	}
	return ids, nil
}

func boundingBox(b *rtypes.BoundingBox) BoundingBox {
	if b == nil {
		return BoundingBox{}
	}
	return BoundingBox{
		Width:  float64(aws.ToFloat32(b.Width)),
		Height: float64(aws.ToFloat32(b.Height)),
		Left:   float64(aws.ToFloat32(b.Left)),
		Top:    float64(aws.ToFloat32(b.Top)),
	}
}

// decodePerson returns the person named in object metadata. S3 user
// metadata is US-ASCII, so clients send other text as an RFC 2047 encoded
// word (=?UTF-8?B?...?=); such values are decoded, others kept as they are.
func decodePerson(v string) string {
	if !strings.HasPrefix(v, "=?") {
		return v
	}
	dec := new(mime.WordDecoder)
	if s, err := dec.DecodeHeader(v); err == nil {
		return s
	}
	return v
}

// externalImageIDPattern is Rekognition's pattern for ExternalImageId.
var externalImageIDPattern = regexp.MustCompile(`^[a-zA-Z0-9_.\-:]+$`)

// maxExternalImageID is the longest ExternalImageId Rekognition accepts.
const maxExternalImageID = 255

// ExternalImageID derives a valid Rekognition ExternalImageId (pattern
// [a-zA-Z0-9_.\-:]+, 1-255 characters; Rekognition API reference) from an S3
// object key. A key that already fits is used as it is; any other key has
// each disallowed byte replaced by '_', is cut to leave room, and gets ':'
// and 16 hex digits of the key's SHA-256, so different keys keep different
// ids. The real key is stored in the table; this id is informational.
func ExternalImageID(key string) string {
	if key != "" && len(key) <= maxExternalImageID && externalImageIDPattern.MatchString(key) {
		return key
	}
	var b bytes.Buffer
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c < 0x80 && externalImageIDPattern.Match([]byte{c}) {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	sum := sha256.Sum256([]byte(key))
	suffix := ":" + hex.EncodeToString(sum[:8])
	s := b.String()
	if len(s) > maxExternalImageID-len(suffix) {
		s = s[:maxExternalImageID-len(suffix)]
	}
	return s + suffix
}
