package offline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/smithy-go"
	bolt "go.etcd.io/bbolt"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/rekognitiontest"
)

// sdkClient returns aws-sdk-go-v2's Rekognition client for the
// Rekognition protocol of l, served by a test server, signing with the
// key pair keyID/secret; retries are off so that each call is one request.
func sdkClient(t *testing.T, l *Local, keyID, secret string) *rekognition.Client {
	t.Helper()
	srv := httptest.NewServer(l.Handler())
	t.Cleanup(srv.Close)
	return rekognition.New(rekognition.Options{
		BaseEndpoint:     aws.String(srv.URL),
		Region:           "eu-west-1",
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		RetryMaxAttempts: 1,
	})
}

// wantCode fails the test unless err is an AWS API error with the code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Errorf("%s: error %v, want %s", what, err, code)
	}
}

// photo is the sample photo name as Rekognition's inline image.
func photo(name string) *rtypes.Image { return &rtypes.Image{Bytes: photos.MustRead(name)} }

// TestRekognitionAPI_faceWorkflow runs every operation of the protocol
// with the SDK's client, in the order a face-collection application uses
// them, with their main errors.
func TestRekognitionAPI_faceWorkflow(t *testing.T) {
	l := testLocal(t)
	rek := sdkClient(t, l, "AKIDANY", "any-secret")
	ctx := t.Context()
	coll := aws.String("sdk-test")

	// Collections.
	created, err := rek.CreateCollection(ctx, &rekognition.CreateCollectionInput{CollectionId: coll})
	if err != nil || aws.ToInt32(created.StatusCode) != 200 || !strings.HasSuffix(aws.ToString(created.CollectionArn), ":collection/sdk-test") {
		t.Fatalf("CreateCollection: %+v, %v", created, err)
	}
	_, err = rek.CreateCollection(ctx, &rekognition.CreateCollectionInput{CollectionId: coll})
	wantCode(t, "CreateCollection of an existing collection", err, "ResourceAlreadyExistsException")
	_, err = rek.CreateCollection(ctx, &rekognition.CreateCollectionInput{CollectionId: aws.String("no/slash")})
	wantCode(t, "CreateCollection of an invalid id", err, "InvalidParameterException")
	_, err = rek.CreateCollection(ctx, &rekognition.CreateCollectionInput{CollectionId: aws.String(strings.Repeat("a", 256))})
	wantCode(t, "CreateCollection of a 256-character id", err, "InvalidParameterException")
	var listed []string
	for p := rekognition.NewListCollectionsPaginator(rek, &rekognition.ListCollectionsInput{MaxResults: aws.Int32(1)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListCollections: %v", err)
		}
		listed = append(listed, page.CollectionIds...)
	}
	if !slices.Equal(listed, []string{CollectionID, *coll}) {
		t.Errorf("ListCollections pages of one: %q, want the service's and %s", listed, *coll)
	}
	_, err = rek.ListCollections(ctx, &rekognition.ListCollectionsInput{NextToken: aws.String("not base64!")})
	wantCode(t, "ListCollections with a bad token", err, "InvalidPaginationTokenException")
	_, err = rek.DescribeCollection(ctx, &rekognition.DescribeCollectionInput{CollectionId: aws.String("missing")})
	wantCode(t, "DescribeCollection of a missing collection", err, "ResourceNotFoundException")

	// Indexing: bytes, an object of the local bucket, MaxFaces.
	obama1, err := rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: coll, Image: photo("obama_1.jpg"), ExternalImageId: aws.String("obama_1.jpg")})
	if err != nil || len(obama1.FaceRecords) != 1 || aws.ToString(obama1.FaceRecords[0].Face.ExternalImageId) != "obama_1.jpg" {
		t.Fatalf("IndexFaces obama_1.jpg: %+v, %v", obama1, err)
	}
	if _, err := l.Objects.Put("photos/biden_2.jpg", photos.MustRead("biden_2.jpg"), "image/jpeg", nil); err != nil {
		t.Fatal(err)
	}
	biden, err := rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: coll, Image: &rtypes.Image{S3Object: &rtypes.S3Object{Bucket: aws.String(BucketName), Name: aws.String("photos/biden_2.jpg")}}})
	if err != nil || len(biden.FaceRecords) != 1 {
		t.Fatalf("IndexFaces of an S3Object: %+v, %v", biden, err)
	}
	group, err := rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: coll, Image: photo("group_obama_biden.jpg"), MaxFaces: aws.Int32(1)})
	if err != nil || len(group.FaceRecords) != 1 || len(group.UnindexedFaces) != 1 || group.UnindexedFaces[0].Reasons[0] != rtypes.ReasonExceedsMaxFaces {
		t.Fatalf("IndexFaces of the group with MaxFaces 1: %+v, %v", group, err)
	}
	_, err = rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: coll, Image: photo("obama_1.jpg"), MaxFaces: aws.Int32(0)})
	wantCode(t, "IndexFaces with MaxFaces 0", err, "InvalidParameterException")
	_, err = rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: coll, Image: photo("obama_1.jpg"), ExternalImageId: aws.String("a b")})
	wantCode(t, "IndexFaces with a space in ExternalImageId", err, "InvalidParameterException")
	_, err = rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: coll, Image: &rtypes.Image{Bytes: []byte("not an image")}})
	wantCode(t, "IndexFaces of text", err, "InvalidImageFormatException")
	_, err = rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: coll, Image: &rtypes.Image{Bytes: make([]byte, contract.MaxImageBytes+1)}})
	wantCode(t, "IndexFaces of 5 MB and a byte", err, "ImageTooLargeException")
	_, err = rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: coll, Image: &rtypes.Image{S3Object: &rtypes.S3Object{Bucket: aws.String(BucketName), Name: aws.String("missing.jpg")}}})
	wantCode(t, "IndexFaces of a missing object", err, "InvalidS3ObjectException")
	_, err = rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: coll, Image: &rtypes.Image{S3Object: &rtypes.S3Object{Bucket: aws.String("other-bucket"), Name: aws.String("photos/biden_2.jpg")}}})
	wantCode(t, "IndexFaces of an object of another bucket", err, "InvalidS3ObjectException")
	_, err = rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: aws.String("missing"), Image: photo("obama_1.jpg")})
	wantCode(t, "IndexFaces into a missing collection", err, "ResourceNotFoundException")
	obamaFace, bidenFace, groupFace := *obama1.FaceRecords[0].Face.FaceId, *biden.FaceRecords[0].Face.FaceId, *group.FaceRecords[0].Face.FaceId

	desc, err := rek.DescribeCollection(ctx, &rekognition.DescribeCollectionInput{CollectionId: coll})
	if err != nil || aws.ToInt64(desc.FaceCount) != 3 || aws.ToInt64(desc.UserCount) != 0 || time.Since(aws.ToTime(desc.CreationTimestamp)).Abs() > time.Minute {
		t.Errorf("DescribeCollection: %+v, %v; want 3 faces, no user, created just now", desc, err)
	}

	// Listing faces, a page at a time.
	var faces []string
	for p := rekognition.NewListFacesPaginator(rek, &rekognition.ListFacesInput{CollectionId: coll, MaxResults: aws.Int32(2)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListFaces: %v", err)
		}
		for _, f := range page.Faces {
			faces = append(faces, *f.FaceId)
		}
	}
	if want := []string{obamaFace, bidenFace, groupFace}; !sameSet(faces, want) {
		t.Errorf("ListFaces: %q, want %q", faces, want)
	}
	_, err = rek.ListFaces(ctx, &rekognition.ListFacesInput{CollectionId: coll, MaxResults: aws.Int32(4097)})
	wantCode(t, "ListFaces with MaxResults 4097", err, "InvalidParameterException")
	if other, err := rek.ListFaces(ctx, &rekognition.ListFacesInput{CollectionId: aws.String(CollectionID)}); err != nil || len(other.Faces) != 0 {
		t.Errorf("ListFaces of the service's collection: %+v, %v; want none (collections are namespaces)", other, err)
	}

	// Searching and comparing.
	found, err := rek.SearchFacesByImage(ctx, &rekognition.SearchFacesByImageInput{CollectionId: coll, Image: photo("obama_2.jpg")})
	if err != nil || !sameSet(matchIDs(found.FaceMatches), []string{obamaFace, groupFace}) || found.SearchedFaceBoundingBox == nil {
		t.Errorf("SearchFacesByImage obama_2.jpg: %+v, %v; want the two faces of obama", found, err)
	}
	_, err = rek.SearchFacesByImage(ctx, &rekognition.SearchFacesByImageInput{CollectionId: coll, Image: photo("obama_2.jpg"), FaceMatchThreshold: aws.Float32(100.5)})
	wantCode(t, "SearchFacesByImage with FaceMatchThreshold 100.5", err, "InvalidParameterException")
	_, err = rek.SearchFacesByImage(ctx, &rekognition.SearchFacesByImageInput{CollectionId: coll, Image: photo("obama_2.jpg"), MaxFaces: aws.Int32(4097)})
	wantCode(t, "SearchFacesByImage with MaxFaces 4097", err, "InvalidParameterException")
	_, err = rek.SearchFacesByImage(ctx, &rekognition.SearchFacesByImageInput{CollectionId: coll, Image: photo("noface_rocket.jpg")})
	wantCode(t, "SearchFacesByImage without a face", err, "InvalidParameterException")
	byFace, err := rek.SearchFaces(ctx, &rekognition.SearchFacesInput{CollectionId: coll, FaceId: aws.String(obamaFace)})
	if err != nil || !slices.Equal(matchIDs(byFace.FaceMatches), []string{groupFace}) || aws.ToString(byFace.SearchedFaceId) != obamaFace {
		t.Errorf("SearchFaces of obama's face: %+v, %v; want the other face of obama only", byFace, err)
	}
	_, err = rek.SearchFaces(ctx, &rekognition.SearchFacesInput{CollectionId: coll, FaceId: aws.String("not-a-face-id")})
	wantCode(t, "SearchFaces of a malformed FaceId", err, "InvalidParameterException")
	_, err = rek.SearchFaces(ctx, &rekognition.SearchFacesInput{CollectionId: coll, FaceId: aws.String("00000000-0000-0000-0000-000000000000")})
	wantCode(t, "SearchFaces of a FaceId not in the collection", err, "InvalidParameterException")
	detected, err := rek.DetectFaces(ctx, &rekognition.DetectFacesInput{Image: photo("group_obama_biden.jpg")})
	if err != nil || len(detected.FaceDetails) != 2 || detected.FaceDetails[0].BoundingBox == nil || aws.ToFloat32(detected.FaceDetails[0].Confidence) <= 0 {
		t.Errorf("DetectFaces of the group: %+v, %v; want two faces with boxes and confidence", detected, err)
	}
	compared, err := rek.CompareFaces(ctx, &rekognition.CompareFacesInput{SourceImage: photo("obama_2.jpg"), TargetImage: photo("group_obama_biden.jpg")})
	if err != nil || len(compared.FaceMatches) != 1 || len(compared.UnmatchedFaces) != 1 || aws.ToFloat32(compared.FaceMatches[0].Similarity) < 80 {
		t.Errorf("CompareFaces obama_2.jpg with the group: %+v, %v; want one match and one unmatched face", compared, err)
	} else if left := aws.ToFloat32(compared.FaceMatches[0].Face.BoundingBox.Left); left > 0.5 {
		t.Errorf("CompareFaces matched the face at Left %v; want obama's, on the left", left)
	}
	_, err = rek.CompareFaces(ctx, &rekognition.CompareFacesInput{SourceImage: photo("obama_2.jpg"), TargetImage: photo("biden_2.jpg"), SimilarityThreshold: aws.Float32(-1)})
	wantCode(t, "CompareFaces with SimilarityThreshold -1", err, "InvalidParameterException")

	// Users.
	user := aws.String("obama")
	if _, err := rek.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: user, ClientRequestToken: aws.String("create-obama")}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if _, err := rek.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: user, ClientRequestToken: aws.String("create-obama")}); err != nil {
		t.Errorf("CreateUser repeated with its ClientRequestToken: %v, want success", err)
	}
	_, err = rek.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: user, ClientRequestToken: aws.String("another")})
	wantCode(t, "CreateUser of an existing user", err, "ConflictException")
	_, err = rek.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: aws.String("biden"), ClientRequestToken: aws.String("has space")})
	wantCode(t, "CreateUser with a malformed ClientRequestToken", err, "InvalidParameterException")
	if _, err := rek.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: aws.String("biden")}); err != nil {
		t.Fatalf("CreateUser biden: %v", err)
	}
	users, err := rek.ListUsers(ctx, &rekognition.ListUsersInput{CollectionId: coll, MaxResults: aws.Int32(1)})
	if err != nil || len(users.Users) != 1 || aws.ToString(users.Users[0].UserId) != "biden" || users.NextToken == nil {
		t.Errorf("ListUsers MaxResults 1: %+v, %v; want biden and a NextToken", users, err)
	} else if rest, err := rek.ListUsers(ctx, &rekognition.ListUsersInput{CollectionId: coll, NextToken: users.NextToken}); err != nil || len(rest.Users) != 1 || aws.ToString(rest.Users[0].UserId) != "obama" || rest.NextToken != nil {
		t.Errorf("ListUsers' second page: %+v, %v; want obama and no NextToken", rest, err)
	}
	assoc, err := rek.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: coll, UserId: user, FaceIds: []string{obamaFace, groupFace, bidenFace}, ClientRequestToken: aws.String("assoc-1")})
	if err != nil || len(assoc.AssociatedFaces) != 3 {
		t.Fatalf("AssociateFaces: %+v, %v", assoc, err)
	}
	disassoc, err := rek.DisassociateFaces(ctx, &rekognition.DisassociateFacesInput{CollectionId: coll, UserId: user, FaceIds: []string{bidenFace}})
	if err != nil || len(disassoc.DisassociatedFaces) != 1 {
		t.Errorf("DisassociateFaces: %+v, %v", disassoc, err)
	}
	_, err = rek.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: coll, UserId: aws.String("nobody"), FaceIds: []string{bidenFace}})
	wantCode(t, "AssociateFaces to a missing user", err, "ResourceNotFoundException")
	if _, err := rek.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: coll, UserId: aws.String("biden"), FaceIds: []string{bidenFace}}); err != nil {
		t.Fatalf("AssociateFaces biden: %v", err)
	}
	byImage, err := rek.SearchUsersByImage(ctx, &rekognition.SearchUsersByImageInput{CollectionId: coll, Image: photo("obama_2.jpg")})
	if err != nil || len(byImage.UserMatches) != 1 || aws.ToString(byImage.UserMatches[0].User.UserId) != "obama" || byImage.SearchedFace == nil {
		t.Errorf("SearchUsersByImage obama_2.jpg: %+v, %v; want the user obama", byImage, err)
	}
	_, err = rek.SearchUsersByImage(ctx, &rekognition.SearchUsersByImageInput{CollectionId: coll, Image: photo("obama_2.jpg"), MaxUsers: aws.Int32(501)})
	wantCode(t, "SearchUsersByImage with MaxUsers 501", err, "InvalidParameterException")
	byUser, err := rek.SearchUsers(ctx, &rekognition.SearchUsersInput{CollectionId: coll, FaceId: aws.String(groupFace)})
	if err != nil || len(byUser.UserMatches) != 1 || aws.ToString(byUser.UserMatches[0].User.UserId) != "obama" {
		t.Errorf("SearchUsers by obama's face: %+v, %v; want the user obama", byUser, err)
	}
	_, err = rek.SearchUsers(ctx, &rekognition.SearchUsersInput{CollectionId: coll})
	wantCode(t, "SearchUsers with neither FaceId nor UserId", err, "InvalidParameterException")
	// obama's group face as a user of its own: found by obama's user, which
	// is left out of its own matches.
	if _, err := rek.DisassociateFaces(ctx, &rekognition.DisassociateFacesInput{CollectionId: coll, UserId: user, FaceIds: []string{groupFace}}); err != nil {
		t.Fatal(err)
	}
	if _, err := rek.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: coll, UserId: aws.String("obama-group")}); err != nil {
		t.Fatal(err)
	}
	if _, err := rek.AssociateFaces(ctx, &rekognition.AssociateFacesInput{CollectionId: coll, UserId: aws.String("obama-group"), FaceIds: []string{groupFace}}); err != nil {
		t.Fatal(err)
	}
	byUser, err = rek.SearchUsers(ctx, &rekognition.SearchUsersInput{CollectionId: coll, UserId: user})
	if err != nil || len(byUser.UserMatches) != 1 || aws.ToString(byUser.UserMatches[0].User.UserId) != "obama-group" || aws.ToString(byUser.SearchedUser.UserId) != *user {
		t.Errorf("SearchUsers by the user obama: %+v, %v; want the user obama-group only", byUser, err)
	}

	// Deleting.
	del, err := rek.DeleteFaces(ctx, &rekognition.DeleteFacesInput{CollectionId: coll, FaceIds: []string{obamaFace}})
	if err != nil || len(del.DeletedFaces) != 0 || len(del.UnsuccessfulFaceDeletions) != 1 || del.UnsuccessfulFaceDeletions[0].Reasons[0] != rtypes.UnsuccessfulFaceDeletionReasonAssociatedToAnExistingUser {
		t.Errorf("DeleteFaces of a user's face: %+v, %v; want it refused", del, err)
	}
	deleteUser := &rekognition.DeleteUserInput{CollectionId: coll, UserId: user, ClientRequestToken: aws.String("delete-obama")}
	if _, err := rek.DeleteUser(ctx, deleteUser); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if _, err := rek.DeleteUser(ctx, deleteUser); err != nil {
		t.Errorf("DeleteUser repeated with its ClientRequestToken: %v, want success", err)
	}
	_, err = rek.DeleteUser(ctx, &rekognition.DeleteUserInput{CollectionId: coll, UserId: user})
	wantCode(t, "DeleteUser of a deleted user", err, "ResourceNotFoundException")
	if del, err := rek.DeleteFaces(ctx, &rekognition.DeleteFacesInput{CollectionId: coll, FaceIds: []string{obamaFace}}); err != nil || !slices.Equal(del.DeletedFaces, []string{obamaFace}) {
		t.Errorf("DeleteFaces after DeleteUser: %+v, %v; want the face deleted", del, err)
	}
	_, err = rek.DeleteFaces(ctx, &rekognition.DeleteFacesInput{CollectionId: coll, FaceIds: []string{}})
	wantCode(t, "DeleteFaces of no face", err, "InvalidParameterException")
	if _, err := rek.DeleteCollection(ctx, &rekognition.DeleteCollectionInput{CollectionId: coll}); err != nil {
		t.Fatalf("DeleteCollection: %v", err)
	}
	_, err = rek.DeleteCollection(ctx, &rekognition.DeleteCollectionInput{CollectionId: coll})
	wantCode(t, "DeleteCollection of a deleted collection", err, "ResourceNotFoundException")
}

