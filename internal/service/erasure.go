package service

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"

	"github.com/facerec/facerec-cdk/contract"
)

// ErasureRecord is what the table keeps of one erasure (DELETE of a
// person, a face or an image): its kind, its time, what it removed and the
// object keys of the images it concerned; never a person's name, a FaceId,
// a content hash or image bytes. FaceIds are random, but they are what the
// API returned for the faces and what clients may have kept beside a name,
// so keeping them would keep a link to the erased person: only their
// number is kept. Object keys are kept because they say which images were
// erased; they are the filenames clients chose (see the README on
// filenames that hold names).
type ErasureRecord struct {
	// ID is the record's partition key: contract.ErasureItemPrefix and a
	// random UUID.
	ID string
	// Kind is contract.ErasurePerson, ErasureFace or ErasureImage.
	Kind string
	// At is when the erasure finished (UTC).
	At time.Time
	// Faces is the number of faces removed from the collection and the
	// table.
	Faces int
	// Keys are the object keys of the images erased (for a face, of its
	// image, which stays), sorted.
	Keys []string
	// Versions is the number of object versions and delete markers
	// deleted.
	Versions int
	// Users is the number of Rekognition users deleted.
	Users int
}

// erasure counts what eraseImage removed.
type erasure struct {
	faces, versions int
}

// tombstone returns the tombstone of bucket/key committed at t: the key,
// StatusRemoved and the time to live, nothing else (no name, no hash, no
// ETag, no faces).
func tombstone(bucket, key string, t time.Time) ImageItem {
	return ImageItem{Bucket: bucket, Key: key, Status: StatusRemoved, IndexedAt: t, ExpiresAt: t.Add(contract.TombstoneTTLDays * 24 * time.Hour)}
}

// maxVersionPasses is how many times eraseImage lists an object's versions
// to delete them: until a listing finds none, or this many listings.
const maxVersionPasses = 4

// eraseImage erases the image ref: it deletes every version and delete
// marker of its object, commits its tombstone (which removes the faces the
// image item named, and stale ones), and then removes every face still
// recorded for the object, which only runs that can no longer commit
// left. Each step can be repeated, so a failed erasure is finished by
// running it again.
func (s *Service) eraseImage(ctx context.Context, ref imageRef) (erasure, error) {
	var e erasure
	// The faces are counted before the object goes: its ObjectRemoved
	// event may remove them first (the count is what the erasure removed,
	// whoever made the calls).
	removed := map[string]bool{}
	if err := s.noteFaces(ctx, ref, removed); err != nil {
		return e, err
	}
	// The object is listed again until no version is left: one written
	// while the listed ones were deleted (a rename's copy, an upload)
	// goes too, up to maxVersionPasses listings.
	for range maxVersionPasses {
		n, err := s.deleteVersions(ctx, ref, false)
		if err != nil {
			return e, err
		}
		e.versions += n
		if n == 0 {
			break
		}
	}
	err := retryOnConflict(func() error {
		img, err := s.table.GetImage(ctx, ref.Bucket, ref.Key)
		if err != nil {
			return fromAWS("DynamoDB", err)
		}
		prev := ImageItem{Bucket: ref.Bucket, Key: ref.Key}
		if img != nil {
			prev = *img
		}
		ids, err := s.replace(ctx, prev, tombstone(ref.Bucket, ref.Key, s.now()), nil)
		for _, id := range ids {
			removed[id] = true
		}
		return err
	})
	if err != nil {
		return e, err
	}
	left, err := s.table.FacesOfObject(ctx, ref.Bucket, ref.Key)
	if err != nil {
		return e, fromAWS("DynamoDB", err)
	}
	ids := make([]string, 0, len(left))
	for _, f := range left {
		ids = append(ids, f.FaceID)
	}
	if _, err := s.deleteFaces(ctx, ids); err != nil {
		return e, err
	}
	for _, id := range ids {
		removed[id] = true
	}
	e.faces = len(removed)
	return e, nil
}

// noteFaces adds to faces the FaceIds the image item of ref names and
// those recorded for its object.
func (s *Service) noteFaces(ctx context.Context, ref imageRef, faces map[string]bool) error {
	img, err := s.table.GetImage(ctx, ref.Bucket, ref.Key)
	if err != nil {
		return fromAWS("DynamoDB", err)
	}
	if img != nil {
		for _, id := range img.FaceIDs {
			faces[id] = true
		}
	}
	recorded, err := s.table.FacesOfObject(ctx, ref.Bucket, ref.Key)
	if err != nil {
		return fromAWS("DynamoDB", err)
	}
	for _, f := range recorded {
		faces[f.FaceID] = true
	}
	return nil
}

