package offline

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	bolt "go.etcd.io/bbolt"

	"github.com/facerec/facerec-cdk/faceengine"
)

// userBucket checks the collection (r.mu held) and the UserId and, if
// mustExist, that the user exists; it returns the collection and its users'
// bucket.
func (r *Rekognition) userBucket(tx *bolt.Tx, collectionID, userID *string, mustExist bool) (*collection, *bolt.Bucket, error) {
	if err := check(checkCollectionID(collectionID), checkUserID(userID, true)); err != nil {
		return nil, nil, err
	}
	c, err := r.collection(collectionID)
	if err != nil {
		return nil, nil, err
	}
	b := collectionBucket(tx, *collectionID).Bucket(collUsers)
	if mustExist && b.Get([]byte(*userID)) == nil {
		return nil, nil, &rtypes.ResourceNotFoundException{Message: aws.String("The user id: " + *userID + " does not exist")}
	}
	return c, b, nil
}

// CreateUser adds a user to the collection, keeping the
// ClientRequestToken of the call. As in Rekognition, a call for an
// existing user is answered as the call that created it was (success) if
// it repeats that call's token, and with a ConflictException otherwise.
func (r *Rekognition) CreateUser(_ context.Context, in *rekognition.CreateUserInput, _ ...func(*rekognition.Options)) (*rekognition.CreateUserOutput, error) {
	if err := checkToken(in.ClientRequestToken); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	err := r.db.Update(func(tx *bolt.Tx) error {
		_, b, err := r.userBucket(tx, in.CollectionId, in.UserId, false)
		if err != nil {
			return err
		}
		token := aws.ToString(in.ClientRequestToken)
		if created := b.Get([]byte(*in.UserId)); created != nil {
			if len(created) > 0 && string(created) == token {
				return nil
			}
			return &rtypes.ConflictException{Message: aws.String("The user id: " + *in.UserId + " already exists")}
		}
		if err := collectionBucket(tx, *in.CollectionId).Bucket(collDeletedUsers).Delete([]byte(*in.UserId)); err != nil {
			return err
		}
		return b.Put([]byte(*in.UserId), []byte(token))
	})
	if err != nil {
		return nil, err
	}
	return &rekognition.CreateUserOutput{}, nil
}

// DeleteUser removes a user from the collection, disassociating its faces
// first; a missing user is a ResourceNotFoundException, as in
// Rekognition, unless the call repeats the ClientRequestToken of the
// DeleteUser that deleted it, which is answered as that call was
// (success).
func (r *Rekognition) DeleteUser(_ context.Context, in *rekognition.DeleteUserInput, _ ...func(*rekognition.Options)) (*rekognition.DeleteUserOutput, error) {
	if err := checkToken(in.ClientRequestToken); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.db.Update(func(tx *bolt.Tx) error {
		c, b, err := r.userBucket(tx, in.CollectionId, in.UserId, false)
		if err != nil {
			return err
		}
		deleted, token := collectionBucket(tx, *in.CollectionId).Bucket(collDeletedUsers), aws.ToString(in.ClientRequestToken)
		if b.Get([]byte(*in.UserId)) == nil {
			if token != "" && string(deleted.Get([]byte(*in.UserId))) == token {
				return nil
			}
			return &rtypes.ResourceNotFoundException{Message: aws.String("The user id: " + *in.UserId + " does not exist")}
		}
		if token != "" {
			if err := deleted.Put([]byte(*in.UserId), []byte(token)); err != nil {
				return err
			}
		}
		var members []string
		for id, f := range c.faces {
			if aws.ToString(f.Face.UserId) == *in.UserId {
				members = append(members, id)
			}
		}
		if err := setUser(tx, *in.CollectionId, c, members, nil); err != nil {
			return err
		}
		return b.Delete([]byte(*in.UserId))
	})
	if err != nil {
		return nil, err
	}
	return &rekognition.DeleteUserOutput{}, nil
}

