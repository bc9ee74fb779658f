package service

import (
	"context"
	"errors"
	"slices"

	"github.com/facerec/facerec-cdk/contract"
)

func faceOf(f FaceItem) contract.Face {
	return contract.Face{FaceID: f.FaceID, BoundingBox: f.BoundingBox, Confidence: f.Confidence, Person: f.Person, Key: f.Key, IndexedAt: f.IndexedAt, FaceAttributes: f.Attributes}
}

// ListFaces returns one page of the indexed faces, of person if it is not
// empty, else of all: at most limit (1 to MaxFaceListLimit) faces, and a
// token for the next page unless it is the last. Errors: KindBadRequest
// (CodeInvalidParameter) for a limit out of range or a token that is not
// one ListFaces returned, mapped AWS errors otherwise.
func (s *Service) ListFaces(ctx context.Context, person string, limit int, token string) (*contract.FaceList, error) {
	if limit < 1 || limit > contract.MaxFaceListLimit {
		return nil, newError(KindBadRequest, contract.CodeInvalidParameter, "limit must be an integer from 1 to %d, not %d", contract.MaxFaceListLimit, limit)
	}
	items, next, err := s.table.ListFaces(ctx, person, limit, token)
	if errors.Is(err, ErrInvalidToken) {
		return nil, newError(KindBadRequest, contract.CodeInvalidParameter, "nextToken is not a token this service returned")
	}
	if err != nil {
		return nil, fromAWS("DynamoDB", err)
	}
	list := &contract.FaceList{Faces: make([]contract.Face, 0, len(items)), NextToken: next}
	for _, f := range items {
		list.Faces = append(list.Faces, faceOf(f))
	}
	return list, nil
}

// Face returns the indexed face faceID. Errors: KindNotFound when no face
// has that id, mapped AWS errors otherwise.
func (s *Service) Face(ctx context.Context, faceID string) (*contract.Face, error) {
	f, err := s.getFace(ctx, faceID)
	if err != nil {
		return nil, err
	}
	face := faceOf(*f)
	return &face, nil
}

func (s *Service) getFace(ctx context.Context, faceID string) (*FaceItem, error) {
	f, err := s.table.GetFace(ctx, faceID)
	if err != nil {
		return nil, fromAWS("DynamoDB", err)
	}
	if f == nil {
		return nil, newError(KindNotFound, contract.CodeNotFound, "no such face")
	}
	return f, nil
}

// DeleteFace removes the face faceID from its image: it commits the image
// item without that FaceId through the same conditional commit as
// Reconcile, which removes the face from the collection (and its user)
// and the table, and writes an erasure record (ErasureFace). A
// commit that loses to another run starts over (up to maxConflictAttempts
// times, then KindConflict). The image and its other faces stay; a later
// change of the image's bytes indexes its faces again, while a redelivered
// event for the same bytes does not. Errors: KindNotFound when no face has
// that id, KindConflict when the face's image has no committed item yet
// (it is being indexed), KindUnavailable (503, Retry-After) when
// Rekognition keeps refusing to delete the face, mapped AWS errors
// otherwise; a failed run can be repeated until it succeeds.
func (s *Service) DeleteFace(ctx context.Context, faceID string) (*contract.DeletedFace, error) {
	var key string
	if err := retryOnConflict(func() (err error) {
		key, err = s.deleteFaceOnce(ctx, faceID)
		return err
	}); err != nil {
		return nil, err
	}
	if err := s.record(ctx, ErasureRecord{Kind: contract.ErasureFace, Faces: 1, Keys: []string{key}}); err != nil {
		return nil, err
	}
	return &contract.DeletedFace{FaceID: faceID, Deleted: true}, nil
}

// deleteFaceOnce commits the image item of faceID's image without it and
// returns the image's key.
func (s *Service) deleteFaceOnce(ctx context.Context, faceID string) (string, error) {
	f, err := s.getFace(ctx, faceID)
	if err != nil {
		return "", err
	}
	img, err := s.table.GetImage(ctx, f.Bucket, f.Key)
	if err != nil {
		return "", fromAWS("DynamoDB", err)
	}
	if img == nil {
		return "", newError(KindConflict, contract.CodeConflict, "the image of face %q is being indexed; retry", faceID)
	}
	next := *img
	next.FaceIDs = slices.DeleteFunc(slices.Clone(img.FaceIDs), func(id string) bool { return id == faceID })
	next.FaceCount = len(next.FaceIDs)
	_, err = s.replace(ctx, *img, next, nil)
	return f.Key, err
}