// deleteVersions deletes every version and delete marker of the object
// ref (DeleteObject with its VersionId: gone for good, no new delete
// marker), or with keepLatest every one but the current version, and
// returns how many it deleted.
func (s *Service) deleteVersions(ctx context.Context, ref imageRef, keepLatest bool) (int, error) {
	var versions []*string
	p := s3.NewListObjectVersionsPaginator(s.objects, &s3.ListObjectVersionsInput{Bucket: aws.String(ref.Bucket), Prefix: aws.String(ref.Key)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fromAWS("S3", err)
		}
		for _, v := range page.Versions {
			if aws.ToString(v.Key) == ref.Key && !(keepLatest && aws.ToBool(v.IsLatest)) {
				versions = append(versions, v.VersionId)
			}
		}
		for _, m := range page.DeleteMarkers {
			if aws.ToString(m.Key) == ref.Key && !(keepLatest && aws.ToBool(m.IsLatest)) {
				versions = append(versions, m.VersionId)
			}
		}
	}
	for _, v := range versions {
		if _, err := s.objects.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key), VersionId: v}); err != nil {
			return 0, fromAWS("S3", err)
		}
	}
	return len(versions), nil
}

// record writes the erasure record rec, with a new ID and the time.
func (s *Service) record(ctx context.Context, rec ErasureRecord) error {
	rec.ID = contract.ErasureItemPrefix + uuid.NewString()
	rec.At = s.now()
	slices.Sort(rec.Keys)
	if err := s.table.PutErasure(ctx, rec); err != nil {
		return fromAWS("DynamoDB", err)
	}
	s.log.InfoContext(ctx, "erased", "erasure", rec.ID, "kind", rec.Kind, "faces", rec.Faces, "images", len(rec.Keys), "versions", rec.Versions, "users", rec.Users)
	return nil
}

// DeleteImage erases the image stored as filename under the configured
// prefix and bucket: every version of its object and every delete marker
// (the bucket is versioned: a plain delete would leave the bytes as a
// noncurrent version), its faces (from the collection, their users and
// the table), and its image item's name and hash (the item becomes a
// tombstone); then it writes an erasure record. Erasing a filename that
// is not stored succeeds with zero counts. A run that fails can be
// repeated until it succeeds. Errors: KindBadRequest for an invalid
// filename, KindUnavailable (503, Retry-After) when Rekognition keeps
// refusing to delete a face, mapped AWS errors otherwise.
func (s *Service) DeleteImage(ctx context.Context, filename string) (*contract.DeletedImage, error) {
	if err := ValidateFilename(s.cfg.ImagePrefix, filename); err != nil {
		return nil, err
	}
	ref := imageRef{Bucket: s.cfg.BucketName, Key: s.cfg.ImagePrefix + filename}
	e, err := s.eraseImage(ctx, ref)
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, ErasureRecord{Kind: contract.ErasureImage, Faces: e.faces, Keys: []string{ref.Key}, Versions: e.versions}); err != nil {
		return nil, err
	}
	return &contract.DeletedImage{Key: ref.Key, DeletedFaces: e.faces, DeletedVersions: e.versions}, nil
}

// maxDeleteAttempts bounds the DeleteFaces calls made for one chunk of
// faces that Rekognition refuses to delete.
const maxDeleteAttempts = 3

// leftRetryAfter is the wait suggested to clients when faces were left.
const leftRetryAfter = time.Second

// removeFromCollection deletes ids (at most maxDeleteFaces) from the
// collection. Rekognition refuses to delete a face of a user: such faces
// leave their users (DisassociateFaces) and are deleted again, up to
// maxDeleteAttempts calls; a face reported not found is gone. A face
// still refused then is an error of KindUnavailable (retry later), never
// a silent leftover.
func (s *Service) removeFromCollection(ctx context.Context, ids []string) error {
	for attempt := 1; ; attempt++ {
		out, err := s.rek.DeleteFaces(ctx, &rekognition.DeleteFacesInput{CollectionId: aws.String(s.cfg.CollectionID), FaceIds: ids})
		if err != nil {
			return fromAWS("Rekognition", err)
		}
		var refused []rtypes.UnsuccessfulFaceDeletion
		for _, u := range out.UnsuccessfulFaceDeletions {
			if !slices.Contains(u.Reasons, rtypes.UnsuccessfulFaceDeletionReasonFaceNotFound) {
				refused = append(refused, u)
			}
		}
		if len(refused) == 0 {
			return nil
		}
		if attempt == maxDeleteAttempts {
			return &Error{Kind: KindUnavailable, Code: contract.CodeUnavailable, Service: "Rekognition", RetryAfter: leftRetryAfter,
				Message: "Rekognition did not delete every face; retry later"}
		}
		ids = ids[:0:0]
		for _, u := range refused {
			ids = append(ids, aws.ToString(u.FaceId))
		}
		if err := s.disassociate(ctx, refused); err != nil {
			return err
		}
	}
}

// errNotFoundUser reports whether err is Rekognition's answer for a user
// that does not exist.
func errNotFoundUser(err error) bool {
	var missing *rtypes.ResourceNotFoundException
	return errors.As(err, &missing)
}

// deleteUser deletes the Rekognition user userID and reports whether it
// existed.
func (s *Service) deleteUser(ctx context.Context, userID string) (bool, error) {
	_, err := s.rek.DeleteUser(ctx, &rekognition.DeleteUserInput{
		CollectionId:       aws.String(s.cfg.CollectionID),
		UserId:             aws.String(userID),
		ClientRequestToken: userToken("DeleteUser", userID),
	})
	if errNotFoundUser(err) {
		return false, nil
	}
	if err != nil {
		return false, fromAWS("Rekognition", err)
	}
	return true, nil
}
