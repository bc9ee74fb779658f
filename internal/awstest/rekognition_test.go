package awstest_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/smithy-go"

	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/awstest"
	"github.com/facerec/facerec-cdk/internal/imageio"
)

var (
	red   = color.RGBA{R: 255, A: 255}
	green = color.RGBA{G: 255, A: 255}
	blue  = color.RGBA{B: 255, A: 255}
	gray  = color.RGBA{R: 128, G: 128, B: 128, A: 255}
	white = color.RGBA{R: 255, G: 255, B: 255, A: 255}
)

// people declares fixtures in env: alice1 and alice2 show alice, bob1 shows
// bob, group shows a small bob and a large alice, empty shows nobody.
type people struct {
	alice1, alice2, bob1, group, empty []byte
}

func newPeople(t *testing.T, env *awstest.Env) people {
	p := people{
		alice1: awstest.PNG(t, 100, 100, red),
		alice2: awstest.JPEG(t, 100, 100, green),
		bob1:   awstest.PNG(t, 100, 100, blue),
		group:  awstest.PNG(t, 100, 100, gray),
		empty:  awstest.PNG(t, 100, 100, white),
	}
	env.Rek.SetFaces(p.alice1, awstest.Face{Identity: "alice", BoundingBox: awstest.Box(0.1, 0.1, 0.5, 0.5), Confidence: 99.9})
	env.Rek.SetFaces(p.alice2, awstest.Face{Identity: "alice", BoundingBox: awstest.Box(0.2, 0.2, 0.4, 0.4)})
	env.Rek.SetFaces(p.bob1, awstest.Face{Identity: "bob", BoundingBox: awstest.Box(0.3, 0.3, 0.3, 0.3)})
	env.Rek.SetFaces(p.group,
		awstest.Face{Identity: "bob", BoundingBox: awstest.Box(0, 0, 0.1, 0.1)},
		awstest.Face{Identity: "alice", BoundingBox: awstest.Box(0.5, 0.5, 0.4, 0.4)},
	)
	return p
}

func index(t *testing.T, env *awstest.Env, img []byte, externalID string) *rekognition.IndexFacesOutput {
	t.Helper()
	out, err := env.Rekognition.IndexFaces(t.Context(), &rekognition.IndexFacesInput{
		CollectionId:    &env.Collection,
		Image:           &types.Image{Bytes: img},
		ExternalImageId: aws.String(externalID),
	})
	if err != nil {
		t.Fatalf("IndexFaces: %v", err)
	}
	return out
}

// TestSearchFixtures: SearchFacesByImage reports the similarities the
// package documents, SameIdentitySimilarity for a face of the searched
// identity and OtherIdentitySimilarity for others, and the fixture box of
// the searched face (the largest). How searches behave is the conformance
// suite's (TestRekognitionConformance).
func TestSearchFixtures(t *testing.T) {
	env := awstest.New(t)
	p := newPeople(t, env)
	aliceID := *index(t, env, p.alice1, "alice1.png").FaceRecords[0].Face.FaceId
	bobID := *index(t, env, p.bob1, "bob1.png").FaceRecords[0].Face.FaceId
	out, err := env.Rekognition.SearchFacesByImage(t.Context(), &rekognition.SearchFacesByImageInput{
		CollectionId:       &env.Collection,
		Image:              &types.Image{Bytes: p.group},
		FaceMatchThreshold: aws.Float32(0),
	})
	if err != nil {
		t.Fatalf("SearchFacesByImage: %v", err)
	}
	largest := awstest.Box(0.5, 0.5, 0.4, 0.4)
	if got, want := boxString(out.SearchedFaceBoundingBox), boxString(&largest); got != want {
		t.Errorf("SearchedFaceBoundingBox = %s, want %s", got, want)
	}
	want := []struct {
		id  string
		sim float32
	}{{aliceID, awstest.SameIdentitySimilarity}, {bobID, awstest.OtherIdentitySimilarity}}
	if len(out.FaceMatches) != len(want) {
		t.Fatalf("got %d matches, want %d", len(out.FaceMatches), len(want))
	}
	for i, m := range out.FaceMatches {
		if *m.Face.FaceId != want[i].id || *m.Similarity != want[i].sim {
			t.Errorf("match %d = %s (%v), want %s (%v)", i, *m.Face.FaceId, *m.Similarity, want[i].id, want[i].sim)
		}
	}
}

