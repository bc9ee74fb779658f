package awstest

import (
	"cmp"
	"regexp"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Limits of Rekognition's user operations (Rekognition API reference).
const (
	maxUserIDLength = 128 // UserId: 1..128 characters
	maxUserFaces    = 100 // faces per user; AssociateFaces and DisassociateFaces FaceIds: 1..100
	maxTokenLength  = 64  // ClientRequestToken: 1..64 characters
	maxSearchUsers  = 500 // SearchUsersByImage MaxUsers: 1..500
)

var (
	userIDPattern = regexp.MustCompile(`^[a-zA-Z0-9_.\-:]+$`)
	tokenPattern  = regexp.MustCompile(`^[a-zA-Z0-9\-_]+$`)
)

// unsuccessfulFace is the wire shape of UnsuccessfulFaceDeletion,
// UnsuccessfulFaceAssociation and UnsuccessfulFaceDisassociation.
type unsuccessfulFace struct {
	FaceID  string `json:"FaceId"`
	UserID  string `json:"UserId,omitempty"`
	Reasons []string
}

// faceRef is the wire shape of AssociatedFace and DisassociatedFace.
type faceRef struct {
	FaceID string `json:"FaceId"`
}

type userRequest struct {
	CollectionID       string   `json:"CollectionId"`
	UserID             string   `json:"UserId"`
	FaceIDs            []string `json:"FaceIds"`
	ClientRequestToken *string
	// UserMatchThreshold (AssociateFaces) is checked (0–100) but not
	// applied: the stand-in's faces carry no descriptors to compare.
	UserMatchThreshold *float64
}

// validate checks what every user operation checks, in Rekognition's
// order: the CollectionId, the UserId, the ClientRequestToken and, when
// withFaces, 1 to 100 FaceIds; then that the collection exists.
func (f *FakeRekognition) validate(req *userRequest, withFaces bool) error {
	if err := validateCollectionID(req.CollectionID); err != nil {
		return err
	}
	if len(req.UserID) > maxUserIDLength || !userIDPattern.MatchString(req.UserID) {
		return clientError("InvalidParameterException", "UserId %q must match [a-zA-Z0-9_.\\-:]+ and have 1 to %d characters", req.UserID, maxUserIDLength)
	}
	if t := req.ClientRequestToken; t != nil && (len(*t) > maxTokenLength || !tokenPattern.MatchString(*t)) {
		return clientError("InvalidParameterException", "ClientRequestToken %q must match [a-zA-Z0-9-_]+ and have 1 to %d characters", *t, maxTokenLength)
	}
	if t := req.UserMatchThreshold; t != nil && (*t < 0 || *t > 100) {
		return clientError("InvalidParameterException", "UserMatchThreshold %v must be from 0 to 100", *t)
	}
	if withFaces {
		if n := len(req.FaceIDs); n < 1 || n > maxUserFaces {
			return clientError("InvalidParameterException", "FaceIds must have 1 to %d members, got %d", maxUserFaces, n)
		}
		for _, id := range req.FaceIDs {
			if !faceIDPattern.MatchString(id) {
				return clientError("InvalidParameterException", "FaceId %q is not a face id", id)
			}
		}
	}
	_, err := f.collection(req.CollectionID)
	return err
}

// user checks that the user of req exists.
func (f *FakeRekognition) user(req *userRequest) error {
	if _, ok := f.users[req.CollectionID][req.UserID]; !ok {
		return clientError("ResourceNotFoundException", "The user id: %s does not exist", req.UserID)
	}
	return nil
}

// createUser creates a user. For an existing user it answers a call with
// the ClientRequestToken of the call that created it as that call was
// answered (the SDK sends a token of its own when none is given), and
// others with a ConflictException.
func (f *FakeRekognition) createUser(req *userRequest) (any, error) {
	if err := f.validate(req, false); err != nil {
		return nil, err
	}
	token := aws.ToString(req.ClientRequestToken)
	if created, ok := f.users[req.CollectionID][req.UserID]; ok {
		if created != "" && token == created {
			return struct{}{}, nil
		}
		return nil, clientError("ConflictException", "The user id: %s already exists", req.UserID)
	}
	if f.users[req.CollectionID] == nil {
		f.users[req.CollectionID] = map[string]string{}
	}
	f.users[req.CollectionID][req.UserID] = token
	return struct{}{}, nil
}

// associateFaces associates faces with a user; faces already associated
// with it count as associated again. A user may hold at most 100 faces.
func (f *FakeRekognition) associateFaces(req *userRequest) (any, error) {
	if err := f.validate(req, true); err != nil {
		return nil, err
	}
	if err := f.user(req); err != nil {
		return nil, err
	}
	stored := f.collections[req.CollectionID]
	count := 0
	for _, s := range stored {
		if s.UserID == req.UserID {
			count++
		}
	}
	resp := struct {
		AssociatedFaces              []faceRef
		UnsuccessfulFaceAssociations []unsuccessfulFace
		UserStatus                   string
	}{AssociatedFaces: []faceRef{}, UnsuccessfulFaceAssociations: []unsuccessfulFace{}, UserStatus: "ACTIVE"}
	var add []int
	for _, id := range req.FaceIDs {
		i := slices.IndexFunc(stored, func(s StoredFace) bool { return s.FaceID == id })
		switch {
		case i < 0:
			resp.UnsuccessfulFaceAssociations = append(resp.UnsuccessfulFaceAssociations, unsuccessfulFace{FaceID: id, Reasons: []string{"FACE_NOT_FOUND"}})
		case stored[i].UserID != "" && stored[i].UserID != req.UserID:
			resp.UnsuccessfulFaceAssociations = append(resp.UnsuccessfulFaceAssociations, unsuccessfulFace{FaceID: id, UserID: stored[i].UserID, Reasons: []string{"ASSOCIATED_TO_A_DIFFERENT_USER"}})
		default:
			if stored[i].UserID == "" {
				add = append(add, i)
			}
			resp.AssociatedFaces = append(resp.AssociatedFaces, faceRef{id})
		}
	}
	if count+len(add) > maxUserFaces {
		return nil, clientError("ServiceQuotaExceededException", "The user id: %s would have more than %d faces", req.UserID, maxUserFaces)
	}
	for _, i := range add {
		stored[i].UserID = req.UserID
	}
	return resp, nil
}

// disassociateFaces removes faces from a user; a face that is not the
// user's is reported as unsuccessful.
func (f *FakeRekognition) disassociateFaces(req *userRequest) (any, error) {
	if err := f.validate(req, true); err != nil {
		return nil, err
	}
	if err := f.user(req); err != nil {
		return nil, err
	}
	stored := f.collections[req.CollectionID]
	resp := struct {
		DisassociatedFaces              []faceRef
		UnsuccessfulFaceDisassociations []unsuccessfulFace
		UserStatus                      string
	}{DisassociatedFaces: []faceRef{}, UnsuccessfulFaceDisassociations: []unsuccessfulFace{}, UserStatus: "ACTIVE"}
	for _, id := range req.FaceIDs {
		i := slices.IndexFunc(stored, func(s StoredFace) bool { return s.FaceID == id })
		switch {
		case i < 0:
			resp.UnsuccessfulFaceDisassociations = append(resp.UnsuccessfulFaceDisassociations, unsuccessfulFace{FaceID: id, Reasons: []string{"FACE_NOT_FOUND"}})
		case stored[i].UserID != req.UserID:
			resp.UnsuccessfulFaceDisassociations = append(resp.UnsuccessfulFaceDisassociations, unsuccessfulFace{FaceID: id, UserID: stored[i].UserID, Reasons: []string{"ASSOCIATED_TO_A_DIFFERENT_USER"}})
		default:
			stored[i].UserID = ""
			resp.DisassociatedFaces = append(resp.DisassociatedFaces, faceRef{id})
		}
	}
	return resp, nil
}

// deleteUser deletes a user, disassociating its faces first; a missing
// user is a ResourceNotFoundException.
func (f *FakeRekognition) deleteUser(req *userRequest) (any, error) {
	if err := f.validate(req, false); err != nil {
		return nil, err
	}
	if err := f.user(req); err != nil {
		return nil, err
	}
	stored := f.collections[req.CollectionID]
	for i := range stored {
		if stored[i].UserID == req.UserID {
			stored[i].UserID = ""
		}
	}
	delete(f.users[req.CollectionID], req.UserID)
	return struct{}{}, nil
}

type searchUsersByImageRequest struct {
	CollectionID       string `json:"CollectionId"`
	Image              *rekImage
	UserMatchThreshold *float32
	MaxUsers           *int
	QualityFilter      string
}

type userMatch struct {
	Similarity float32
	User       struct {
		UserID     string `json:"UserId"`
		UserStatus string
	}
}

// searchUsersByImage matches the largest face of the image against the
// users: a user's similarity is the best of its faces'. An image without
// a face gives no SearchedFace and no UserMatches.
func (f *FakeRekognition) searchUsersByImage(req *searchUsersByImageRequest) (any, error) {
	if err := validateCollectionID(req.CollectionID); err != nil {
		return nil, err
	}
	threshold, err := thresholdParam("UserMatchThreshold", req.UserMatchThreshold)
	if err != nil {
		return nil, err
	}
	maxUsers, stored, faces, err := f.prepare(req.CollectionID, "MaxUsers", req.MaxUsers, maxSearchUsers, req.QualityFilter, req.Image)
	if err != nil {
		return nil, err
	}
	if len(faces) == 0 {
		// Unlike SearchFacesByImage, no error: "If no valid face is
		// detected in the image, the response will contain an empty
		// UserMatches list and no SearchedFace object" (Rekognition API
		// reference, SearchUsersByImage).
		return struct {
			UserMatches      []userMatch
			FaceModelVersion string
			UnsearchedFaces  []struct{}
		}{UserMatches: []userMatch{}, FaceModelVersion: FaceModelVersion, UnsearchedFaces: []struct{}{}}, nil
	}
	searched, err := searchedFace(faces)
	if err != nil {
		return nil, err
	}
	best := map[string]float32{}
	for _, s := range stored {
		if s.UserID == "" {
			continue
		}
		similarity := OtherIdentitySimilarity
		if s.Identity == searched.Identity {
			similarity = SameIdentitySimilarity
		}
		best[s.UserID] = max(best[s.UserID], similarity)
	}
	matches := []userMatch{}
	for user, similarity := range best {
		if similarity >= threshold {
			m := userMatch{Similarity: similarity}
			m.User.UserID, m.User.UserStatus = user, "ACTIVE"
			matches = append(matches, m)
		}
	}
	slices.SortFunc(matches, func(a, b userMatch) int {
		return cmp.Or(cmp.Compare(b.Similarity, a.Similarity), cmp.Compare(a.User.UserID, b.User.UserID))
	})
	return struct {
		UserMatches      []userMatch
		FaceModelVersion string
		SearchedFace     struct{ FaceDetail faceDetail }
		UnsearchedFaces  []struct{}
	}{
		UserMatches:      matches[:min(len(matches), maxUsers)],
		FaceModelVersion: FaceModelVersion,
		SearchedFace:     struct{ FaceDetail faceDetail }{searched.detail()},
		UnsearchedFaces:  []struct{}{},
	}, nil
}
