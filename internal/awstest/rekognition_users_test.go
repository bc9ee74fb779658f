package awstest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/facerec/facerec-cdk/internal/awstest"
)

// TestUsers: users group faces; DeleteFaces refuses a face of a user
// until it is disassociated; DeleteUser frees the user's faces;
// SearchUsersByImage finds the user of the
// searched identity; the calls validate like Rekognition's.
func TestUsers(t *testing.T) {
	env := awstest.New(t)
	p := newPeople(t, env)
	ctx := t.Context()
	a1 := aws.ToString(index(t, env, p.alice1, "a1").FaceRecords[0].Face.FaceId)
	a2 := aws.ToString(index(t, env, p.alice2, "a2").FaceRecords[0].Face.FaceId)
	coll := &env.Collection
	user := aws.String("alice:1")

	if _, err := env.Rekognition.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: coll, UserId: user, FaceIds: []string{a1}}); !errors.As(err, new(*types.ResourceNotFoundException)) {
		t.Errorf("AssociateFaces to a missing user: %v, want ResourceNotFoundException", err)
	}
	if _, err := env.Rekognition.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: user}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Rekognition.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: user}); !errors.As(err, new(*types.ConflictException)) {
		t.Errorf("second CreateUser: %v, want ConflictException", err)
	}
	missing := "00000000-0000-0000-0000-000000000000"
	out, err := env.Rekognition.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: coll, UserId: user, FaceIds: []string{a1, a2, missing}})
	if err != nil || len(out.AssociatedFaces) != 2 || len(out.UnsuccessfulFaceAssociations) != 1 ||
		out.UnsuccessfulFaceAssociations[0].Reasons[0] != types.UnsuccessfulFaceAssociationReasonFaceNotFound {
		t.Fatalf("AssociateFaces: %+v, %v", out, err)
	}
	del, err := env.Rekognition.DeleteFaces(ctx, &rekognition.DeleteFacesInput{CollectionId: coll, FaceIds: []string{a1}})
	if err != nil || len(del.DeletedFaces) != 0 || len(del.UnsuccessfulFaceDeletions) != 1 ||
		aws.ToString(del.UnsuccessfulFaceDeletions[0].UserId) != *user ||
		del.UnsuccessfulFaceDeletions[0].Reasons[0] != types.UnsuccessfulFaceDeletionReasonAssociatedToAnExistingUser {
		t.Fatalf("DeleteFaces of an associated face: %+v, %v", del, err)
	}
	dis, err := env.Rekognition.DisassociateFaces(ctx, &rekognition.DisassociateFacesInput{CollectionId: coll, UserId: user, FaceIds: []string{a1}})
	if err != nil || len(dis.DisassociatedFaces) != 1 {
		t.Fatalf("DisassociateFaces: %+v, %v", dis, err)
	}
	if del, err = env.Rekognition.DeleteFaces(ctx, &rekognition.DeleteFacesInput{CollectionId: coll, FaceIds: []string{a1}}); err != nil || len(del.DeletedFaces) != 1 {
		t.Fatalf("DeleteFaces after DisassociateFaces: %+v, %v", del, err)
	}

	found, err := env.Rekognition.SearchUsersByImage(ctx, &rekognition.SearchUsersByImageInput{CollectionId: coll, Image: &types.Image{Bytes: p.alice1}})
	if err != nil || len(found.UserMatches) != 1 || aws.ToString(found.UserMatches[0].User.UserId) != *user ||
		aws.ToFloat32(found.UserMatches[0].Similarity) != awstest.SameIdentitySimilarity || found.SearchedFace == nil {
		t.Fatalf("SearchUsersByImage of alice: %+v, %v", found, err)
	}
	if found, err = env.Rekognition.SearchUsersByImage(ctx, &rekognition.SearchUsersByImageInput{CollectionId: coll, Image: &types.Image{Bytes: p.bob1}}); err != nil || len(found.UserMatches) != 0 {
		t.Fatalf("SearchUsersByImage of bob: %+v, %v", found, err)
	}

	if _, err := env.Rekognition.DeleteUser(ctx, &rekognition.DeleteUserInput{CollectionId: coll, UserId: user, ClientRequestToken: aws.String("t-1")}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if got := env.Rek.Users(env.Collection); len(got) != 0 {
		t.Errorf("users after DeleteUser: %v", got)
	}
	if del, err = env.Rekognition.DeleteFaces(ctx, &rekognition.DeleteFacesInput{CollectionId: coll, FaceIds: []string{a2}}); err != nil || len(del.DeletedFaces) != 1 {
		t.Errorf("DeleteFaces of a face of a deleted user: %+v, %v", del, err)
	}
	if _, err := env.Rekognition.DeleteUser(ctx, &rekognition.DeleteUserInput{CollectionId: coll, UserId: user}); !errors.As(err, new(*types.ResourceNotFoundException)) {
		t.Errorf("DeleteUser of a missing user: %v, want ResourceNotFoundException", err)
	}
	if _, err := env.Rekognition.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: user}); err != nil {
		t.Fatal(err)
	}

	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = a2
	}
	for name, call := range map[string]func() error{
		"bad UserId": func() error {
			_, err := env.Rekognition.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: aws.String("Joë")})
			return err
		},
		"long UserId": func() error {
			_, err := env.Rekognition.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: aws.String(strings.Repeat("u", 129))})
			return err
		},
		"bad token": func() error {
			_, err := env.Rekognition.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: user, ClientRequestToken: aws.String("a:b")})
			return err
		},
		"101 faces": func() error {
			_, err := env.Rekognition.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: coll, UserId: user, FaceIds: tooMany})
			return err
		},
		"MaxUsers 501": func() error {
			_, err := env.Rekognition.SearchUsersByImage(ctx, &rekognition.SearchUsersByImageInput{CollectionId: coll, Image: &types.Image{Bytes: p.alice1}, MaxUsers: aws.Int32(501)})
			return err
		},
		"UserMatchThreshold 101": func() error {
			_, err := env.Rekognition.SearchUsersByImage(ctx, &rekognition.SearchUsersByImageInput{CollectionId: coll, Image: &types.Image{Bytes: p.alice1}, UserMatchThreshold: aws.Float32(101)})
			return err
		},
		"search without a face": func() error {
			_, err := env.Rekognition.SearchUsersByImage(ctx, &rekognition.SearchUsersByImageInput{CollectionId: coll, Image: &types.Image{Bytes: p.empty}})
			return err
		},
		"bad UserId to delete": func() error {
			_, err := env.Rekognition.DeleteUser(ctx, &rekognition.DeleteUserInput{CollectionId: coll, UserId: aws.String("a/b")})
			return err
		},
		"no faces": func() error {
			_, err := env.Rekognition.DisassociateFaces(ctx, &rekognition.DisassociateFacesInput{CollectionId: coll, UserId: user, FaceIds: []string{}})
			return err
		},
	} {
		if err := call(); !errors.As(err, new(*types.InvalidParameterException)) {
			t.Errorf("%s: %v, want InvalidParameterException", name, err)
		}
	}
}
