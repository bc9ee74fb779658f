package rekognitiontest

import (
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
)

// testListFacesOfUser: ListFaces with a UserId lists only the faces
// associated with that user (none for a user without faces), as the
// sweeper asks before it deletes a person's user.
func testListFacesOfUser(t *testing.T, s *suite) {
	c := s.collection(t)
	ctx := t.Context()
	o1, _ := c.indexOne(obama1), c.indexOne(biden2)
	for _, u := range []string{"obama:1", "nobody:1"} {
		if err := c.createUser(u, nil); err != nil {
			t.Fatalf("CreateUser %s: %v", u, err)
		}
	}
	if _, err := c.rek.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: c.id, UserId: aws.String("obama:1"), FaceIds: []string{o1}}); err != nil {
		t.Fatal(err)
	}
	for user, want := range map[string][]string{"obama:1": {o1}, "nobody:1": nil} {
		out, err := c.rek.ListFaces(ctx, &rekognition.ListFacesInput{CollectionId: c.id, UserId: aws.String(user)})
		if err != nil {
			t.Fatalf("ListFaces of %s: %v", user, err)
		}
		var got []string
		for _, f := range out.Faces {
			got = append(got, aws.ToString(f.FaceId))
		}
		if !slices.Equal(got, want) {
			t.Errorf("ListFaces of %s = %q, want %q", user, got, want)
		}
	}
}

// testListFacesOfAMissingUser: ListFaces with a UserId that no user has
// answers either no faces or ResourceNotFoundException (Rekognition's
// documentation does not say which; the sweeper takes both as "no
// faces"), never faces or another error.
func testListFacesOfAMissingUser(t *testing.T, s *suite) {
	c := s.collection(t)
	c.indexOne(obama1)
	out, err := c.rek.ListFaces(t.Context(), &rekognition.ListFacesInput{CollectionId: c.id, UserId: aws.String("nobody:2")})
	var missing *rtypes.ResourceNotFoundException
	switch {
	case errors.As(err, &missing):
	case err != nil:
		t.Errorf("ListFaces of a missing user: %v, want no faces or ResourceNotFoundException", err)
	case len(out.Faces) != 0:
		t.Errorf("ListFaces of a missing user = %d faces, want none", len(out.Faces))
	}
}