func matchIDs(ms []rtypes.FaceMatch) []string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, aws.ToString(m.Face.FaceId))
	}
	return ids
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// postRekognition posts a raw request of the protocol and decodes the
// answer's JSON.
func postRekognition(t *testing.T, l *Local, target, body string) (int, map[string]any) {
	t.Helper()
	srv := httptest.NewServer(l.Handler())
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", RekognitionContentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s: the answer is not JSON: %v", target, err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != RekognitionContentType {
		t.Errorf("%s: Content-Type %q, want %q", target, ct, RekognitionContentType)
	}
	return resp.StatusCode, out
}

// TestRekognitionAPI_wireShapes checks what the SDK's client does not
// show: error bodies, unknown operations, members left out when unset and
// timestamps in epoch seconds.
func TestRekognitionAPI_wireShapes(t *testing.T) {
	l := testLocal(t)
	for _, c := range []struct {
		target, body string
		status       int
		code         string
	}{
		{"RekognitionService.Nope", `{}`, 400, "UnknownOperationException"},
		{"Other.DescribeCollection", `{"CollectionId":"facerec-local"}`, 400, "UnknownOperationException"},
		{"RekognitionService.DescribeCollection", `{"CollectionId":`, 400, "SerializationException"},
		{"RekognitionService.DescribeCollection", `{"CollectionId":"missing"}`, 400, "ResourceNotFoundException"},
		{"RekognitionService.DescribeCollection", `{}`, 400, "InvalidParameterException"},
		{"RekognitionService.DetectFaces", `{"Image":{"Bytes":"bm90IGFuIGltYWdl"}}`, 400, "InvalidImageFormatException"},
	} {
		status, out := postRekognition(t, l, c.target, c.body)
		if status != c.status || out["__type"] != c.code || out["message"] == "" {
			t.Errorf("%s %s: %d %v, want %d with __type %s and a message", c.target, c.body, status, out, c.status, c.code)
		}
	}
	status, out := postRekognition(t, l, "RekognitionService.DescribeCollection", `{"CollectionId":"facerec-local"}`)
	ts, ok := out["CreationTimestamp"].(float64)
	if status != 200 || !ok || time.Since(time.Unix(int64(ts), 0)).Abs() > time.Minute {
		t.Errorf("DescribeCollection: %d %v; want CreationTimestamp in epoch seconds", status, out)
	}
	if _, ok := out["ResultMetadata"]; ok {
		t.Errorf("DescribeCollection answers the SDK's ResultMetadata: %v", out)
	}
	status, out = postRekognition(t, l, "RekognitionService.ListFaces", `{"CollectionId":"facerec-local"}`)
	if _, ok := out["NextToken"]; status != 200 || ok {
		t.Errorf("ListFaces of an empty collection: %d %v; want no NextToken member", status, out)
	}
}

