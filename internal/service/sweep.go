package service

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"

	"github.com/facerec/facerec-cdk/contract"
)

// SweepResult counts what one Sweep removed or finished.
type SweepResult struct {
	// FacesRemoved are the collection faces without a face item removed.
	FacesRemoved int
	// UsersRemoved are the Rekognition users of persons without faces
	// removed.
	UsersRemoved int
	// PersonsRemoved are the person items without faces removed.
	PersonsRemoved int
	// AssociationsRetried are the pending images whose faces were
	// associated and which were committed as indexed.
	AssociationsRetried int
}

// SweepGrace is how long Sweep leaves a face without a record, or a person
// without faces, before removing it (contract.SweepGraceSeconds).
const SweepGrace = contract.SweepGraceSeconds * time.Second

// sweepPage is how many items Sweep reads per table or collection page.
const sweepPage = 100

// SweepMarkID returns the id of the sweep mark of a thing of kind ("face"
// or "person") with id id.
func SweepMarkID(kind, id string) string {
	return contract.SweepMarkPrefix + kind + "#" + id
}

// Sweep finds what index runs and erasures that crashed or failed left
// behind, and finishes or removes it; now is the time it runs at:
//   - an image item left pending (see below) is associated first, then
//     persons, then faces, so that a long listing of a large collection
//     cannot starve the other steps;
//   - a collection face without a face item (an index run crashed between
//     IndexFaces and its table write) is removed once it has been seen
//     without one for SweepGrace: the first sweep that sees it marks it,
//     a sweep SweepGrace later removes it if it is still unrecorded;
//   - a person item none of whose faces and images is recorded is removed
//     with its Rekognition user and its name's alias item, after the same
//     grace, unless the user still has faces (a rename that stopped
//     midway relabelled them: the person waits for the rename's repeat);
//   - an image item left pending (its faces recorded but not associated
//     with its person, because the association failed) older than
//     contract.MaxIndexRunSeconds has its faces associated and is
//     committed as indexed: a path that does not depend on the queue's
//     receive count.
//
// Sweep is safe to run while the service works and to run again after a
// failure: each removal is checked again just before it is made. It
// returns the counts of what it did, with the first error.
func (s *Service) Sweep(ctx context.Context, now time.Time) (SweepResult, error) {
	var res SweepResult
	// Pending associations first: they are what a user waits for, and the
	// face step, which lists the whole collection, may use up the run.
	err := errors.Join(
		s.sweepPending(ctx, now, &res),
		s.sweepPersons(ctx, now, &res),
		s.sweepFaces(ctx, now, &res),
	)
	s.log.InfoContext(ctx, "swept", "facesRemoved", res.FacesRemoved, "usersRemoved", res.UsersRemoved,
		"personsRemoved", res.PersonsRemoved, "associationsRetried", res.AssociationsRetried, "failed", err != nil)
	return res, err
}

// due splits ids (sweep mark ids) into those marked at least SweepGrace
// before now and those not yet marked, and marks the latter.
func (s *Service) due(ctx context.Context, now time.Time, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks, err := s.table.GetSweepMarks(ctx, ids)
	if err != nil {
		return nil, fromAWS("DynamoDB", err)
	}
	var ripe, fresh []string
	for _, id := range ids {
		seen, ok := marks[id]
		switch {
		case !ok:
			fresh = append(fresh, id)
		case now.Sub(seen) >= SweepGrace:
			ripe = append(ripe, id)
		}
	}
	if len(fresh) > 0 {
		if err := s.table.PutSweepMarks(ctx, fresh, now, now.Add(2*SweepGrace)); err != nil {
			return nil, fromAWS("DynamoDB", err)
		}
	}
	return ripe, nil
}