func boxString(b *types.BoundingBox) string {
	if b == nil {
		return "<nil>"
	}
	return fmt.Sprintf("[%v %v %v %v]", aws.ToFloat32(b.Left), aws.ToFloat32(b.Top), aws.ToFloat32(b.Width), aws.ToFloat32(b.Height))
}

func TestIndexFacesMaxFaces(t *testing.T) {
	env := awstest.New(t)
	img := awstest.PNG(t, 120, 90, red)
	env.Rek.SetFaces(img,
		awstest.Face{Identity: "small", BoundingBox: awstest.Box(0, 0, 0.1, 0.1)},
		awstest.Face{Identity: "large", BoundingBox: awstest.Box(0, 0, 0.5, 0.5)},
		awstest.Face{Identity: "medium", BoundingBox: awstest.Box(0, 0, 0.3, 0.3)},
	)
	out, err := env.Rekognition.IndexFaces(t.Context(), &rekognition.IndexFacesInput{
		CollectionId:    &env.Collection,
		Image:           &types.Image{Bytes: img},
		ExternalImageId: aws.String("uploads:group_1.png"),
		MaxFaces:        aws.Int32(2),
		QualityFilter:   types.QualityFilterAuto,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.FaceRecords) != 2 || len(out.UnindexedFaces) != 1 {
		t.Fatalf("got %d records and %d unindexed, want 2 and 1", len(out.FaceRecords), len(out.UnindexedFaces))
	}
	if r := out.UnindexedFaces[0].Reasons; len(r) != 1 || r[0] != types.ReasonExceedsMaxFaces {
		t.Errorf("Reasons = %v", r)
	}
	if w := *out.UnindexedFaces[0].FaceDetail.BoundingBox.Width; w != 0.1 {
		t.Errorf("unindexed face has width %v, want the smallest (0.1)", w)
	}
	stored := env.Rek.Faces()
	if len(stored) != 2 {
		t.Fatalf("Faces() = %d faces, want 2", len(stored))
	}
	for i, want := range []string{"large", "medium"} {
		r, s := out.FaceRecords[i], stored[i]
		if s.Identity != want || s.FaceID != *r.Face.FaceId || s.ImageID != *r.Face.ImageId ||
			s.ExternalImageID != "uploads:group_1.png" || *r.Face.ExternalImageId != s.ExternalImageID ||
			s.CollectionID != env.Collection || s.Confidence != awstest.DefaultFaceConfidence {
			t.Errorf("record %d = %+v, stored %+v", i, r.Face, s)
		}
	}
	if stored[0].ImageID != stored[1].ImageID || stored[0].FaceID == stored[1].FaceID {
		t.Errorf("want one ImageId and distinct FaceIds: %+v", stored)
	}
	if out.FaceModelVersion == nil {
		t.Errorf("no FaceModelVersion")
	}
}

func TestIndexFacesFromS3(t *testing.T) {
	env := awstest.New(t)
	p := newPeople(t, env)
	key := "uploads/Jane Doe+1.jpg"
	env.PutObject(t, key, p.alice2, nil)
	out, err := env.Rekognition.IndexFaces(t.Context(), &rekognition.IndexFacesInput{
		CollectionId: &env.Collection,
		Image:        &types.Image{S3Object: &types.S3Object{Bucket: &env.Bucket, Name: &key}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.FaceRecords) != 1 || env.Rek.Faces()[0].Identity != "alice" {
		t.Fatalf("got %+v", out.FaceRecords)
	}
	if out.FaceRecords[0].Face.ExternalImageId != nil {
		t.Errorf("ExternalImageId = %q, want none", *out.FaceRecords[0].Face.ExternalImageId)
	}
}

func TestDetectDeleteListFaces(t *testing.T) {
	env := awstest.New(t)
	p := newPeople(t, env)
	ctx := t.Context()

	det, err := env.Rekognition.DetectFaces(ctx, &rekognition.DetectFacesInput{
		Image:      &types.Image{Bytes: p.group},
		Attributes: []types.Attribute{types.AttributeDefault},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(det.FaceDetails) != 2 || *det.FaceDetails[1].BoundingBox.Left != 0.5 {
		t.Errorf("DetectFaces = %+v", det.FaceDetails)
	}
	det, err = env.Rekognition.DetectFaces(ctx, &rekognition.DetectFacesInput{Image: &types.Image{Bytes: p.empty}})
	if err != nil || len(det.FaceDetails) != 0 {
		t.Errorf("DetectFaces(no face) = %v, %v", det, err)
	}

	var ids []string
	for range 3 {
		for _, img := range [][]byte{p.group, p.bob1} {
			for _, r := range index(t, env, img, "x").FaceRecords {
				ids = append(ids, *r.Face.FaceId)
			}
		}
	}
	del, err := env.Rekognition.DeleteFaces(ctx, &rekognition.DeleteFacesInput{
		CollectionId: &env.Collection,
		FaceIds:      []string{ids[0], "00000000-0000-4000-8000-000000000000", ids[1]},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(del.DeletedFaces) != 2 || del.DeletedFaces[0] != ids[0] || del.DeletedFaces[1] != ids[1] {
		t.Errorf("DeletedFaces = %v", del.DeletedFaces)
	}

	seen := map[string]bool{}
	pages := 0
	pager := rekognition.NewListFacesPaginator(env.Rekognition, &rekognition.ListFacesInput{
		CollectionId: &env.Collection,
		MaxResults:   aws.Int32(2),
	})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.Faces) > 2 {
			t.Errorf("page of %d faces", len(page.Faces))
		}
		for _, f := range page.Faces {
			if seen[*f.FaceId] {
				t.Errorf("face %s listed twice", *f.FaceId)
			}
			seen[*f.FaceId] = true
		}
	}
	if len(seen) != len(ids)-2 || pages != 4 || len(env.Rek.Faces()) != len(ids)-2 {
		t.Errorf("listed %d faces in %d pages, Faces() has %d; want %d in 4", len(seen), pages, len(env.Rek.Faces()), len(ids)-2)
	}
}

func TestRekognitionErrors(t *testing.T) {
	env := awstest.New(t)
	p := newPeople(t, env)
	ctx := t.Context()
	tiny := awstest.JPEG(t, 31, 60, red)
	corrupt := append([]byte(nil), p.alice1[:20]...)
	search := func(img *types.Image, mod func(*rekognition.SearchFacesByImageInput)) func() error {
		return func() error {
			in := &rekognition.SearchFacesByImageInput{CollectionId: &env.Collection, Image: img}
			if mod != nil {
				mod(in)
			}
			_, err := env.Rekognition.SearchFacesByImage(ctx, in)
			return err
		}
	}
	indexWith := func(mod func(*rekognition.IndexFacesInput)) func() error {
		return func() error {
			in := &rekognition.IndexFacesInput{CollectionId: &env.Collection, Image: &types.Image{Bytes: p.alice1}}
			mod(in)
			_, err := env.Rekognition.IndexFaces(ctx, in)
			return err
		}
	}
	bytesImage := func(b []byte) *types.Image { return &types.Image{Bytes: b} }

	tests := []struct {
		name     string
		call     func() error
		wantCode string
		wantMsg  string
		typed    func(error) bool // the SDK's typed error, where checked
	}{
		{"search without face", search(bytesImage(p.empty), nil),
			"InvalidParameterException", "There are no faces in the image. Should be at least 1.", isA[*types.InvalidParameterException]},
		{"truncated PNG", search(bytesImage(corrupt), nil), "InvalidImageFormatException", "", nil},
		{"31x60 JPEG", search(bytesImage(tiny), nil), "InvalidParameterException", "", nil},
		{"bad collection id", search(bytesImage(p.alice1), func(in *rekognition.SearchFacesByImageInput) { in.CollectionId = aws.String("a/b") }),
			"InvalidParameterException", "", nil},
		{"search MaxFaces 4097", search(bytesImage(p.alice1), func(in *rekognition.SearchFacesByImageInput) { in.MaxFaces = aws.Int32(4097) }),
			"InvalidParameterException", "", nil},
		{"threshold 101", search(bytesImage(p.alice1), func(in *rekognition.SearchFacesByImageInput) { in.FaceMatchThreshold = aws.Float32(101) }),
			"InvalidParameterException", "", nil},
		{"missing S3 object", search(&types.Image{S3Object: &types.S3Object{Bucket: &env.Bucket, Name: aws.String("nope.jpg")}}, nil),
			"InvalidS3ObjectException", "", isA[*types.InvalidS3ObjectException]},
		{"no image", search(&types.Image{}, nil), "InvalidParameterException", "", nil},
		{"ExternalImageId with space and plus", indexWith(func(in *rekognition.IndexFacesInput) { in.ExternalImageId = aws.String("Jane Doe+1.jpg") }),
			"InvalidParameterException", "", nil},
		{"ExternalImageId with slash", indexWith(func(in *rekognition.IndexFacesInput) { in.ExternalImageId = aws.String("uploads/a.jpg") }),
			"InvalidParameterException", "", nil},
		{"ExternalImageId of 256 characters", indexWith(func(in *rekognition.IndexFacesInput) { in.ExternalImageId = aws.String(strings.Repeat("a", 256)) }),
			"InvalidParameterException", "", nil},
		{"index MaxFaces 0", indexWith(func(in *rekognition.IndexFacesInput) { in.MaxFaces = aws.Int32(0) }),
			"InvalidParameterException", "", nil},
		{"index MaxFaces 101", indexWith(func(in *rekognition.IndexFacesInput) { in.MaxFaces = aws.Int32(101) }),
			"InvalidParameterException", "", nil},
		{"index QualityFilter", indexWith(func(in *rekognition.IndexFacesInput) { in.QualityFilter = "BEST" }),
			"InvalidParameterException", "", nil},
		{"collection exists", func() error {
			_, err := env.Rekognition.CreateCollection(ctx, &rekognition.CreateCollectionInput{CollectionId: &env.Collection})
			return err
		}, "ResourceAlreadyExistsException", "", isA[*types.ResourceAlreadyExistsException]},
		{"DeleteFaces with a malformed id", func() error {
			_, err := env.Rekognition.DeleteFaces(ctx, &rekognition.DeleteFacesInput{CollectionId: &env.Collection, FaceIds: []string{"x"}})
			return err
		}, "InvalidParameterException", "", nil},
		{"unsupported member", func() error {
			_, err := env.Rekognition.ListFaces(ctx, &rekognition.ListFacesInput{CollectionId: &env.Collection, FaceIds: []string{"x"}})
			return err
		}, "SerializationException", "FaceIds", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want an API error", err)
			}
			if ae.ErrorCode() != tt.wantCode || !strings.Contains(ae.ErrorMessage(), tt.wantMsg) {
				t.Errorf("err = %s: %s, want %s: %s", ae.ErrorCode(), ae.ErrorMessage(), tt.wantCode, tt.wantMsg)
			}
			if tt.typed != nil && !tt.typed(err) {
				t.Errorf("err is a %T, not the SDK's typed error", err)
			}
		})
	}

	if got := env.Rek.Calls("SearchFacesByImage"); got != 8 {
		t.Errorf("Calls(SearchFacesByImage) = %d, want 8", got)
	}
	if len(env.Rek.Faces()) != 0 {
		t.Errorf("failed calls indexed faces: %+v", env.Rek.Faces())
	}
}

func TestCreateCollection(t *testing.T) {
	env := awstest.New(t)
	p := newPeople(t, env)
	out, err := env.Rekognition.CreateCollection(t.Context(), &rekognition.CreateCollectionInput{CollectionId: aws.String("other")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(aws.ToString(out.CollectionArn), ":collection/other") || aws.ToInt32(out.StatusCode) != 200 {
		t.Errorf("CreateCollection = %+v", out)
	}
	index(t, env, p.alice1, "a")
	_, err = env.Rekognition.IndexFaces(t.Context(), &rekognition.IndexFacesInput{
		CollectionId: aws.String("other"), Image: &types.Image{Bytes: p.alice2},
	})
	if err != nil {
		t.Fatal(err)
	}
	faces := env.Rek.Faces()
	if len(faces) != 2 || faces[0].CollectionID != "other" || faces[1].CollectionID != env.Collection {
		t.Errorf("Faces() = %+v", faces)
	}
	// Collections are separate: the search of "other" only sees its face.
	res, err := env.Rekognition.SearchFacesByImage(t.Context(), &rekognition.SearchFacesByImageInput{
		CollectionId: aws.String("other"), Image: &types.Image{Bytes: p.alice1},
	})
	if err != nil || len(res.FaceMatches) != 1 || *res.FaceMatches[0].Face.FaceId != faces[0].FaceID {
		t.Errorf("search of other = %+v, %v", res, err)
	}
}

func TestRekognitionConcurrentIndexing(t *testing.T) {
	env := awstest.New(t)
	p := newPeople(t, env)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := env.Rekognition.IndexFaces(t.Context(), &rekognition.IndexFacesInput{
				CollectionId: &env.Collection, Image: &types.Image{Bytes: p.group},
			}); err != nil {
				t.Error(err)
			}
			env.Rek.Faces()
		})
	}
	wg.Wait()
	if n := len(env.Rek.Faces()); n != 16 {
		t.Errorf("%d faces, want 16", n)
	}
	if n := env.Rek.Calls("IndexFaces"); n != 8 {
		t.Errorf("Calls = %d, want 8", n)
	}
}

// TestRecognizeCrops crops rectangles out of a sample photo, re-encoded as
// JPEG as a search of every face sends them, and checks the faces the
// stand-in finds in each.
func TestRecognizeCrops(t *testing.T) {
	env := awstest.New(t)
	photo := photos.MustRead("group_obama_biden.jpg") // 640×376
	env.Rek.SetFaces(photo,
		awstest.Face{Identity: "obama", BoundingBox: awstest.Box(0.1, 0.2, 0.2, 0.3)},   // pixels (64,75)-(192,188)
		awstest.Face{Identity: "biden", BoundingBox: awstest.Box(0.6, 0.2, 0.25, 0.35)}, // pixels (384,75)-(544,207)
	)
	env.Rek.RecognizeCrops(t, photo)
	img, err := imageio.DecodeImage(photo)
	if err != nil {
		t.Fatal(err)
	}
	// approx formats a box to 3 decimals.
	approx := func(left, top, width, height float32) string {
		return fmt.Sprintf("[%.3f %.3f %.3f %.3f]", left, top, width, height)
	}
	// relative is the box of the pixels (x, y, w, h) of the photo in r.
	relative := func(r image.Rectangle, x, y, w, h float32) string {
		return approx((x-float32(r.Min.X))/float32(r.Dx()), (y-float32(r.Min.Y))/float32(r.Dy()), w/float32(r.Dx()), h/float32(r.Dy()))
	}
	left, right, middle := image.Rect(0, 30, 200, 250), image.Rect(340, 20, 560, 300), image.Rect(100, 100, 300, 300)
	obama := func(r image.Rectangle) string { return relative(r, 64, 75.2, 128, 112.8) }
	biden := func(r image.Rectangle) string { return relative(r, 384, 75.2, 160, 131.6) }
	other, err := imageio.DecodeImage(photos.MustRead("obama_1.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		image image.Image
		want  []string
	}{
		{"left face", img.SubImage(left), []string{obama(left)}},
		{"right face", img.SubImage(right), []string{biden(right)}},
		{"whole photo re-encoded", img, []string{obama(img.Rect), biden(img.Rect)}},
		{"no whole face", img.SubImage(middle), nil},
		{"another photo", other.SubImage(left), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, tc.image, &jpeg.Options{Quality: 90}); err != nil {
				t.Fatal(err)
			}
			det, err := env.Rekognition.DetectFaces(t.Context(), &rekognition.DetectFacesInput{Image: &types.Image{Bytes: buf.Bytes()}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range det.FaceDetails {
				b := d.BoundingBox
				got = append(got, approx(*b.Left, *b.Top, *b.Width, *b.Height))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("faces %v, want %v", got, tc.want)
			}
		})
	}
}
