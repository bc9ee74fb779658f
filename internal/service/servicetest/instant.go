package servicetest

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// Instant returns a service on in-process parts that answer at once, for
// benchmarks that leave AWS time out and measure the work of the service
// and its adapters (decoding, validation, hashing, JSON): every S3 object
// holds object; IndexFaces finds one face, DetectFaces two side by side,
// as in a group photo, CompareFaces one similar face; every search matches one face of "obama"; the table
// stores nothing and knows every FaceId asked for. It logs nothing.
func Instant(tb testing.TB, object []byte) *service.Service {
	tb.Helper()
	cfg, err := contract.FromEnv(func(k string) string {
		return map[string]string{contract.EnvCollectionID: "c", contract.EnvTableName: "t"}[k]
	})
	if err != nil {
		tb.Fatal(err)
	}
	return service.New(cfg, instantRekognition{}, instantObjects{object}, instantTable{}, slog.New(slog.DiscardHandler))
}

// NoiseJPEG encodes random pixels as a JPEG of at least minBytes.
func NoiseJPEG(tb testing.TB, minBytes int) []byte {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for side := 1024; ; side += 128 {
		img := image.NewRGBA(image.Rect(0, 0, side, side))
		for i := range img.Pix {
			img.Pix[i] = byte(r.Uint32())
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
			tb.Fatal(err)
		}
		if buf.Len() >= minBytes {
			return buf.Bytes()
		}
	}
}

type instantRekognition struct{}

func (instantRekognition) IndexFaces(_ context.Context, in *rekognition.IndexFacesInput, _ ...func(*rekognition.Options)) (*rekognition.IndexFacesOutput, error) {
	return &rekognition.IndexFacesOutput{FaceRecords: []rtypes.FaceRecord{{Face: &rtypes.Face{
		FaceId: aws.String("11111111-1111-1111-1111-111111111111"), ImageId: aws.String("22222222-2222-2222-2222-222222222222"),
		ExternalImageId: in.ExternalImageId, Confidence: aws.Float32(99.9),
		BoundingBox: &rtypes.BoundingBox{Width: aws.Float32(0.3), Height: aws.Float32(0.4), Left: aws.Float32(0.3), Top: aws.Float32(0.2)},
	}}}}, nil
}

func (instantRekognition) DeleteFaces(context.Context, *rekognition.DeleteFacesInput, ...func(*rekognition.Options)) (*rekognition.DeleteFacesOutput, error) {
	return &rekognition.DeleteFacesOutput{}, nil
}

func (instantRekognition) SearchFacesByImage(context.Context, *rekognition.SearchFacesByImageInput, ...func(*rekognition.Options)) (*rekognition.SearchFacesByImageOutput, error) {
	box := &rtypes.BoundingBox{Width: aws.Float32(0.3), Height: aws.Float32(0.4), Left: aws.Float32(0.3), Top: aws.Float32(0.2)}
	return &rekognition.SearchFacesByImageOutput{
		SearchedFaceBoundingBox: box, SearchedFaceConfidence: aws.Float32(99.9),
		FaceMatches: []rtypes.FaceMatch{{Similarity: aws.Float32(99.1), Face: &rtypes.Face{FaceId: aws.String("f1"), BoundingBox: box}}},
	}, nil
}

func (instantRekognition) CreateUser(context.Context, *rekognition.CreateUserInput, ...func(*rekognition.Options)) (*rekognition.CreateUserOutput, error) {
	return &rekognition.CreateUserOutput{}, nil
}

func (instantRekognition) AssociateFaces(context.Context, *rekognition.AssociateFacesInput, ...func(*rekognition.Options)) (*rekognition.AssociateFacesOutput, error) {
	return &rekognition.AssociateFacesOutput{}, nil
}

func (instantRekognition) DisassociateFaces(context.Context, *rekognition.DisassociateFacesInput, ...func(*rekognition.Options)) (*rekognition.DisassociateFacesOutput, error) {
	return &rekognition.DisassociateFacesOutput{}, nil
}

func (instantRekognition) DeleteUser(context.Context, *rekognition.DeleteUserInput, ...func(*rekognition.Options)) (*rekognition.DeleteUserOutput, error) {
	return &rekognition.DeleteUserOutput{}, nil
}

func (instantRekognition) SearchUsersByImage(context.Context, *rekognition.SearchUsersByImageInput, ...func(*rekognition.Options)) (*rekognition.SearchUsersByImageOutput, error) {
	return &rekognition.SearchUsersByImageOutput{}, nil
}

func (instantRekognition) SearchFaces(_ context.Context, in *rekognition.SearchFacesInput, _ ...func(*rekognition.Options)) (*rekognition.SearchFacesOutput, error) {
	return &rekognition.SearchFacesOutput{SearchedFaceId: in.FaceId, FaceMatches: []rtypes.FaceMatch{}}, nil
}

func (instantRekognition) DescribeCollection(context.Context, *rekognition.DescribeCollectionInput, ...func(*rekognition.Options)) (*rekognition.DescribeCollectionOutput, error) {
	return &rekognition.DescribeCollectionOutput{FaceCount: aws.Int64(1), UserCount: aws.Int64(0)}, nil
}