// sweepFaces removes the collection faces that have had no face item for
// SweepGrace, among those whose ExternalImageId says this service indexed
// them (it starts with the image prefix, as ExternalImageID derives it).
func (s *Service) sweepFaces(ctx context.Context, now time.Time, res *SweepResult) error {
	p := rekognition.NewListFacesPaginator(s.rek, &rekognition.ListFacesInput{CollectionId: aws.String(s.cfg.CollectionID), MaxResults: aws.Int32(sweepPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fromAWS("Rekognition", err)
		}
		ids := make([]string, 0, len(page.Faces))
		for _, f := range page.Faces {
			// Only faces this service indexed, whose ExternalImageId starts
			// with the image prefix's (ExternalImageID): in a shared
			// collection (ExistingCollectionId), other applications'
			// faces have no record here and must stay.
			if strings.HasPrefix(aws.ToString(f.ExternalImageId), externalImageChars(s.cfg.ImagePrefix)) {
				ids = append(ids, aws.ToString(f.FaceId))
			}
		}
		recorded, err := s.table.GetFaces(ctx, ids)
		if err != nil {
			return fromAWS("DynamoDB", err)
		}
		var marks []string
		for _, id := range ids {
			if _, ok := recorded[id]; !ok {
				marks = append(marks, SweepMarkID("face", id))
			}
		}
		ripe, err := s.due(ctx, now, marks)
		if err != nil {
			return err
		}
		if len(ripe) == 0 {
			continue
		}
		// Checked again: a face recorded since the page was read stays.
		orphans := make([]string, len(ripe))
		for i, m := range ripe {
			orphans[i] = m[len(SweepMarkID("face", "")):]
		}
		if recorded, err = s.table.GetFaces(ctx, orphans); err != nil {
			return fromAWS("DynamoDB", err)
		}
		orphans = slices.DeleteFunc(orphans, func(id string) bool { _, ok := recorded[id]; return ok })
		if len(orphans) > 0 {
			if err := s.removeFromCollection(ctx, orphans); err != nil {
				return err
			}
		}
		if err := s.table.DeleteItems(ctx, ripe); err != nil {
			return fromAWS("DynamoDB", err)
		}
		res.FacesRemoved += len(orphans)
	}
	return nil
}

// sweepPending associates the faces of the image items left pending for
// longer than an index run can last, and commits them as indexed.
func (s *Service) sweepPending(ctx context.Context, now time.Time, res *SweepResult) error {
	token := ""
	for {
		images, next, err := s.table.ListImages(ctx, sweepPage, token)
		if err != nil {
			return fromAWS("DynamoDB", err)
		}
		for _, img := range images {
			if img.Status != contract.StatusPending || now.Sub(img.IndexedAt) < contract.MaxIndexRunSeconds*time.Second {
				continue
			}
			err := s.associatePending(ctx, s.log.With("bucket", img.Bucket, "key", img.Key), img)
			var e *Error
			if errors.As(err, &e) && e.Kind == KindConflict {
				continue // another run committed the image since
			}
			if err != nil {
				return err
			}
			res.AssociationsRetried++
		}
		if next == "" {
			return nil
		}
		token = next
	}
}

// sweepPersons removes the person items, and their users, that have had
// no recorded face and no image item for SweepGrace; a person item of an
// unfinished rename (Renaming set) is left alone.
func (s *Service) sweepPersons(ctx context.Context, now time.Time, res *SweepResult) error {
	token := ""
	for {
		persons, next, err := s.table.ListPersons(ctx, sweepPage, token)
		if err != nil {
			return fromAWS("DynamoDB", err)
		}
		var marks []string
		empty := map[string]PersonItem{}
		for _, p := range persons {
			if p.Renaming != "" {
				// An unfinished rename: its images may carry either
				// name, and the other name's alias holds the UserId.
				// It is left for the rename's repeat or an erasure,
				// which know both names.
				continue
			}
			ok, err := s.personEmpty(ctx, p.Person)
			if err != nil {
				return err
			}
			if ok {
				id := SweepMarkID("person", p.UserID)
				marks = append(marks, id)
				empty[id] = p
			}
		}
		ripe, err := s.due(ctx, now, marks)
		if err != nil {
			return err
		}
		for _, id := range ripe {
			p := empty[id]
			if ok, err := s.personEmpty(ctx, p.Person); err != nil || !ok {
				if err != nil {
					return err
				}
				continue
			}
			if held, err := s.userHasFaces(ctx, p.UserID); err != nil || held {
				if err != nil {
					return err
				}
				// A rename that stopped midway: the user's faces carry
				// the new name, the person item the old one. It stays
				// for the rename's repeat.
				s.log.WarnContext(ctx, "person without faces under its name keeps its user's faces; left for its rename to be repeated")
				continue
			}
			deleted, err := s.deleteUser(ctx, p.UserID)
			if err != nil {
				return err
			}
			if deleted {
				res.UsersRemoved++
			}
			// The alias item of its name goes too if it names this user
			// (a renamed person's, or a new person's whose derived UserId
			// a renamed one holds), before the person item, so that a
			// sweep that fails finds the person again.
			if alias, err := s.table.GetAlias(ctx, p.Person); err != nil {
				return fromAWS("DynamoDB", err)
			} else if alias == p.UserID {
				if err := s.table.DeleteAlias(ctx, p.Person); err != nil {
					return fromAWS("DynamoDB", err)
				}
			}
			if err := s.table.DeleteItems(ctx, []string{PersonItemID(p.UserID), id}); err != nil {
				return fromAWS("DynamoDB", err)
			}
			res.PersonsRemoved++
		}
		if next == "" {
			return nil
		}
		token = next
	}
}

// userHasFaces reports whether the Rekognition user userID has faces
// (ListFaces of the user, one face is enough). A user that does not exist
// has none, whether Rekognition answers it with no faces or with
// ResourceNotFoundException (its documentation does not say which).
func (s *Service) userHasFaces(ctx context.Context, userID string) (bool, error) {
	out, err := s.rek.ListFaces(ctx, &rekognition.ListFacesInput{CollectionId: aws.String(s.cfg.CollectionID), UserId: aws.String(userID), MaxResults: aws.Int32(1)})
	if errNotFoundUser(err) {
		return false, nil
	}
	if err != nil {
		return false, fromAWS("Rekognition", err)
	}
	return len(out.Faces) > 0, nil
}

// personEmpty reports whether no face item and no image item (other than
// a tombstone) names person.
func (s *Service) personEmpty(ctx context.Context, person string) (bool, error) {
	faces, err := s.personFaces(ctx, person)
	if err != nil || len(faces) > 0 {
		return false, err
	}
	images, err := s.table.ImagesOfPerson(ctx, person)
	if err != nil {
		return false, fromAWS("DynamoDB", err)
	}
	return len(images) == 0, nil
}
