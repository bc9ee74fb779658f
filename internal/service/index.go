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
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/uuid"

	"github.com/facerec/facerec-cdk/contract"
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
	// OutcomeRelabeled: the same bytes were already processed under
	// another name of the same person (a rename); the items took the new
	// name, nothing was indexed.
	OutcomeRelabeled = "relabeled"
	// OutcomeRemoved: the object no longer exists; its faces were removed
	// and its image item became a StatusRemoved tombstone.
	OutcomeRemoved = "removed"
)

// maxDeleteFaces is the most FaceIds one DeleteFaces call takes (4096;
// Rekognition API reference).
const maxDeleteFaces = 4096

// IndexResult says what Reconcile did to one object.
type IndexResult struct {
	// Bucket and Key name the object reconciled.
	Bucket, Key string
	// Outcome is one of the Outcome constants.
	Outcome string
	// Reason explains a rejection.
	Reason string
	// ReasonCode is the stable code of a rejection (one of the Code
	// constants, such as CodeImageTooSmall); empty otherwise.
	ReasonCode string
	// FaceIDs are the FaceIds indexed for the object (OutcomeIndexed).
	FaceIDs []string
	// UnindexedReasons has one entry per face IndexFaces detected but did
	// not index (OutcomeIndexed): Rekognition's reasons for it, such as
	// "EXCEEDS_MAX_FACES" or "LOW_SHARPNESS".
	UnindexedReasons [][]string
	// RemovedFaceIDs are the FaceIds of earlier versions that were removed.
	RemovedFaceIDs []string
}

// Reconcile brings the collection and the table in line with the object
// bucket/key as it is now, whatever event announced it: a new or changed
// image is indexed and replaces the faces of its earlier version; an object
// that is not a usable image, or whose person metadata breaks
// contract.ValidatePerson (INVALID_PARAMETER), is recorded as rejected
// (IndexFaces is not called). The upload decides the person: an upload
// without one indexes the image without a person, even if an earlier
// upload of it named one; the same bytes under another name of the same
// Rekognition user (a renamed person, see Rename) are only relabelled. A deleted object loses its faces and its image item becomes a
// StatusRemoved tombstone. Because it looks at the object rather than the
// event, it is idempotent and insensitive to event order: a redelivered
// event finds the same bytes (same SHA-256) and only removes faces that an
// interrupted earlier run left behind.
//
// Every item records the CollectionId it was indexed into. An image
// recorded in another collection (after the collection was replaced) or in
// none (recorded before collections were) is indexed again into the
// service's, so a re-index (every object reconciled once, as a backfill
// does) fills a new collection; faces recorded in another collection are
// never deleted from it, only their items from the table.
//
// Concurrent runs on one key are safe: each run commits by writing the
// image item on the condition that its Version is still the one the run
// read; a run that loses deletes the faces it indexed and starts over (up
// to maxConflictAttempts times, then KindConflict, so its event is
// retried). A face is removed only when the committed Version has reached
// the version its run targeted (FaceItem.TargetVersion) and the committed
// item does not name it, so no run removes faces that a run that can still
// commit needs, whatever the clocks say.
//
// It returns an error only when the work should be retried (conflicts, AWS
// throttling or failures, missing permissions); per-image problems are
// results.
func (s *Service) Reconcile(ctx context.Context, bucket, key string) (IndexResult, error) {
	var res IndexResult
	err := retryOnConflict(func() (err error) {
		res, err = s.reconcileOnce(ctx, bucket, key)
		return err
	})
	return res, err
}

// retryOnConflict runs op again while it fails with KindConflict, up to
// maxConflictAttempts runs in all, and returns its last error.
func retryOnConflict(op func() error) error {
	for attempt := 1; ; attempt++ {
		err := op()
		var e *Error
		if attempt == maxConflictAttempts || !errors.As(err, &e) || e.Kind != KindConflict {
			return err
		}
	}
}

// maxConflictAttempts bounds the runs Reconcile makes in a row when another
// run commits first; the loser has cleaned up, so it simply starts over.
const maxConflictAttempts = 3

