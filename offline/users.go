package offline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	bolt "go.etcd.io/bbolt"
)

// maxUserFaces is the most faces a Rekognition user holds.
const maxUserFaces = 100

// checkUser checks the collection and, if mustExist, that the user exists.
func (r *Rekognition) checkUser(tx *bolt.Tx, collectionID, userID *string, mustExist bool) error {
	if aws.ToString(collectionID) != r.collectionID {
		return &rtypes.ResourceNotFoundException{Message: aws.String("The collection id: " + aws.ToString(collectionID) + " does not exist")}
	}
	if aws.ToString(userID) == "" {
		return invalidParameter("UserId is required")
	}
	if mustExist && tx.Bucket(bucketUsers).Get([]byte(aws.ToString(userID))) == nil {
		return &rtypes.ResourceNotFoundException{Message: aws.String("The user id: " + aws.ToString(userID) + " does not exist")}
	}
	return nil
}

// CreateUser adds a user to the collection, keeping the
// ClientRequestToken of the call. As in Rekognition, a call for an
// existing user is answered as the call that created it was (success) if
// it repeats that call's token, and with a ConflictException otherwise.
func (r *Rekognition) CreateUser(_ context.Context, in *rekognition.CreateUserInput, _ ...func(*rekognition.Options)) (*rekognition.CreateUserOutput, error) {
	err := r.db.Update(func(tx *bolt.Tx) error {
		if err := r.checkUser(tx, in.CollectionId, in.UserId, false); err != nil {
			return err
		}
		b := tx.Bucket(bucketUsers)
		token := aws.ToString(in.ClientRequestToken)
		if created := b.Get([]byte(aws.ToString(in.UserId))); created != nil {
			if len(created) > 0 && string(created) == token {
				return nil
			}
			return &rtypes.ConflictException{Message: aws.String("The user id: " + aws.ToString(in.UserId) + " already exists")}
		}
		return b.Put([]byte(aws.ToString(in.UserId)), []byte(token))
	})
	if err != nil {
		return nil, err
	}
	return &rekognition.CreateUserOutput{}, nil
}

// DeleteUser removes a user from the collection, disassociating its faces
// first; a missing user is a ResourceNotFoundException, as in
// Rekognition.
func (r *Rekognition) DeleteUser(_ context.Context, in *rekognition.DeleteUserInput, _ ...func(*rekognition.Options)) (*rekognition.DeleteUserOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.db.Update(func(tx *bolt.Tx) error {
		if err := r.checkUser(tx, in.CollectionId, in.UserId, true); err != nil {
			return err
		}
		var members []string
		for id, f := range r.faces {
			if aws.ToString(f.Face.UserId) == aws.ToString(in.UserId) {
				members = append(members, id)
			}
		}
		if err := r.setUser(tx, members, nil); err != nil {
			return err
		}
		return tx.Bucket(bucketUsers).Delete([]byte(aws.ToString(in.UserId)))
	})
	if err != nil {
		return nil, err
	}
	return &rekognition.DeleteUserOutput{}, nil
}

// setUser persists the UserId of faces (nil: none), in memory and in the
// database; r.mu is held.
func (r *Rekognition) setUser(tx *bolt.Tx, ids []string, userID *string) error {
	for _, id := range ids {
		f := r.faces[id]
		f.Face.UserId = userID
		v, err := json.Marshal(f)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketVectors).Put([]byte(id), v); err != nil {
			return err
		}
		r.faces[id] = f
	}
	return nil
}

