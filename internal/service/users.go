package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/facerec/facerec-cdk/contract"
)

// Rekognition limits of user vectors (Rekognition API reference).
const (
	// maxUserID is the longest UserId Rekognition accepts.
	maxUserID = 128
	// maxFacesPerCall is the most FaceIds one AssociateFaces or
	// DisassociateFaces call takes.
	maxFacesPerCall = 100
)

// UserID derives the Rekognition UserId (pattern [a-zA-Z0-9_.\-:]+, 1-128
// characters) of a person named at upload: the name with each disallowed
// byte replaced by '_', cut to leave room, then ':' and 16 hex digits of
// the name's SHA-256. It is deterministic, so every image of a person
// joins the same user, and different names get different ids. A renamed
// person keeps the UserId of its first name, so the UserId of an existing
// person is looked up (Service.resolve), never derived from its name.
func UserID(person string) string {
	return userIDOf(person, person)
}

// userIDVariant returns the nth alternative UserId of person (n ≥ 1): as
// UserID, with the hash taken over the name, a NUL byte and n. A new
// person gets one when a renamed person holds UserID(person) (see
// Service.claimUserID).
func userIDVariant(person string, n int) string {
	return userIDOf(person, person+"\x00"+strconv.Itoa(n))
}

// userIDOf returns person's characters allowed in a UserId (others
// replaced by '_'), cut to leave room, then ':' and 16 hex digits of the
// SHA-256 of hashed.
func userIDOf(person, hashed string) string {
	var b strings.Builder
	for i := 0; i < len(person); i++ {
		c := person[i]
		if c < 0x80 && externalImageIDPattern.Match([]byte{c}) && c != ':' {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	sum := sha256.Sum256([]byte(hashed))
	suffix := ":" + hex.EncodeToString(sum[:8])
	prefix := b.String()
	if len(prefix) > maxUserID-len(suffix) {
		prefix = prefix[:maxUserID-len(suffix)]
	}
	return prefix + suffix
}

// userToken returns the ClientRequestToken of a user call: derived from
// the operation and the call's identifying fields (the UserId, and the
// CollectionId where a re-index into a new collection repeats the call
// there), so that a retried call is idempotent and a call in another
// collection is not taken for it.
func userToken(op string, ids ...string) *string {
	sum := sha256.Sum256([]byte(op + "\x00" + strings.Join(ids, "\x00")))
	return aws.String(hex.EncodeToString(sum[:16]))
}

// associatePending finishes a committed image item left pending (its
// faces stored and recorded, not yet associated): it associates the faces
// with the user of its person and commits the item as indexed, on the
// condition that item is still the committed version. Items in any other
// state are left as they are. A failure leaves the item pending, for the
// next delivery of its event or the sweeper (whichever comes first); a
// commit that loses is KindConflict.
func (s *Service) associatePending(ctx context.Context, log *slog.Logger, item ImageItem) error {
	if item.Status != contract.StatusPending {
		return nil
	}
	if err := s.associate(ctx, log, item.Person, item.FaceIDs); err != nil {
		return err
	}
	next := item
	next.Status = contract.StatusIndexed
	_, err := s.replace(ctx, item, next, nil)
	return err
}

// associate records the person item of person (unless it has one) and
// makes its faces members of its Rekognition user (resolve: a renamed
// person's keeps its first UserId; a new person gets UserID(person), or
// claimUserID's when a renamed person holds that), creating the user if
// needed (an existing one is fine). Faces that Rekognition refuses for good (beyond
// its limit of faces per user, gone, of another user, or not similar
// enough to the user's) stay unassociated and are counted in the log;
// failed calls are errors.
func (s *Service) associate(ctx context.Context, log *slog.Logger, person string, faceIDs []string) error {
	userID, item, err := s.resolve(ctx, person)
	if err != nil {
		return err
	}
	if userID == "" {
		if userID, err = s.claimUserID(ctx, person); err != nil {
			return err
		}
	}
	if item == nil {
		if err := s.table.PutPerson(ctx, PersonItem{Person: person, UserID: userID}); err != nil {
			return fromAWS("DynamoDB", err)
		}
	}
	_, err = s.rek.CreateUser(ctx, &rekognition.CreateUserInput{
		CollectionId:       aws.String(s.cfg.CollectionID),
		UserId:             aws.String(userID),
		ClientRequestToken: userToken("CreateUser", s.cfg.CollectionID, userID),
	})
	var conflict *rtypes.ConflictException
	if err != nil && !errors.As(err, &conflict) {
		return fromAWS("Rekognition", err)
	}
	for chunk := range slices.Chunk(faceIDs, maxFacesPerCall) {
		out, err := s.rek.AssociateFaces(ctx, &rekognition.AssociateFacesInput{
			CollectionId: aws.String(s.cfg.CollectionID),
			UserId:       aws.String(userID),
			FaceIds:      chunk,
			// The upload names the person: no face is refused for not
			// looking like the user's other faces (LOW_MATCH_CONFIDENCE;
			// Rekognition's default UserMatchThreshold is 75).
			UserMatchThreshold: aws.Float32(0),
		})
		var quota *rtypes.ServiceQuotaExceededException
		if errors.As(err, &quota) {
			log.WarnContext(ctx, "user is full; faces left unassociated", "faces", len(chunk))
			continue
		}
		if err != nil {
			return fromAWS("Rekognition", err)
		}
		for _, u := range out.UnsuccessfulFaceAssociations {
			log.WarnContext(ctx, "face not associated", "reasons", u.Reasons)
		}
	}
	return nil
}

// disassociate removes the faces that DeleteFaces refused because they
// belong to a user from their users. Faces it fails to disassociate are
// refused again by the next DeleteFaces (removeFromCollection).
func (s *Service) disassociate(ctx context.Context, refused []rtypes.UnsuccessfulFaceDeletion) error {
	byUser := map[string][]string{}
	var users []string
	for _, u := range refused {
		if !slices.Contains(u.Reasons, rtypes.UnsuccessfulFaceDeletionReasonAssociatedToAnExistingUser) {
			continue
		}
		user := aws.ToString(u.UserId)
		if _, ok := byUser[user]; !ok {
			users = append(users, user)
		}
		byUser[user] = append(byUser[user], aws.ToString(u.FaceId))
	}
	for _, user := range users {
		for chunk := range slices.Chunk(byUser[user], maxFacesPerCall) {
			_, err := s.rek.DisassociateFaces(ctx, &rekognition.DisassociateFacesInput{
				CollectionId: aws.String(s.cfg.CollectionID),
				UserId:       aws.String(user),
				FaceIds:      chunk,
			})
			if err != nil {
				return fromAWS("Rekognition", err)
			}
		}
	}
	return nil
}