// TestRekognitionAPI_signatures: with a key pair configured, requests must
// be signed with it.
func TestRekognitionAPI_signatures(t *testing.T) {
	l := testLocal(t)
	l.credentials = aws.Credentials{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "local-secret"}
	l.apiKey = "rest-api-key" // the REST API's key does not apply to the protocol
	ctx := t.Context()
	in := &rekognition.ListCollectionsInput{}
	if _, err := sdkClient(t, l, "AKIDLOCAL", "local-secret").ListCollections(ctx, in); err != nil {
		t.Errorf("signed with the key pair: %v", err)
	}
	_, err := sdkClient(t, l, "AKIDLOCAL", "wrong-secret").ListCollections(ctx, in)
	wantCode(t, "signed with another secret", err, "InvalidSignatureException")
	_, err = sdkClient(t, l, "AKIDOTHER", "local-secret").ListCollections(ctx, in)
	wantCode(t, "signed with another access key", err, "UnrecognizedClientException")
	status, out := postRekognition(t, l, "RekognitionService.ListCollections", `{}`)
	if status != 400 || out["__type"] != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned: %d %v, want 400 MissingAuthenticationTokenException", status, out)
	}
	// A body changed after signing.
	srv := httptest.NewServer(l.Handler())
	defer srv.Close()
	tampered := rekognition.New(rekognition.Options{
		BaseEndpoint: aws.String(srv.URL), Region: "eu-west-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		HTTPClient:  tamperingClient{},
	})
	_, err = tampered.DescribeCollection(ctx, &rekognition.DescribeCollectionInput{CollectionId: aws.String(CollectionID)})
	wantCode(t, "a body changed after signing", err, "InvalidSignatureException")
}