func (s *Service) reconcileOnce(ctx context.Context, bucket, key string) (IndexResult, error) {
	res := IndexResult{Bucket: bucket, Key: key}
	log := s.log.With("bucket", bucket, "key", key)
	start := s.now()

	image, err := s.table.GetImage(ctx, bucket, key)
	if err != nil {
		return res, fromAWS("DynamoDB", err)
	}
	prev := ImageItem{Bucket: bucket, Key: key}
	if image != nil {
		prev = *image
	}
	obj, err := s.objects.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		var nsk *s3types.NoSuchKey
		if !errors.As(err, &nsk) {
			return res, fromAWS("S3", err)
		}
		// The tombstone is committed even for a key never recorded, so
		// that a run that indexed the object before it went cannot commit.
		tomb := tombstone(bucket, key, start)
		tomb.CollectionID = s.cfg.CollectionID
		if res.RemovedFaceIDs, err = s.replace(ctx, prev, tomb, nil); err != nil {
			return res, err
		}
		res.Outcome = OutcomeRemoved
		log.InfoContext(ctx, "object gone; removed its faces", "removedFaces", len(res.RemovedFaceIDs))
		return res, nil
	}
	defer obj.Body.Close()

	item := ImageItem{
		Bucket:    bucket,
		Key:       key,
		ETag:      strings.Trim(aws.ToString(obj.ETag), `"`),
		IndexedAt: start,
		// Recorded so that a re-index into another collection indexes
		// the image again (see unchanged below).
		CollectionID: s.cfg.CollectionID,
	}
	person, personErr := uploadPerson(obj.Metadata)
	item.Person = person
	if size := aws.ToInt64(obj.ContentLength); size > contract.MaxS3ImageBytes {
		if prev.Status == contract.StatusRejected && prev.ETag == item.ETag {
			return s.unchanged(ctx, log, res, prev, item)
		}
		return s.reject(ctx, log, res, prev, item, contract.CodeImageTooLarge, fmt.Sprintf("the object is %d bytes; Rekognition indexes images of at most %d bytes", size, contract.MaxS3ImageBytes))
	}
	data, err := io.ReadAll(io.LimitReader(obj.Body, contract.MaxS3ImageBytes+1))
	if err != nil {
		return res, fromAWS("S3", err)
	}
	sum := sha256.Sum256(data)
	item.ContentSHA256 = hex.EncodeToString(sum[:])
	if image != nil && prev.Status != StatusRemoved && prev.ContentSHA256 == item.ContentSHA256 && prev.CollectionID == item.CollectionID {
		if prev.Person == item.Person {
			return s.unchanged(ctx, log, res, prev, item)
		}
		if personErr == nil {
			same, err := s.samePerson(ctx, prev.Person, item.Person)
			if err != nil {
				return res, err
			}
			if same {
				return s.relabel(ctx, log, res, prev, item)
			}
		}
	}
	if personErr != nil {
		return s.reject(ctx, log, res, prev, item, contract.CodeInvalidParameter, personErr.Error())
	}
	if len(data) == 0 {
		return s.reject(ctx, log, res, prev, item, contract.CodeImageRequired, "the object is empty")
	}
	if verr := ValidateImage(data, contract.MaxS3ImageBytes); verr != nil {
		return s.reject(ctx, log, res, prev, item, verr.Code, verr.Message)
	}

	in := &rekognition.IndexFacesInput{
		CollectionId:    aws.String(s.cfg.CollectionID),
		ExternalImageId: aws.String(ExternalImageID(key)),
		MaxFaces:        aws.Int32(int32(s.cfg.MaxFaces)),
		QualityFilter:   rtypes.QualityFilter(s.cfg.QualityFilter),
	}
	if len(data) <= contract.MaxImageBytes {
		in.Image = &rtypes.Image{Bytes: data}
	} else {
		// Rekognition takes larger images (up to 15 MB) only from S3. It
		// reads the current version; if that changed meanwhile, its own
		// event reconciles again.
		in.Image = &rtypes.Image{S3Object: &rtypes.S3Object{Bucket: aws.String(bucket), Name: aws.String(key)}}
	}
	out, err := s.rek.IndexFaces(ctx, in, retryOnlyThrottling)
	if err != nil {
		e := fromAWS("Rekognition", err)
		if e.Kind.Temporary() || e.Kind == KindInternal {
			return res, e
		}
		return s.reject(ctx, log, res, prev, item, e.Code, e.Message)
	}
	for _, u := range out.UnindexedFaces {
		reasons := make([]string, len(u.Reasons))
		for i, r := range u.Reasons {
			reasons[i] = string(r)
		}
		item.UnindexedReasons = append(item.UnindexedReasons, strings.Join(reasons, "+"))
		res.UnindexedReasons = append(res.UnindexedReasons, reasons)
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
			Attributes:      attributesOf(r.FaceDetail),
			Bucket:          bucket,
			Key:             key,
			ETag:            item.ETag,
			ContentSHA256:   item.ContentSHA256,
			Person:          item.Person,
			IndexedAt:       item.IndexedAt,
			TargetVersion:   prev.Version + 1,
			CollectionID:    s.cfg.CollectionID,
		})
		item.FaceIDs = append(item.FaceIDs, aws.ToString(r.Face.FaceId))
	}
	item.Status = contract.StatusIndexed
	if item.Person != "" && len(item.FaceIDs) > 0 {
		// Indexed only once associated with the person (associatePending).
		item.Status = contract.StatusPending
	}
	item.FaceCount = len(faces)
	if err := s.table.PutFaces(ctx, faces); err != nil {
		return res, s.abandon(ctx, log, item.FaceIDs, fromAWS("DynamoDB", err))
	}
	if res.RemovedFaceIDs, err = s.replace(ctx, prev, item, item.FaceIDs); err != nil {
		return res, err
	}
	item.Version = prev.Version + 1
	if err := s.associatePending(ctx, log, item); err != nil {
		return res, err
	}
	res.Outcome = OutcomeIndexed
	res.FaceIDs = item.FaceIDs
	log.InfoContext(ctx, "image indexed", "faces", len(faces), "unindexedFaces", len(out.UnindexedFaces), "removedFaces", len(res.RemovedFaceIDs), "person", item.Person != "")
	return res, nil
}

