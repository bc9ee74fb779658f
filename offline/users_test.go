package offline

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/facerec/facerec-cdk/examples/photos"
)

// TestRekognition_usersPersist: the local users, their faces and the
// ClientRequestToken that created them are kept in the database, for a
// Rekognition opened on it later. (How users behave is the conformance
// suite's, TestRekognitionConformance.)
func TestRekognition_usersPersist(t *testing.T) {
	rek, ctx := testRekognition(t), t.Context()
	reload := func() *Rekognition {
		t.Helper()
		r, err := newRekognition(rek.collectionID, rek.engine, rek.objects, rek.db)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	coll, user, token := aws.String(rek.collectionID), aws.String("obama:1"), aws.String("create-obama")
	idx, err := rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: coll, Image: &rtypes.Image{Bytes: photos.MustRead("obama_1.jpg")}})
	if err != nil || len(idx.FaceRecords) != 1 {
		t.Fatalf("IndexFaces: %+v, %v", idx, err)
	}
	face := aws.ToString(idx.FaceRecords[0].Face.FaceId)
	if _, err := rek.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: user, ClientRequestToken: token}); err != nil {
		t.Fatal(err)
	}
	if _, err := rek.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: coll, UserId: user, FaceIds: []string{face}}); err != nil {
		t.Fatal(err)
	}

	reloaded := reload()
	if got := aws.ToString(reloaded.collections[rek.collectionID].faces[face].Face.UserId); got != *user {
		t.Errorf("after a reload the face's user is %q, want %q", got, *user)
	}
	if _, err := reloaded.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: user, ClientRequestToken: token}); err != nil {
		t.Errorf("after a reload, CreateUser repeated with its token: %v", err)
	}
	if _, err := reloaded.DeleteUser(ctx, &rekognition.DeleteUserInput{CollectionId: coll, UserId: user}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if reloaded = reload(); reloaded.collections[rek.collectionID].faces[face].Face.UserId != nil {
		t.Errorf("after DeleteUser and a reload the face's user is %q, want none", aws.ToString(reloaded.collections[rek.collectionID].faces[face].Face.UserId))
	}
	if del, err := reloaded.DeleteFaces(ctx, &rekognition.DeleteFacesInput{CollectionId: coll, FaceIds: []string{face}}); err != nil || len(del.DeletedFaces) != 1 || reloaded.Len() != 0 || reload().Len() != 0 {
		t.Errorf("DeleteFaces of the freed face: %+v, %v; %d faces left", del, err, reloaded.Len())
	}
}