// tamperingClient sends requests with their body's collection id changed
// after the SDK signed them.
type tamperingClient struct{}

func (tamperingClient) Do(r *http.Request) (*http.Response, error) {
	var b bytes.Buffer
	b.ReadFrom(r.Body)
	body := strings.Replace(b.String(), CollectionID, "facerec-other", 1)
	r.Body, r.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
	return http.DefaultClient.Do(r)
}

// protocolHarness runs the Rekognition conformance suite through the
// protocol: the SDK's client against a Local, each subtest on its own
// data directory and a collection created with CreateCollection.
type protocolHarness struct{}

// ShowPhotos does nothing: the engine sees the faces of the photos.
func (protocolHarness) ShowPhotos(*testing.T, []rekognitiontest.Photo) {}

// NewCollection returns the SDK's client for a new Local and a
// collection created in it.
func (protocolHarness) NewCollection(t *testing.T) (service.Rekognition, string) {
	t.Helper()
	rek := sdkClient(t, testLocal(t), "AKIDANY", "any-secret")
	if _, err := rek.CreateCollection(t.Context(), &rekognition.CreateCollectionInput{CollectionId: aws.String(testCollectionID)}); err != nil {
		t.Fatal(err)
	}
	return rek, testCollectionID
}

func TestRekognitionAPI_conformance(t *testing.T) {
	rekognitiontest.RunConformanceTests(t, protocolHarness{})
}