// unchanged handles an object whose content was already processed. It
// still commits (same faces, new Version, the current ETag so that the
// image does not look pending after the same bytes were uploaded another
// way): a decision taken on the object as it is now must stop runs that
// read an older state of it, and the commit lets the stale-face rule remove
// what interrupted runs left.
func (s *Service) unchanged(ctx context.Context, log *slog.Logger, res IndexResult, prev, item ImageItem) (IndexResult, error) {
	next := prev
	next.ETag = item.ETag
	next.CollectionID = item.CollectionID
	var err error
	if res.RemovedFaceIDs, err = s.replace(ctx, prev, next, nil); err != nil {
		return res, err
	}
	// A run that committed but failed to associate the faces left the
	// item pending: its redelivered event finds the bytes unchanged.
	next.Version = prev.Version + 1
	if err := s.associatePending(ctx, log, next); err != nil {
		return res, err
	}
	res.Outcome = OutcomeUnchanged
	log.InfoContext(ctx, "image unchanged", "status", prev.Status, "removedFaces", len(res.RemovedFaceIDs))
	return res, nil
}

// relabel handles an object whose bytes were already processed and whose
// upload now names another name of the same Rekognition user (samePerson):
// a person being renamed, whose images Rename copies onto themselves with
// the new name. Its face items, then its image item (as unchanged commits
// it), take the new name; nothing is indexed, associated or
// disassociated.
func (s *Service) relabel(ctx context.Context, log *slog.Logger, res IndexResult, prev, item ImageItem) (IndexResult, error) {
	if err := s.relabelFaces(ctx, imageRef{Bucket: prev.Bucket, Key: prev.Key}, prev.Person, item.Person); err != nil {
		return res, err
	}
	renamed := prev
	renamed.Person = item.Person
	res, err := s.unchanged(ctx, log, res, renamed, item)
	if err != nil {
		return res, err
	}
	res.Outcome = OutcomeRelabeled
	return res, nil
}