// setUser persists the UserId of faces of collection c (nil: none), in
// memory and in the database; r.mu is held.
func setUser(tx *bolt.Tx, collectionID string, c *collection, ids []string, userID *string) error {
	b := collectionBucket(tx, collectionID).Bucket(collFaces)
	for _, id := range ids {
		f := c.faces[id]
		f.Face.UserId = userID
		v, err := json.Marshal(f)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(id), v); err != nil {
			return err
		}
		c.faces[id] = f
	}
	return nil
}

// AssociateFaces associates 1 to 100 faces with a user (faces already its
// own count as associated); a user holds at most 100 faces
// (ServiceQuotaExceededException beyond). Repeating a call changes
// nothing, so its ClientRequestToken needs no record. UserMatchThreshold
// is checked (0–100) but not applied: every face found is associated.
func (r *Rekognition) AssociateFaces(_ context.Context, in *rekognition.AssociateFacesInput, _ ...func(*rekognition.Options)) (*rekognition.AssociateFacesOutput, error) {
	if err := check(checkFaceIDs(in.FaceIds, maxAssociateFaces), checkToken(in.ClientRequestToken), checkThreshold("UserMatchThreshold", in.UserMatchThreshold)); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := &rekognition.AssociateFacesOutput{UserStatus: rtypes.UserStatusActive, AssociatedFaces: []rtypes.AssociatedFace{}, UnsuccessfulFaceAssociations: []rtypes.UnsuccessfulFaceAssociation{}}
	err := r.db.Update(func(tx *bolt.Tx) error {
		c, _, err := r.userBucket(tx, in.CollectionId, in.UserId, true)
		if err != nil {
			return err
		}
		user := *in.UserId
		count := 0
		for _, f := range c.faces {
			if aws.ToString(f.Face.UserId) == user {
				count++
			}
		}
		var add []string
		for _, id := range in.FaceIds {
			f, ok := c.faces[id]
			switch {
			case !ok:
				out.UnsuccessfulFaceAssociations = append(out.UnsuccessfulFaceAssociations, rtypes.UnsuccessfulFaceAssociation{FaceId: aws.String(id), Reasons: []rtypes.UnsuccessfulFaceAssociationReason{rtypes.UnsuccessfulFaceAssociationReasonFaceNotFound}})
			case f.Face.UserId != nil && *f.Face.UserId != user:
				out.UnsuccessfulFaceAssociations = append(out.UnsuccessfulFaceAssociations, rtypes.UnsuccessfulFaceAssociation{FaceId: aws.String(id), UserId: f.Face.UserId, Reasons: []rtypes.UnsuccessfulFaceAssociationReason{rtypes.UnsuccessfulFaceAssociationReasonAssociatedToADifferentUser}})
			default:
				if f.Face.UserId == nil {
					add = append(add, id)
				}
				out.AssociatedFaces = append(out.AssociatedFaces, rtypes.AssociatedFace{FaceId: aws.String(id)})
			}
		}
		if count+len(add) > maxUserFaces {
			return &rtypes.ServiceQuotaExceededException{Message: aws.String(fmt.Sprintf("The user id: %s would have more than %d faces", user, maxUserFaces))}
		}
		return setUser(tx, *in.CollectionId, c, add, aws.String(user))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DisassociateFaces removes 1 to 100 faces from a user; a face that is
// not the user's is reported as unsuccessful.
func (r *Rekognition) DisassociateFaces(_ context.Context, in *rekognition.DisassociateFacesInput, _ ...func(*rekognition.Options)) (*rekognition.DisassociateFacesOutput, error) {
	if err := check(checkFaceIDs(in.FaceIds, maxAssociateFaces), checkToken(in.ClientRequestToken)); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := &rekognition.DisassociateFacesOutput{UserStatus: rtypes.UserStatusActive, DisassociatedFaces: []rtypes.DisassociatedFace{}, UnsuccessfulFaceDisassociations: []rtypes.UnsuccessfulFaceDisassociation{}}
	err := r.db.Update(func(tx *bolt.Tx) error {
		c, _, err := r.userBucket(tx, in.CollectionId, in.UserId, true)
		if err != nil {
			return err
		}
		var drop []string
		for _, id := range in.FaceIds {
			f, ok := c.faces[id]
			switch {
			case !ok:
				out.UnsuccessfulFaceDisassociations = append(out.UnsuccessfulFaceDisassociations, rtypes.UnsuccessfulFaceDisassociation{FaceId: aws.String(id), Reasons: []rtypes.UnsuccessfulFaceDisassociationReason{rtypes.UnsuccessfulFaceDisassociationReasonFaceNotFound}})
			case aws.ToString(f.Face.UserId) != *in.UserId:
				out.UnsuccessfulFaceDisassociations = append(out.UnsuccessfulFaceDisassociations, rtypes.UnsuccessfulFaceDisassociation{FaceId: aws.String(id), UserId: f.Face.UserId, Reasons: []rtypes.UnsuccessfulFaceDisassociationReason{rtypes.UnsuccessfulFaceDisassociationReasonAssociatedToADifferentUser}})
			default:
				drop = append(drop, id)
				out.DisassociatedFaces = append(out.DisassociatedFaces, rtypes.DisassociatedFace{FaceId: aws.String(id)})
			}
		}
		return setUser(tx, *in.CollectionId, c, drop, nil)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListUsers lists the users of a collection in UserId order, a page at a
// time (MaxResults 1–500, default 500; NextToken).
func (r *Rekognition) ListUsers(_ context.Context, in *rekognition.ListUsersInput, _ ...func(*rekognition.Options)) (*rekognition.ListUsersOutput, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if _, err := r.collection(in.CollectionId); err != nil {
		return nil, err
	}
	var ids []string
	err := r.db.View(func(tx *bolt.Tx) error {
		return collectionBucket(tx, *in.CollectionId).Bucket(collUsers).ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k)) // bbolt iterates in key order
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	ids, next, err := page(ids, in.MaxResults, in.NextToken, maxUsers)
	if err != nil {
		return nil, err
	}
	out := &rekognition.ListUsersOutput{Users: make([]rtypes.User, len(ids)), NextToken: next}
	for i, id := range ids {
		out.Users[i] = rtypes.User{UserId: aws.String(id), UserStatus: rtypes.UserStatusActive}
	}
	return out, nil
}

// userMatches are the users of c whose faces are most similar to the
// descriptors ds (a user's similarity is the best of its faces' to any of
// ds), at least threshold similar, at most maxUsers (all when 0), most
// similar first, leaving out the user skip.
func (c *collection) userMatches(ds []faceengine.Descriptor, skip string, maxUsers int, threshold float64) []rtypes.UserMatch {
	best := map[string]float64{}
	for _, d := range ds {
		for _, m := range c.gallery.Search(d, 0, threshold) {
			if u := aws.ToString(c.faces[m.ID].Face.UserId); u != "" && u != skip && m.Similarity > best[u] {
				best[u] = m.Similarity
			}
		}
	}
	out := []rtypes.UserMatch{}
	for _, u := range sortedKeys(best) {
		out = append(out, rtypes.UserMatch{Similarity: aws.Float32(float32(best[u])), User: &rtypes.MatchedUser{UserId: aws.String(u), UserStatus: rtypes.UserStatusActive}})
	}
	slices.SortStableFunc(out, func(a, b rtypes.UserMatch) int { return cmp.Compare(*b.Similarity, *a.Similarity) })
	if maxUsers > 0 && len(out) > maxUsers {
		out = out[:maxUsers]
	}
	return out
}

// SearchUsers searches the users of the collection most similar to one of
// its faces (FaceId) or users (UserId, whose faces are all searched; the
// user itself is left out): each user's similarity is the best of its
// faces', users at or above UserMatchThreshold (default 80) come most
// similar first, at most MaxUsers (1–500; all when unset). Exactly one of
// FaceId and UserId is needed.
func (r *Rekognition) SearchUsers(_ context.Context, in *rekognition.SearchUsersInput, _ ...func(*rekognition.Options)) (*rekognition.SearchUsersOutput, error) {
	if err := check(
		checkCollectionID(in.CollectionId),
		checkFaceID("FaceId", in.FaceId, false),
		checkUserID(in.UserId, false),
		checkRange("MaxUsers", in.MaxUsers, 1, maxUsers),
		checkThreshold("UserMatchThreshold", in.UserMatchThreshold),
	); err != nil {
		return nil, err
	}
	if (in.FaceId == nil) == (in.UserId == nil) {
		return nil, invalidParameter("SearchUsers needs exactly one of FaceId and UserId")
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, err := r.collection(in.CollectionId)
	if err != nil {
		return nil, err
	}
	out := &rekognition.SearchUsersOutput{FaceModelVersion: aws.String(FaceModelVersion)}
	var ds []faceengine.Descriptor
	if in.FaceId != nil {
		f, ok := c.faces[*in.FaceId]
		if !ok {
			return nil, invalidParameter("faceId was not found in the collection.")
		}
		ds, out.SearchedFace = []faceengine.Descriptor{f.Descriptor}, &rtypes.SearchedFace{FaceId: in.FaceId}
	} else {
		for _, f := range c.faces {
			if aws.ToString(f.Face.UserId) == *in.UserId {
				ds = append(ds, f.Descriptor)
			}
		}
		if len(ds) == 0 {
			return nil, &rtypes.ResourceNotFoundException{Message: aws.String("The user id: " + *in.UserId + " has no faces in the collection")}
		}
		out.SearchedUser = &rtypes.SearchedUser{UserId: in.UserId}
	}
	out.UserMatches = c.userMatches(ds, aws.ToString(in.UserId), int(aws.ToInt32(in.MaxUsers)), thresholdOr(in.UserMatchThreshold))
	return out, nil
}

// SearchUsersByImage searches the users for the largest face of the
// image: each user's similarity is the best of its faces', users at or
// above UserMatchThreshold (default 80) come most similar first, at most
// MaxUsers (1–500; all when unset); the other faces of the image are
// UnsearchedFaces (reason FACE_NOT_LARGEST). An image without a face gives
// no SearchedFace and no UserMatches, as in Rekognition ("If no valid face
// is detected in the image, the response will contain an empty UserMatches
// list and no SearchedFace object", Rekognition API reference).
func (r *Rekognition) SearchUsersByImage(ctx context.Context, in *rekognition.SearchUsersByImageInput, _ ...func(*rekognition.Options)) (*rekognition.SearchUsersByImageOutput, error) {
	if err := check(
		checkCollectionID(in.CollectionId),
		checkRange("MaxUsers", in.MaxUsers, 1, maxUsers),
		checkThreshold("UserMatchThreshold", in.UserMatchThreshold),
		checkQualityFilter(in.QualityFilter),
	); err != nil {
		return nil, err
	}
	if err := r.exists(in.CollectionId); err != nil {
		return nil, err
	}
	im, det, desc, others, threshold, err := r.largestFace(ctx, in.Image, in.UserMatchThreshold)
	if errors.Is(err, errNoFace) {
		return &rekognition.SearchUsersByImageOutput{FaceModelVersion: aws.String(FaceModelVersion), UserMatches: []rtypes.UserMatch{}}, nil
	}
	if err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, err := r.collection(in.CollectionId)
	if err != nil {
		return nil, err
	}
	out := &rekognition.SearchUsersByImageOutput{
		SearchedFace:     &rtypes.SearchedFaceDetails{FaceDetail: im.faceDetail(det)},
		FaceModelVersion: aws.String(FaceModelVersion),
		UserMatches:      c.userMatches([]faceengine.Descriptor{desc}, "", int(aws.ToInt32(in.MaxUsers)), threshold),
		UnsearchedFaces:  []rtypes.UnsearchedFace{},
	}
	for _, d := range others {
		out.UnsearchedFaces = append(out.UnsearchedFaces, rtypes.UnsearchedFace{FaceDetails: im.faceDetail(d), Reasons: []rtypes.UnsearchedFaceReason{rtypes.UnsearchedFaceReasonFaceNotLargest}})
	}
	return out, nil
}