// TestRekognition_collectionsPersist: collections, their faces and users
// survive a reopening of the database, and a database of the
// one-collection layout moves into the service's collection.
func TestRekognition_collectionsPersist(t *testing.T) {
	rek := testRekognition(t)
	ctx := t.Context()
	other := aws.String("other")
	if _, err := rek.CreateCollection(ctx, &rekognition.CreateCollectionInput{CollectionId: other}); err != nil {
		t.Fatal(err)
	}
	if _, err := rek.IndexFaces(ctx, &rekognition.IndexFacesInput{CollectionId: other, Image: photo("obama_1.jpg")}); err != nil {
		t.Fatal(err)
	}
	if _, err := rek.CreateUser(ctx, &rekognition.CreateUserInput{CollectionId: other, UserId: aws.String("u")}); err != nil {
		t.Fatal(err)
	}
	reopened, err := newRekognition(testCollectionID, rek.engine, rek.objects, rek.db)
	if err != nil {
		t.Fatal(err)
	}
	d, err := reopened.DescribeCollection(ctx, &rekognition.DescribeCollectionInput{CollectionId: other})
	if err != nil || aws.ToInt64(d.FaceCount) != 1 || aws.ToInt64(d.UserCount) != 1 || reopened.Len() != 0 {
		t.Errorf("after reopening: %+v, %v, %d faces in the service's; want the other collection's face and user", d, err, reopened.Len())
	}

	// The one-collection layout.
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "facerec.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	face := storedFace{Face: rtypes.Face{FaceId: aws.String("11111111-2222-3333-4444-555555555555"), UserId: aws.String("u")}}
	err = db.Update(func(tx *bolt.Tx) error {
		v, _ := json.Marshal(face)
		faces, err := tx.CreateBucket(legacyFaces)
		if err == nil {
			err = faces.Put([]byte(*face.Face.FaceId), v)
		}
		users, err2 := tx.CreateBucket(legacyUsers)
		return errors.Join(err, err2, users.Put([]byte("u"), nil))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	db = testDB(t, dir)
	migrated, err := newRekognition(CollectionID, rek.engine, rek.objects, db)
	if err != nil {
		t.Fatal(err)
	}
	list, err := migrated.ListFaces(ctx, &rekognition.ListFacesInput{CollectionId: aws.String(CollectionID), UserId: aws.String("u")})
	if err != nil || len(list.Faces) != 1 || aws.ToString(list.Faces[0].FaceId) != *face.Face.FaceId {
		t.Errorf("ListFaces after moving the old layout: %+v, %v; want its face, still the user's", list, err)
	}
	db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(legacyFaces) != nil {
			t.Error("the old layout's bucket is still there")
		}
		return nil
	})
}

