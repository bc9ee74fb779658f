package service

import (
	"context"
	"errors"
	"slices"
)

// PersonSummary is one person, as GET /persons lists it.
type PersonSummary struct {
	// Person is the name given at upload.
	Person string `json:"person"`
	// UserID is the person's Rekognition UserId.
	UserID string `json:"userId"`
	// FaceCount is the number of indexed faces of the person.
	FaceCount int `json:"faceCount"`
}

// PersonList is one page of persons, as GET /persons returns it.
type PersonList struct {
	// Persons of the page; a page may hold fewer persons than its limit,
	// even none, while more follow.
	Persons []PersonSummary `json:"persons"`
	// NextToken, when present, asks for the next page (opaque).
	NextToken string `json:"nextToken,omitempty"`
}

// Person is one person with its faces, as GET /persons/{person} returns it.
type Person struct {
	// Person is the name given at upload.
	Person string `json:"person"`
	// UserID is the person's Rekognition UserId.
	UserID string `json:"userId"`
	// Faces are the indexed faces of the person.
	Faces []Face `json:"faces"`
	// Images are the S3 keys of the images of those faces, sorted.
	Images []string `json:"images"`
}

// ListPersons returns one page of the persons named at upload, each with
// its number of faces: at most limit (1 to MaxFaceListLimit) persons, and
// a token for the next page unless it is the last. Errors as ListFaces.
func (s *Service) ListPersons(ctx context.Context, limit int, token string) (*PersonList, error) {
	if limit < 1 || limit > MaxFaceListLimit {
		return nil, newError(KindBadRequest, CodeInvalidParameter, "limit must be an integer from 1 to %d, not %d", MaxFaceListLimit, limit)
	}
	items, next, err := s.table.ListPersons(ctx, limit, token)
	if errors.Is(err, ErrInvalidToken) {
		return nil, newError(KindBadRequest, CodeInvalidParameter, "nextToken is not a token this service returned")
	}
	if err != nil {
		return nil, fromAWS("DynamoDB", err)
	}
	list := &PersonList{Persons: make([]PersonSummary, 0, len(items)), NextToken: next}
	for _, p := range items {
		faces, err := s.personFaces(ctx, p.Person)
		if err != nil {
			return nil, err
		}
		list.Persons = append(list.Persons, PersonSummary{Person: p.Person, UserID: p.UserID, FaceCount: len(faces)})
	}
	return list, nil
}

// Person returns the person named person with its faces and their
// images. Errors: KindNotFound when no person has that name, mapped AWS
// errors otherwise.
func (s *Service) Person(ctx context.Context, person string) (*Person, error) {
	userID := UserID(person)
	found, err := s.table.GetPersons(ctx, []string{userID})
	if err != nil {
		return nil, fromAWS("DynamoDB", err)
	}
	if _, ok := found[userID]; !ok {
		return nil, newError(KindNotFound, CodeNotFound, "no person %q", person)
	}
	items, err := s.personFaces(ctx, person)
	if err != nil {
		return nil, err
	}
	p := &Person{Person: person, UserID: userID, Faces: make([]Face, 0, len(items)), Images: []string{}}
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
		page, next, err := s.table.ListFaces(ctx, person, MaxFaceListLimit, token)
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
