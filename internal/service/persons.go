package service

import (
	"context"
	"errors"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"

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

// personUserID returns the UserId of the person named person (resolve),
// or a KindNotFound error if person names no user with a person item.
func (s *Service) personUserID(ctx context.Context, person string) (string, error) {
	userID, item, err := s.resolve(ctx, person)
	if err != nil {
		return "", err
	}
	if item == nil {
		return "", newError(KindNotFound, contract.CodeNotFound, "no such person")
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

// DeletePerson erases the person named person. Every image that names
// the person (the images of its faces, and those uploaded with its name
// whose faces were not indexed or were rejected) is erased as
// DeleteImage erases one: every version of its object, its faces (from
// the collection, the user and the table) and its item's name and hash.
// While a rename of the person is unfinished, the images of its other
// name (the person item's Person and Renaming) are erased too: they are
// the same user's. Then the images of any face the person's Rekognition
// user still has (ListFaces of its UserId: one PersonIndex did not show
// yet) are erased too, and faces of the user without a face item are
// deleted. Then it deletes the Rekognition user, writes an
// erasure record (counts, keys and time, no name), deletes the alias
// items of those names that name the user and deletes the person item
// last, so that a run that fails can be repeated until it succeeds. The
// person item is deleted only if it still holds what was read: a rename
// that started meanwhile makes the erasure go round again, by the
// person's UserId (up to maxErasureRounds, then KindConflict). Once it
// answers, no item names the person. Errors: KindNotFound when nothing
// names the person, KindUnavailable (503, Retry-After) when Rekognition
// keeps refusing to delete a face, mapped AWS errors otherwise.
func (s *Service) DeletePerson(ctx context.Context, person string) (*contract.DeletedPerson, error) {
	var out *contract.DeletedPerson
	userID := ""
	for range maxErasureRounds {
		round, id, err := s.erasePerson(ctx, person, userID)
		userID = id
		if out != nil {
			if e := (*Error)(nil); errors.As(err, &e) && e.Kind == KindNotFound {
				// The rename that changed the person item ended (or
				// failed) between the rounds: nothing is left.
				return out, nil
			}
			if round != nil {
				round.DeletedFaces += out.DeletedFaces
				round.DeletedImages = slices.Compact(slices.Sorted(slices.Values(append(round.DeletedImages, out.DeletedImages...))))
			}
		}
		if !errors.Is(err, errPersonChanged) {
			return round, err
		}
		out = round
	}
	return nil, newError(KindConflict, contract.CodeConflict, "the person kept changing while it was erased (a rename under way?); repeat the request")
}

// maxErasureRounds is how many times DeletePerson erases a person whose
// item a rename changed meanwhile before it answers 409.
const maxErasureRounds = 3

// errPersonChanged is erasePerson's answer when the person item changed
// (a rename started) after it was read: the erasure so far stands, and
// another round erases what the rename added.
var errPersonChanged = errors.New("the person item changed during its erasure")

// erasePerson is one round of DeletePerson: everything of the names the
// person item held when it was read, and the item itself only if it still
// holds them (errPersonChanged otherwise, with the counts so far). The
// first round finds the person by its name; a later one (known, the
// UserId of the first) by its UserId, whatever names a rename gave it.
// It returns the person's UserId ("" if none) with the counts.
func (s *Service) erasePerson(ctx context.Context, person, known string) (*contract.DeletedPerson, string, error) {
	userID, item, err := known, (*PersonItem)(nil), error(nil)
	if known == "" {
		userID, item, err = s.resolve(ctx, person)
	} else {
		var found map[string]PersonItem
		if found, err = s.table.GetPersons(ctx, []string{known}); err != nil {
			err = fromAWS("DynamoDB", err)
		} else if p, ok := found[known]; ok {
			item = &p
		}
	}
	if err != nil {
		return nil, userID, err
	}
	names := []string{person}
	if item != nil {
		for _, n := range []string{item.Person, item.Renaming} {
			if n != "" && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	refs, faces, images, err := s.personImages(ctx, names...)
	if err != nil {
		return nil, userID, err
	}
	if item == nil && len(faces) == 0 && len(images) == 0 {
		return nil, userID, newError(KindNotFound, contract.CodeNotFound, "no such person")
	}
	out := &contract.DeletedPerson{Person: person, DeletedImages: []string{}, KeptImages: []string{}}
	rec := ErasureRecord{Kind: contract.ErasurePerson}
	// erase erases each image of refs and counts it in out and rec.
	erase := func(refs []imageRef) error {
		for _, ref := range refs {
			e, err := s.eraseImage(ctx, ref)
			if err != nil {
				return err
			}
			out.DeletedFaces += e.faces
			out.DeletedImages = append(out.DeletedImages, ref.Key)
			rec.Faces += e.faces
			rec.Versions += e.versions
			rec.Keys = append(rec.Keys, ref.Key)
		}
		return nil
	}
	if err := erase(refs); err != nil {
		return nil, userID, err
	}
	deleted := false
	if userID != "" {
		// A backstop: the faces of the user that no name led to (an image
		// PersonIndex did not show yet, or one a rename relabelled before
		// the person item recorded its Renaming) go with their images;
		// faces without a face item go alone.
		more, strays, err := s.userImages(ctx, userID, refs)
		if err != nil {
			return nil, userID, err
		}
		if err := erase(more); err != nil {
			return nil, userID, err
		}
		if _, err := s.deleteFaces(ctx, strays); err != nil {
			return nil, userID, err
		}
		out.DeletedFaces += len(strays)
		rec.Faces += len(strays)
		if deleted, err = s.deleteUser(ctx, userID); err != nil {
			return nil, userID, err
		}
	}
	slices.Sort(out.DeletedImages)
	if deleted {
		rec.Users = 1
	}
	if err := s.record(ctx, rec); err != nil {
		return nil, userID, err
	}
	if userID == "" {
		return out, userID, nil
	}
	// The person's sweep mark (if a sweep once found it empty) holds the
	// UserId, which holds the name: it goes before the person item, so a
	// repeat after a failure finds the person still there; so do the
	// alias items of its names, which hold the names (an alias naming no
	// person item would only be reused by a new person of that name).
	if err := s.table.DeleteItems(ctx, []string{SweepMarkID("person", userID)}); err != nil {
		return nil, userID, fromAWS("DynamoDB", err)
	}
	for _, n := range names {
		if n != person {
			// Another name's alias goes only if it names this user.
			if alias, err := s.table.GetAlias(ctx, n); err != nil {
				return nil, userID, fromAWS("DynamoDB", err)
			} else if alias != userID {
				continue
			}
		}
		if err := s.table.DeleteAlias(ctx, n); err != nil {
			return nil, userID, fromAWS("DynamoDB", err)
		}
	}
	prev := PersonItem{UserID: userID}
	if item != nil {
		prev = *item
	}
	if err := s.table.DeletePerson(ctx, prev); errors.Is(err, ErrVersionConflict) {
		return out, userID, errPersonChanged
	} else if err != nil {
		return nil, userID, fromAWS("DynamoDB", err)
	}
	return out, userID, nil
}

// userImages returns the images, other than done, of the faces that the
// Rekognition user userID has (ListFaces of the user, every page; a user
// that does not exist has none), and the FaceIds of its faces that have
// no face item.
func (s *Service) userImages(ctx context.Context, userID string, done []imageRef) ([]imageRef, []string, error) {
	var ids []string
	p := rekognition.NewListFacesPaginator(s.rek, &rekognition.ListFacesInput{CollectionId: aws.String(s.cfg.CollectionID), UserId: aws.String(userID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if errNotFoundUser(err) {
			return nil, nil, nil
		}
		if err != nil {
			return nil, nil, fromAWS("Rekognition", err)
		}
		for _, f := range page.Faces {
			ids = append(ids, aws.ToString(f.FaceId))
		}
	}
	if len(ids) == 0 {
		return nil, nil, nil
	}
	items, err := s.table.GetFaces(ctx, ids)
	if err != nil {
		return nil, nil, fromAWS("DynamoDB", err)
	}
	var refs []imageRef
	var strays []string
	for _, id := range ids {
		f, ok := items[id]
		if !ok {
			strays = append(strays, id)
			continue
		}
		if ref := (imageRef{Bucket: f.Bucket, Key: f.Key}); !slices.Contains(done, ref) && !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	return refs, strays, nil
}

// personImages returns the images that name one of persons (those of
// their face items and image items, each once) and the face and image
// items read.
func (s *Service) personImages(ctx context.Context, persons ...string) ([]imageRef, []FaceItem, []ImageItem, error) {
	var faces []FaceItem
	var images []ImageItem
	for _, person := range persons {
		f, err := s.personFaces(ctx, person)
		if err != nil {
			return nil, nil, nil, err
		}
		img, err := s.table.ImagesOfPerson(ctx, person)
		if err != nil {
			return nil, nil, nil, fromAWS("DynamoDB", err)
		}
		faces, images = append(faces, f...), append(images, img...)
	}
	var refs []imageRef
	for _, f := range faces {
		if ref := (imageRef{Bucket: f.Bucket, Key: f.Key}); !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	for _, img := range images {
		if ref := (imageRef{Bucket: img.Bucket, Key: img.Key}); !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	return refs, faces, images, nil
}

// imageRef names one stored image.
type imageRef struct {
	// Bucket and Key name the object.
	Bucket, Key string
}
