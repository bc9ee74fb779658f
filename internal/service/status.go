package service

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/facerec/facerec-cdk/contract"
)

// ValidateFilename checks a filename given in a route: it becomes part of
// an object key, so it must not be empty, have empty, "." or ".."
// segments, be invalid UTF-8, contain control characters, or make a key
// longer than S3's 1,024 bytes (S3 limits). Errors are KindBadRequest.
func ValidateFilename(prefix, name string) *Error {
	bad := func(why string) *Error {
		return newError(KindBadRequest, contract.CodeInvalidBody, "invalid filename: %s", why)
	}
	if name == "" {
		return bad("it is empty")
	}
	if len(prefix)+len(name) > 1024 {
		return bad("the object key would be longer than 1024 bytes")
	}
	for _, seg := range strings.Split(name, "/") {
		switch seg {
		case "":
			return bad("it has an empty path segment")
		case ".", "..":
			return bad("it has a \".\" or \"..\" path segment")
		}
	}
	if !utf8.ValidString(name) {
		// S3 keys are UTF-8 (S3 User Guide, object keys).
		return bad("it is not valid UTF-8")
	}
	if strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return bad("it contains control characters")
	}
	return nil
}

// Status returns the indexing state of the image stored as filename under
// the configured prefix and bucket: "pending" while the stored object is
// not the upload its image item describes (new, or replaced and not yet
// processed: another ETag, or the same bytes with another person), else
// the image item's status and faces. Errors:
// KindBadRequest for an invalid filename, KindNotFound when no such object
// is stored, mapped AWS errors otherwise.
func (s *Service) Status(ctx context.Context, filename string) (*contract.ImageStatus, error) {
	st, _, err := s.status(ctx, filename)
	return st, err
}

// noImage is the KindNotFound of a filename under which no image is
// stored. Its message, which is logged, leaves the filename out: it may
// hold a person's name.
func noImage() *Error {
	return newError(KindNotFound, contract.CodeNotFound, "no image is stored under this filename")
}

// status is Status, which also returns the stored object's HeadObject
// answer: the version the status describes.
func (s *Service) status(ctx context.Context, filename string) (*contract.ImageStatus, *s3.HeadObjectOutput, error) {
	if err := ValidateFilename(s.cfg.ImagePrefix, filename); err != nil {
		return nil, nil, err
	}
	key := s.cfg.ImagePrefix + filename
	head, err := s.objects.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.cfg.BucketName), Key: aws.String(key)})
	var nf *s3types.NotFound
	if errors.As(err, &nf) {
		return nil, nil, noImage()
	}
	if err != nil {
		return nil, nil, fromAWS("S3", err)
	}
	img, err := s.table.GetImage(ctx, s.cfg.BucketName, key)
	if err != nil {
		return nil, nil, fromAWS("DynamoDB", err)
	}
	st := &contract.ImageStatus{Key: key, Faces: []contract.StatusFace{}}
	// Pending until a run has processed this upload: its bytes (ETag)
	// and what it asked for (its person, which an upload of the same
	// bytes may change).
	person, _ := uploadPerson(head.Metadata) // an invalid name is recorded as none, with the rejection
	if img == nil || img.ETag != strings.Trim(aws.ToString(head.ETag), `"`) || img.Person != person {
		st.Status = contract.StatusPending
		return st, head, nil
	}
	st.Status, st.Reason = img.Status, img.Reason
	at := img.IndexedAt
	st.IndexedAt = &at
	if len(img.FaceIDs) == 0 {
		return st, head, nil
	}
	faces, err := s.table.GetFaces(ctx, img.FaceIDs)
	if err != nil {
		return nil, nil, fromAWS("DynamoDB", err)
	}
	for _, id := range img.FaceIDs {
		if f, ok := faces[id]; ok {
			st.Faces = append(st.Faces, contract.StatusFace{
				FaceID: f.FaceID, ImageID: f.ImageID, ExternalImageID: f.ExternalImageID,
				BoundingBox: f.BoundingBox, Confidence: f.Confidence, Person: f.Person, FaceAttributes: f.Attributes,
			})
		}
	}
	return st, head, nil
}
