package rekognitiontest

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/rekognition/types"
)

// searchFaces calls SearchFaces with faceID; threshold and maxFaces are
// left unset when nil.
func (c *collection) searchFaces(faceID string, threshold *float32, maxFaces *int32) (*rekognition.SearchFacesOutput, error) {
	c.t.Helper()
	return c.rek.SearchFaces(c.t.Context(), &rekognition.SearchFacesInput{
		CollectionId: c.id, FaceId: aws.String(faceID), FaceMatchThreshold: threshold, MaxFaces: maxFaces,
	})
}

// testSearchFaces: SearchFaces matches a stored face against the others
// of its collection as SearchFacesByImage matches a photo's face: faces of
// its person at or above FaceMatchThreshold (default 80), most similar
// first, at most MaxFaces, never the face itself; it echoes the
// SearchedFaceId. A FaceId the collection does not hold is an
// InvalidParameterException.
func testSearchFaces(t *testing.T, s *suite) {
	c := s.collection(t)
	obama := c.indexOne(obama1)
	again := c.indexOne(obama2)
	biden := c.indexOne(biden2)

	out, err := c.searchFaces(obama, nil, nil)
	if err != nil {
		t.Fatalf("SearchFaces of %s's face: %v", obama1, err)
	}
	if aws.ToString(out.SearchedFaceId) != obama {
		t.Errorf("SearchedFaceId %q, want %q", aws.ToString(out.SearchedFaceId), obama)
	}
	if got, want := matchIDs(out.FaceMatches), []string{again}; !slices.Equal(got, want) {
		t.Fatalf("SearchFaces at the default threshold: FaceIds %q, want %q (%s only)", got, want, obama2)
	}
	checkSimilarities(t, "SearchFaces", out.FaceMatches, 1, defaultThreshold)
	c.checkFace("matched face", obama2, out.FaceMatches[0].Face.BoundingBox, out.FaceMatches[0].Face.Confidence)

	out, err = c.searchFaces(obama, aws.Float32(0), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := matchIDs(out.FaceMatches); len(got) != 2 || got[0] != again || got[1] != biden {
		t.Errorf("SearchFaces at threshold 0: FaceIds %q, want %s then %s, not the face itself", got, again, biden)
	}
	checkSimilarities(t, "SearchFaces at threshold 0", out.FaceMatches, 1, defaultThreshold)
	if out, err = c.searchFaces(obama, aws.Float32(0), aws.Int32(1)); err != nil {
		t.Errorf("SearchFaces with MaxFaces 1: %v", err)
	} else if got := matchIDs(out.FaceMatches); len(got) != 1 || got[0] != again {
		t.Errorf("SearchFaces with MaxFaces 1: FaceIds %q, want %s only", got, again)
	}

	_, err = c.searchFaces(missingFaceID, nil, nil)
	wantError[*types.InvalidParameterException](t, "SearchFaces of a FaceId not in the collection", err)
}
