package service

import (
	"context"
	"errors"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/facerec/facerec-cdk/contract"
)

// ListPersons returns one page of the persons named at upload, each with
// its number of faces: at most limit (1 to MaxFaceListLimit) persons, and
// a token for the next page unless it is the last. Errors as ListFaces.
func (s *Service) ListPersons(ctx context.Context, limit int, token string) (*contract.PersonList, error) {
	if limit < 1 || limit > contract.MaxFaceListLimit {
		return nil, newError(KindBadRequest, contract.CodeInvalidParameter, "limit must be an integer from 1 to %d, not %d", contract.MaxFaceListLimit, limit)
	}
	items, next, err := s.table.ListPersons(ctx, limit, token)
	if errors.Is(err, ErrInvalidToken) {
		return nil, newError(KindBadRequest, contract.CodeInvalidParameter, "nextToken is not a token this service returned")
	}
	if err != nil {
		return nil, fromAWS("DynamoDB", err)
	}
	list := &contract.PersonList{Persons: make([]contract.PersonSummary, 0, len(items)), NextToken: next}
	for _, p := range items {
		faces, err := s.personFaces(ctx, p.Person)
		if err != nil {
			return nil, err
		}
		list.Persons = append(list.Persons, contract.PersonSummary{Person: p.Person, UserID: p.UserID, FaceCount: len(faces)})
	}
	return list, nil
}

// personUserID returns the UserId of the person named person, or a
// KindNotFound error if no person item names it.
func (s *Service) personUserID(ctx context.Context, person string) (string, error) {
	userID := UserID(person)
	found, err := s.table.GetPersons(ctx, []string{userID})
	if err != nil {
		return "", fromAWS("DynamoDB", err)
	}
	if _, ok := found[userID]; !ok {
		return "", newError(KindNotFound, contract.CodeNotFound, "no person %q", person)
	}
	return userID, nil
}

// Person returns the person named person with its faces and their
// images. Errors: KindNotFound when no person has that name, mapped AWS
// errors otherwise.
func (s *Service) Person(ctx context.Context, person string) (*contract.Person, error) {
	userID, err := s.personUserID(ctx, person)
	if err != nil {
		return nil, err
	}
	items, err := s.personFaces(ctx, person)
	if err != nil {
		return nil, err
	}
	p := &contract.Person{Person: person, UserID: userID, Faces: make([]contract.Face, 0, len(items)), Images: []string{}}
	for _, f := range items {
		p.Faces = append(p.Faces, faceOf(f))
		if !slices.Contains(p.Images, f.Key) {
			p.Images = append(p.Images, f.Key)
		}
	}
	slices.Sort(p.Images)
	return p, nil
}

// personFaces returns all face items of person, reading every page of
// FaceTable.ListFaces.
func (s *Service) personFaces(ctx context.Context, person string) ([]FaceItem, error) {
	var faces []FaceItem
	token := ""
	for {
		page, next, err := s.table.ListFaces(ctx, person, contract.MaxFaceListLimit, token)
		if err != nil {
			return nil, fromAWS("DynamoDB", err)
		}
		faces = append(faces, page...)
		if next == "" {
			return faces, nil
		}
		token = next
	}
}

// DeletePerson erases the person named person: for each image of its
// faces it commits the image item without them through the conditional
// commit of DeleteFace (which disassociates them from the user and
// removes them from the collection and the table), deleting first the S3
// object of an image all of whose faces were the person's, so that a
// failed commit is completed by the reconcile of the object's
// ObjectRemoved event. Then it deletes the Rekognition user and the
// person item. A run that fails can be repeated until the person item is
// gone. Errors: KindNotFound when no person has that name, KindConflict
// when an image of the person is being indexed, mapped AWS errors
// otherwise.
func (s *Service) DeletePerson(ctx context.Context, person string) (*contract.DeletedPerson, error) {
	userID, err := s.personUserID(ctx, person)
	if err != nil {
		return nil, err
	}
	faces, err := s.personFaces(ctx, person)
	if err != nil {
		return nil, err
	}
	images := map[imageRef][]string{}
	for _, f := range faces {
		ref := imageRef{Bucket: f.Bucket, Key: f.Key}
		images[ref] = append(images[ref], f.FaceID)
	}
	out := &contract.DeletedPerson{Person: person, DeletedFaces: len(faces), DeletedImages: []string{}, KeptImages: []string{}}
	for ref, ids := range images {
		var deleted bool
		if err := retryOnConflict(func() (err error) {
			deleted, err = s.dropFaces(ctx, ref, ids)
			return err
		}); err != nil {
			return nil, err
		}
		if deleted {
			out.DeletedImages = append(out.DeletedImages, ref.Key)
		} else {
			out.KeptImages = append(out.KeptImages, ref.Key)
		}
	}
	slices.Sort(out.DeletedImages)
	slices.Sort(out.KeptImages)
	_, err = s.rek.DeleteUser(ctx, &rekognition.DeleteUserInput{
		CollectionId:       aws.String(s.cfg.CollectionID),
		UserId:             aws.String(userID),
		ClientRequestToken: userToken("DeleteUser", userID),
	})
	var missing *rtypes.ResourceNotFoundException
	if err != nil && !errors.As(err, &missing) {
		return nil, fromAWS("Rekognition", err)
	}
	if err := s.table.DeletePerson(ctx, userID); err != nil {
		return nil, fromAWS("DynamoDB", err)
	}
	return out, nil
}

// imageRef names one stored image.
type imageRef struct {
	// Bucket and Key name the object.
	Bucket, Key string
}

// dropFaces commits the image item of ref without the faces ids and
// reports whether the image was deleted: when the item named some of ids
// and no face of the image is left, its object is deleted before the
// commit.
func (s *Service) dropFaces(ctx context.Context, ref imageRef, ids []string) (bool, error) {
	img, err := s.table.GetImage(ctx, ref.Bucket, ref.Key)
	if err != nil {
		return false, fromAWS("DynamoDB", err)
	}
	if img == nil {
		return false, newError(KindConflict, contract.CodeConflict, "the image %q is being indexed; retry", ref.Key)
	}
	if img.Status == StatusRemoved {
		// The object is gone and its tombstone committed (after a
		// DeleteObject of an earlier try, the ObjectRemoved event's
		// reconcile may win the race): its faces went with it.
		return true, nil
	}
	next := *img
	next.FaceIDs = slices.DeleteFunc(slices.Clone(img.FaceIDs), func(id string) bool { return slices.Contains(ids, id) })
	next.FaceCount = len(next.FaceIDs)
	deleted := len(next.FaceIDs) == 0 && len(img.FaceIDs) > 0
	if deleted {
		if _, err := s.objects.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key)}); err != nil {
			return false, fromAWS("S3", err)
		}
	}
	_, err = s.replace(ctx, *img, next, nil)
	return deleted, err
}