// reject records item as rejected for reason, whose stable code is code,
// replacing prev.
func (s *Service) reject(ctx context.Context, log *slog.Logger, res IndexResult, prev, item ImageItem, code, reason string) (IndexResult, error) {
	item.Status = contract.StatusRejected
	item.Reason = reason
	removed, err := s.replace(ctx, prev, item, nil)
	if err != nil {
		return res, err
	}
	res.Outcome = OutcomeRejected
	res.Reason = reason
	res.ReasonCode = code
	res.RemovedFaceIDs = removed
	log.WarnContext(ctx, "image rejected", "reason", reason)
	return res, nil
}

// replace commits next in place of prev (conditional on prev.Version) and
// then removes the faces that next makes stale. If the commit fails and the
// stored item is not this run's, the faces in created (indexed by this run)
// are removed again and the error returned; if the outcome cannot be
// known, they are left for the stale-face rule of a later run. It returns
// the removed FaceIds.
func (s *Service) replace(ctx context.Context, prev, next ImageItem, created []string) ([]string, error) {
	next.Version = prev.Version + 1
	next.RunID = uuid.NewString()
	if err := s.table.PutImage(ctx, next, prev.Version); err != nil {
		// A write whose answer was lost may still have been applied (the
		// SDK's retry of it then fails its condition): read it back.
		cur, gerr := s.table.GetImage(ctx, next.Bucket, next.Key)
		if gerr != nil {
			// Outcome unknown: keep the faces; if the write was not
			// applied, the stale-face rule removes them later.
			return nil, fromAWS("DynamoDB", err)
		}
		if cur == nil || cur.RunID != next.RunID {
			// Not applied: remove this run's faces, except any that the
			// stored item names.
			var own []string
			for _, id := range created {
				if cur == nil || !slices.Contains(cur.FaceIDs, id) {
					own = append(own, id)
				}
			}
			cause := fromAWS("DynamoDB", err)
			if errors.Is(err, ErrVersionConflict) {
				cause = &Error{Kind: KindConflict, Code: contract.CodeConflict, Message: "the image changed while it was being processed; retry", Err: err}
			}
			return nil, s.abandon(ctx, s.log, own, cause)
		}
	}
	ids := make([]string, 0, len(prev.FaceIDs))
	for _, id := range prev.FaceIDs {
		if !slices.Contains(next.FaceIDs, id) {
			ids = append(ids, id)
		}
	}
	stale, foreign, err := s.staleFaces(ctx, next, ids)
	if err != nil {
		return nil, err
	}
	if s.foreign(prev.CollectionID) {
		// The faces of a version indexed into another collection stay
		// there, untouched; only their items leave the table.
		foreign, ids = append(foreign, ids...), nil
	}
	removed, err := s.deleteFaces(ctx, append(ids, stale...))
	if err != nil {
		return nil, err
	}
	if len(foreign) > 0 {
		if err := s.table.DeleteItems(ctx, foreign); err != nil {
			return nil, fromAWS("DynamoDB", err)
		}
	}
	return append(removed, foreign...), nil
}

// foreign reports whether collectionID names a collection other than the
// service's: faces recorded there are never deleted from it (a re-index
// into a new collection leaves the old one as it was, for its owner to
// remove). "" (recorded before collections were) is not foreign.
func (s *Service) foreign(collectionID string) bool {
	return collectionID != "" && collectionID != s.cfg.CollectionID
}