// AssociateFaces associates faces with a user (faces already its own
// count as associated); a user holds at most 100 faces
// (ServiceQuotaExceededException beyond).
func (r *Rekognition) AssociateFaces(_ context.Context, in *rekognition.AssociateFacesInput, _ ...func(*rekognition.Options)) (*rekognition.AssociateFacesOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := &rekognition.AssociateFacesOutput{UserStatus: rtypes.UserStatusActive}
	err := r.db.Update(func(tx *bolt.Tx) error {
		if err := r.checkUser(tx, in.CollectionId, in.UserId, true); err != nil {
			return err
		}
		user := aws.ToString(in.UserId)
		count := 0
		for _, f := range r.faces {
			if aws.ToString(f.Face.UserId) == user {
				count++
			}
		}
		var add []string
		for _, id := range in.FaceIds {
			f, ok := r.faces[id]
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
		return r.setUser(tx, add, aws.String(user))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DisassociateFaces removes faces from a user; a face that is not the
// user's is reported as unsuccessful.
func (r *Rekognition) DisassociateFaces(_ context.Context, in *rekognition.DisassociateFacesInput, _ ...func(*rekognition.Options)) (*rekognition.DisassociateFacesOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := &rekognition.DisassociateFacesOutput{UserStatus: rtypes.UserStatusActive}
	err := r.db.Update(func(tx *bolt.Tx) error {
		if err := r.checkUser(tx, in.CollectionId, in.UserId, true); err != nil {
			return err
		}
		var drop []string
		for _, id := range in.FaceIds {
			f, ok := r.faces[id]
			switch {
			case !ok:
				out.UnsuccessfulFaceDisassociations = append(out.UnsuccessfulFaceDisassociations, rtypes.UnsuccessfulFaceDisassociation{FaceId: aws.String(id), Reasons: []rtypes.UnsuccessfulFaceDisassociationReason{rtypes.UnsuccessfulFaceDisassociationReasonFaceNotFound}})
			case aws.ToString(f.Face.UserId) != aws.ToString(in.UserId):
				out.UnsuccessfulFaceDisassociations = append(out.UnsuccessfulFaceDisassociations, rtypes.UnsuccessfulFaceDisassociation{FaceId: aws.String(id), UserId: f.Face.UserId, Reasons: []rtypes.UnsuccessfulFaceDisassociationReason{rtypes.UnsuccessfulFaceDisassociationReasonAssociatedToADifferentUser}})
			default:
				drop = append(drop, id)
				out.DisassociatedFaces = append(out.DisassociatedFaces, rtypes.DisassociatedFace{FaceId: aws.String(id)})
			}
		}
		return r.setUser(tx, drop, nil)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SearchUsersByImage searches the users for the largest face of the
// image: each user's similarity is the best of its faces', users at or
// above UserMatchThreshold (default 80) come most similar first, at most
// MaxUsers (all when unset). An image without a face gives no
// SearchedFace and no UserMatches, as in Rekognition ("If no valid face is
// detected in the image, the response will contain an empty UserMatches
// list and no SearchedFace object", Rekognition API reference).
func (r *Rekognition) SearchUsersByImage(ctx context.Context, in *rekognition.SearchUsersByImageInput, _ ...func(*rekognition.Options)) (*rekognition.SearchUsersByImageOutput, error) {
	det, desc, threshold, err := r.largestFace(ctx, in.CollectionId, in.Image, in.UserMatchThreshold)
	if errors.Is(err, errNoFace) {
		return &rekognition.SearchUsersByImageOutput{FaceModelVersion: aws.String("local-dlib-resnet-v1"), UserMatches: []rtypes.UserMatch{}}, nil
	}
	if err != nil {
		return nil, err
	}
	out := &rekognition.SearchUsersByImageOutput{
		SearchedFace:     &rtypes.SearchedFaceDetails{FaceDetail: &rtypes.FaceDetail{BoundingBox: box(det.BoundingBox), Confidence: aws.Float32(float32(det.Confidence))}},
		FaceModelVersion: aws.String("local-dlib-resnet-v1"),
		UserMatches:      []rtypes.UserMatch{},
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	seen := map[string]bool{}
	for _, m := range r.gallery.Search(desc, 0, threshold) { // most similar first
		user := r.faces[m.ID].Face.UserId
		if user == nil || seen[*user] {
			continue
		}
		seen[*user] = true
		out.UserMatches = append(out.UserMatches, rtypes.UserMatch{Similarity: aws.Float32(float32(m.Similarity)), User: &rtypes.MatchedUser{UserId: user, UserStatus: rtypes.UserStatusActive}})
	}
	if n := int(aws.ToInt32(in.MaxUsers)); n > 0 && len(out.UserMatches) > n {
		out.UserMatches = out.UserMatches[:n]
	}
	return out, nil
}