// TestRekognitionError_statuses: errors keep their code, with Rekognition's
// HTTP statuses, and other errors do not leak their text.
func TestRekognitionError_statuses(t *testing.T) {
	for _, c := range []struct {
		err    error
		code   string
		status int
	}{
		{&rtypes.InvalidParameterException{Message: aws.String("m")}, "InvalidParameterException", 400},
		{&rtypes.AccessDeniedException{Message: aws.String("m")}, "AccessDeniedException", 400},
		{&rtypes.ProvisionedThroughputExceededException{Message: aws.String("m")}, "ProvisionedThroughputExceededException", 400},
		{&rtypes.ThrottlingException{Message: aws.String("m")}, "ThrottlingException", 500},
		{&rtypes.InternalServerError{Message: aws.String("m")}, "InternalServerError", 500},
		{fmt.Errorf("wrapped: %w", &rtypes.ResourceNotFoundException{Message: aws.String("m")}), "ResourceNotFoundException", 400},
	} {
		if code, msg, status := rekognitionError(c.err); code != c.code || status != c.status || msg != "m" {
			t.Errorf("%v: %s %q %d, want %s \"m\" %d", c.err, code, msg, status, c.code, c.status)
		}
	}
	if code, msg, status := rekognitionError(errors.New("disk /secret/path failed")); code != "InternalServerError" || status != 500 || strings.Contains(msg, "secret") {
		t.Errorf("a plain error: %s %q %d, want InternalServerError 500 without its text", code, msg, status)
	}
}
