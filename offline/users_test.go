package offline

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/facerec/facerec-cdk/examples/photos"
)

// TestRekognition_users: the local users group faces like Rekognition's,
// kept in the database; DeleteFaces refuses a face of a user until it is
// disassociated.
func TestRekognition_users(t *testing.T) {
	l := testLocal(t)
	rek, ctx := l.Rekognition, t.Context()
	coll, user := aws.String(rek.collectionID), aws.String("obama:1")
	idx, err := rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: coll, Image: &rtypes.Image{Bytes: photos.MustRead("obama_1.jpg")}})
	if err != nil || len(idx.FaceRecords) != 1 {
		t.Fatalf("IndexFaces: %+v, %v", idx, err)
	}
	face := aws.ToString(idx.FaceRecords[0].Face.FaceId)
	if _, err := rek.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: coll, UserId: user, FaceIds: []string{face}}); !errors.As(err, new(*rtypes.ResourceNotFoundException)) {
		t.Errorf("AssociateFaces to a missing user: %v", err)
	}
	if _, err := rek.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: user}); err != nil {
		t.Fatal(err)
	}
	if _, err := rek.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: user}); !errors.As(err, new(*rtypes.ConflictException)) {
		t.Errorf("second CreateUser: %v, want ConflictException", err)
	}
	if out, err := rek.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: coll, UserId: user, FaceIds: []string{face}}); err != nil || len(out.AssociatedFaces) != 1 {
		t.Fatalf("AssociateFaces: %+v, %v", out, err)
	}
	reloaded, err := newRekognition(rek.collectionID, rek.engine, rek.objects, rek.db)
	if err != nil || aws.ToString(reloaded.faces[face].Face.UserId) != *user {
		t.Fatalf("after reload the face's user is %q (%v)", aws.ToString(reloaded.faces[face].Face.UserId), err)
	}
	if _, err := rek.DeleteUser(ctx, &rekognition.DeleteUserInput{CollectionId: coll, UserId: user}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if reloaded, err = newRekognition(rek.collectionID, rek.engine, rek.objects, rek.db); err != nil || reloaded.faces[face].Face.UserId != nil {
		t.Fatalf("after DeleteUser and a reload the face's user is %q (%v)", aws.ToString(reloaded.faces[face].Face.UserId), err)
	}
	if _, err := rek.DeleteUser(ctx, &rekognition.DeleteUserInput{CollectionId: coll, UserId: user}); !errors.As(err, new(*rtypes.ResourceNotFoundException)) {
		t.Errorf("DeleteUser of a missing user: %v, want ResourceNotFoundException", err)
	}
	if _, err := rek.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: user}); err != nil {
		t.Fatal(err)
	}
	if _, err := rek.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: coll, UserId: user, FaceIds: []string{face}}); err != nil {
		t.Fatal(err)
	}
	del, err := rek.DeleteFaces(ctx, &rekognition.DeleteFacesInput{CollectionId: coll, FaceIds: []string{face}})
	if err != nil || len(del.DeletedFaces) != 0 || len(del.UnsuccessfulFaceDeletions) != 1 ||
		del.UnsuccessfulFaceDeletions[0].Reasons[0] != rtypes.UnsuccessfulFaceDeletionReasonAssociatedToAnExistingUser {
		t.Fatalf("DeleteFaces of an associated face: %+v, %v", del, err)
	}
	if out, err := rek.DisassociateFaces(ctx, &rekognition.DisassociateFacesInput{CollectionId: coll, UserId: user, FaceIds: []string{face}}); err != nil || len(out.DisassociatedFaces) != 1 {
		t.Fatalf("DisassociateFaces: %+v, %v", out, err)
	}
	if del, err = rek.DeleteFaces(ctx, &rekognition.DeleteFacesInput{CollectionId: coll, FaceIds: []string{face}}); err != nil || len(del.DeletedFaces) != 1 || rek.Len() != 0 {
		t.Fatalf("DeleteFaces after DisassociateFaces: %+v, %v", del, err)
	}
}