// staleFaces returns the FaceIds of the face items stored for ref's object
// that ref does not name, that are not in also, and whose TargetVersion
// ref.Version has reached: left by earlier versions, or by runs that lost
// or failed. Faces of runs that can still commit target a later version.
// Those in the service's collection are in ids, those recorded in another
// (see foreign) in foreign.
func (s *Service) staleFaces(ctx context.Context, ref ImageItem, also []string) (ids, foreign []string, err error) {
	faces, err := s.table.FacesOfObject(ctx, ref.Bucket, ref.Key)
	if err != nil {
		return nil, nil, fromAWS("DynamoDB", err)
	}
	for _, f := range faces {
		if f.TargetVersion <= ref.Version && !slices.Contains(ref.FaceIDs, f.FaceID) && !slices.Contains(also, f.FaceID) {
			if s.foreign(f.CollectionID) {
				foreign = append(foreign, f.FaceID)
			} else {
				ids = append(ids, f.FaceID)
			}
		}
	}
	return ids, foreign, nil
}

// cleanupTimeout bounds abandon's calls, which run even after the run's
// context is done.
const cleanupTimeout = 4 * time.Second

// abandon removes the faces a failed run indexed (best effort, even if ctx
// is done) so that they do not linger in the collection, logs what it
// could not remove, and returns cause.
func (s *Service) abandon(ctx context.Context, log *slog.Logger, created []string, cause error) error {
	if len(created) == 0 {
		return cause
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if _, err := s.deleteFaces(cctx, created); err != nil {
		log.ErrorContext(ctx, "could not remove the faces of a failed run; a later run or the sweeper removes them", "faces", len(created), "err", err)
	}
	return cause
}

// deleteFaces deletes FaceIds from the collection (removeFromCollection:
// faces of a Rekognition user are disassociated from it first, and a face
// still refused is an error) and then their items from the table, and
// returns ids.
func (s *Service) deleteFaces(ctx context.Context, ids []string) ([]string, error) {
	for chunk := range slices.Chunk(ids, maxDeleteFaces) {
		if err := s.removeFromCollection(ctx, chunk); err != nil {
			return nil, err
		}
	}
	if len(ids) > 0 {
		if err := s.table.DeleteItems(ctx, ids); err != nil {
			return nil, fromAWS("DynamoDB", err)
		}
	}
	return ids, nil
}

// retryOnlyThrottling makes an IndexFaces call retry only when throttled.
// IndexFaces is not idempotent: a call retried after a server error or a
// lost connection may have been applied and would index the faces twice;
// a throttled call was not applied. Other failures go back to the queue,
// whose redelivery reconciles from the current state.
func retryOnlyThrottling(o *rekognition.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.Retryables = []retry.IsErrorRetryable{retry.RetryableErrorCode{Codes: retry.DefaultThrottleErrorCodes}}
	})
}

func boundingBox(b *rtypes.BoundingBox) contract.BoundingBox {
	if b == nil {
		return contract.BoundingBox{}
	}
	return contract.BoundingBox{
		Width:  float64(aws.ToFloat32(b.Width)),
		Height: float64(aws.ToFloat32(b.Height)),
		Left:   float64(aws.ToFloat32(b.Left)),
		Top:    float64(aws.ToFloat32(b.Top)),
	}
}

// uploadPerson returns the person an upload names in its metadata (see
// decodePerson), "" when it names none. A name that breaks
// contract.ValidatePerson gives "" and the rule's error: such an upload
// is rejected, and no such name is ever stored.
func uploadPerson(metadata map[string]string) (string, error) {
	person := decodePerson(metadata[contract.PersonMetadataKey])
	if person == "" {
		return "", nil
	}
	if err := contract.ValidatePerson(person); err != nil {
		return "", err
	}
	return person, nil
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
	sum := sha256.Sum256([]byte(key))
	suffix := ":" + hex.EncodeToString(sum[:8])
	s := externalImageChars(key)
	if len(s) > maxExternalImageID-len(suffix) {
		s = s[:maxExternalImageID-len(suffix)]
	}
	return s + suffix
}

// externalImageChars returns key with each byte that Rekognition's
// ExternalImageId pattern does not allow replaced by '_'.
func externalImageChars(key string) string {
	var b bytes.Buffer
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c < 0x80 && externalImageIDPattern.Match([]byte{c}) {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
