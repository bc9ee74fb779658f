package awstest_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/facerec/facerec-cdk/internal/awstest"
)

// TestUsers: SearchUsersByImage reports SameIdentitySimilarity for the
// user of the searched identity, Users lists a collection's users, and the
// user calls validate their parameters like Rekognition's. How users
// behave is the conformance suite's (TestRekognitionConformance).
func TestUsers(t *testing.T) {
	env := awstest.New(t)
	p := newPeople(t, env)
	ctx := t.Context()
	a1 := aws.ToString(index(t, env, p.alice1, "a1").FaceRecords[0].Face.FaceId)
	a2 := aws.ToString(index(t, env, p.alice2, "a2").FaceRecords[0].Face.FaceId)
	coll := &env.Collection
	user := aws.String("alice:1")

	if _, err := env.Rekognition.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: user}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Rekognition.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: coll, UserId: user, FaceIds: []string{a1}}); err != nil {
		t.Fatal(err)
	}
	found, err := env.Rekognition.SearchUsersByImage(ctx, &rekognition.SearchUsersByImageInput{CollectionId: coll, Image: &types.Image{Bytes: p.alice2}})
	if err != nil || len(found.UserMatches) != 1 || aws.ToString(found.UserMatches[0].User.UserId) != *user ||
		aws.ToFloat32(found.UserMatches[0].Similarity) != awstest.SameIdentitySimilarity {
		t.Fatalf("SearchUsersByImage of alice: %+v, %v", found, err)
	}
	if got := env.Rek.Users(env.Collection); !slices.Equal(got, []string{*user}) {
		t.Errorf("Users = %v, want [%s]", got, *user)
	}
	if _, err := env.Rekognition.DeleteUser(ctx, &rekognition.DeleteUserInput{CollectionId: coll, UserId: user, ClientRequestToken: aws.String("t-1")}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if got := env.Rek.Users(env.Collection); len(got) != 0 {
		t.Errorf("users after DeleteUser: %v", got)
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