// DetectFaces finds two faces side by side, as in a group photo.
func (instantRekognition) DetectFaces(context.Context, *rekognition.DetectFacesInput, ...func(*rekognition.Options)) (*rekognition.DetectFacesOutput, error) {
	face := func(left float32) rtypes.FaceDetail {
		return rtypes.FaceDetail{Confidence: aws.Float32(99.9),
			BoundingBox: &rtypes.BoundingBox{Width: aws.Float32(0.2), Height: aws.Float32(0.3), Left: aws.Float32(left), Top: aws.Float32(0.2)}}
	}
	return &rekognition.DetectFacesOutput{FaceDetails: []rtypes.FaceDetail{face(0.1), face(0.6)}}, nil
}

// CompareFaces finds the target's one face similar to the source's.
func (instantRekognition) CompareFaces(context.Context, *rekognition.CompareFacesInput, ...func(*rekognition.Options)) (*rekognition.CompareFacesOutput, error) {
	box := &rtypes.BoundingBox{Width: aws.Float32(0.3), Height: aws.Float32(0.4), Left: aws.Float32(0.3), Top: aws.Float32(0.2)}
	return &rekognition.CompareFacesOutput{FaceMatches: []rtypes.CompareFacesMatch{{Similarity: aws.Float32(99.1), Face: &rtypes.ComparedFace{BoundingBox: box}}}}, nil
}

type instantObjects struct{ data []byte }

func (o instantObjects) GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(o.data)), ContentLength: aws.Int64(int64(len(o.data))), ETag: aws.String(`"e"`)}, nil
}

func (o instantObjects) HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	return &s3.HeadObjectOutput{ContentLength: aws.Int64(int64(len(o.data)))}, nil
}

func (instantObjects) DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	return &s3.DeleteObjectOutput{}, nil
}

type instantTable struct{}

func (instantTable) GetImage(context.Context, string, string) (*service.ImageItem, error) {
	return nil, nil
}
func (instantTable) FacesOfObject(context.Context, string, string) ([]service.FaceItem, error) {
	return nil, nil
}
func (instantTable) PutImage(context.Context, service.ImageItem, int) error { return nil }
func (instantTable) PutFaces(context.Context, []service.FaceItem) error     { return nil }
func (instantTable) DeleteItems(context.Context, []string) error            { return nil }
func (instantTable) PutPerson(context.Context, service.PersonItem) error    { return nil }
func (instantTable) ReplacePerson(context.Context, service.PersonItem, service.PersonItem) error {
	return nil
}
func (instantTable) DeletePerson(context.Context, service.PersonItem) error { return nil }

func (instantTable) CountImages(context.Context) (map[string]int, error) {
	return map[string]int{}, nil
}

func (instantTable) GetPersons(context.Context, []string) (map[string]service.PersonItem, error) {
	return nil, nil
}
func (instantTable) GetFace(context.Context, string) (*service.FaceItem, error) {
	return nil, nil
}
func (instantTable) ListFaces(context.Context, string, int, string) ([]service.FaceItem, string, error) {
	return nil, "", nil
}
func (instantTable) ListPersons(context.Context, int, string) ([]service.PersonItem, string, error) {
	return nil, "", nil
}
func (instantTable) GetFaces(_ context.Context, ids []string) (map[string]service.FaceItem, error) {
	out := map[string]service.FaceItem{}
	for _, id := range ids {
		out[id] = service.FaceItem{FaceID: id, Key: "index/obama_1.jpg", Person: "obama"}
	}
	return out, nil
}
func (instantTable) ImagesOfPerson(context.Context, string) ([]service.ImageItem, error) {
	return nil, nil
}
func (instantTable) ListImages(context.Context, int, string) ([]service.ImageItem, string, error) {
	return nil, "", nil
}
func (instantTable) PutErasure(context.Context, service.ErasureRecord) error { return nil }
func (instantTable) GetSweepMarks(context.Context, []string) (map[string]time.Time, error) {
	return nil, nil
}
func (instantTable) PutSweepMarks(context.Context, []string, time.Time, time.Time) error { return nil }

func (instantObjects) ListObjectVersions(context.Context, *s3.ListObjectVersionsInput, ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	return &s3.ListObjectVersionsOutput{}, nil
}

func (instantRekognition) ListFaces(context.Context, *rekognition.ListFacesInput, ...func(*rekognition.Options)) (*rekognition.ListFacesOutput, error) {
	return &rekognition.ListFacesOutput{}, nil
}

func (instantObjects) CopyObject(context.Context, *s3.CopyObjectInput, ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	return &s3.CopyObjectOutput{}, nil
}

func (instantTable) GetAlias(context.Context, string) (string, error)               { return "", nil }
func (instantTable) PutAlias(context.Context, string, string) error                 { return nil }
func (instantTable) DeleteAlias(context.Context, string) error                      { return nil }
func (instantTable) RelabelFaces(context.Context, []service.FaceItem, string) error { return nil }
