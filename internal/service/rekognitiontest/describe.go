package rekognitiontest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
)

// testDescribeCollection: DescribeCollection counts the collection's
// faces (FaceCount) and users (UserCount).
func testDescribeCollection(t *testing.T, s *suite) {
	c := s.collection(t)
	describe := func() (int64, int64) {
		t.Helper()
		out, err := c.rek.DescribeCollection(t.Context(), &rekognition.DescribeCollectionInput{CollectionId: c.id})
		if err != nil {
			t.Fatalf("DescribeCollection: %v", err)
		}
		return aws.ToInt64(out.FaceCount), aws.ToInt64(out.UserCount)
	}
	if faces, users := describe(); faces != 0 || users != 0 {
		t.Errorf("a new collection: FaceCount %d, UserCount %d; want 0, 0", faces, users)
	}
	c.indexOne(obama1)
	c.indexOne(biden2)
	if err := c.createUser("user-1", nil); err != nil {
		t.Fatal(err)
	}
	if faces, users := describe(); faces != 2 || users != 1 {
		t.Errorf("after 2 faces and a user: FaceCount %d, UserCount %d; want 2, 1", faces, users)
	}
}
