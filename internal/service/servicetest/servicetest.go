// Package servicetest runs the service core on the loopback stand-ins of
// package awstest, for the core's own tests (package service_test) and for
// the tests of its adapters (lambdas/handler), which wrap the same service
// in their handlers: one harness for both.
//
// New wires a service.Service to real SDK clients of the stand-ins and a
// dynamotable.Table, and declares the faces the Rekognition stand-in finds
// in the sample photos of examples/photos (PhotoFaces). Instant is a
// service on in-process parts that answer at once, for benchmarks.
//
// It is test support: only tests import it.
package servicetest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/awstest"
	"github.com/facerec/facerec-cdk/internal/dynamotable"
	"github.com/facerec/facerec-cdk/internal/service"
)

// Env is the service wired to loopback stand-ins through the real SDK
// clients, with the faces of the sample photos declared. The embedded
// awstest.Env gives the stand-ins (Rek, DB), the clients and the bucket.
type Env struct {
	*awstest.Env
	// Config is the configuration the service runs with.
	Config contract.Config
	// Service is the service under test.
	Service *service.Service
	// Log is the service's logger; adapters log with it too.
	Log *slog.Logger
	// Logs receives what Log writes.
	Logs *bytes.Buffer
}

// Parts are the service's dependencies as New builds them, which Options
// may change or wrap.
type Parts struct {
	// Config is the configuration: collection "test-collection", table
	// "test-table", the stand-ins' bucket and the default image prefix.
	Config contract.Config
	// Rekognition is the Rekognition client of the stand-in.
	Rekognition service.Rekognition
	// Objects is the S3 client of the stand-in.
	Objects service.ObjectGetter
	// DynamoDB is the DynamoDB client the table reads and writes through.
	DynamoDB dynamotable.API
	// Logger returns the service's logger writing to w (Env.Logs); by
	// default JSON lines (slog.NewJSONHandler).
	Logger func(w io.Writer) *slog.Logger
}

// Option changes the parts New builds the service from.
type Option func(*Parts)

// New starts the stand-ins (awstest.New) and returns the service on them.
func New(tb testing.TB, opts ...Option) *Env {
	tb.Helper()
	return NewOn(tb, awstest.New(tb), opts...)
}

// NewOn is New on the stand-ins env, for stand-ins started with options.
func NewOn(tb testing.TB, env *awstest.Env, opts ...Option) *Env {
	tb.Helper()
	cfg, err := contract.FromEnv(func(k string) string {
		return map[string]string{
			contract.EnvCollectionID: env.Collection,
			contract.EnvTableName:    env.Table,
			contract.EnvBucketName:   env.Bucket,
			contract.EnvImagePrefix:  contract.DefaultImagePrefix,
		}[k]
	})
	if err != nil {
		tb.Fatal(err)
	}
	p := Parts{
		Config:      cfg,
		Rekognition: env.Rekognition,
		Objects:     env.S3,
		DynamoDB:    env.DynamoDB,
		Logger:      func(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) },
	}
	for _, o := range opts {
		o(&p)
	}
	logs := new(bytes.Buffer)
	log := p.Logger(logs)
	table := dynamotable.New(p.DynamoDB, p.Config.TableName)
	table.Backoff = time.Millisecond
	for name, faces := range PhotoFaces {
		env.Rek.SetFaces(photos.MustRead(name), faces...)
	}
	svc := service.New(p.Config, p.Rekognition, p.Objects, table, log)
	// Links are presigned with the stand-ins' S3 client, as deployed with
	// the function's.
	svc.SetImageLinker(service.NewS3Presigner(env.S3))
	return &Env{
		Env:     env,
		Config:  p.Config,
		Service: svc,
		Log:     log,
		Logs:    logs,
	}
}

// Face is a face the Rekognition stand-in finds, of identity, in the box
// left, top, width, height (ratios of the photo), with confidence 99.9,
// the five landmarks of Rekognition's DEFAULT attributes placed in the box
// as on a frontal face, a level pose and a fixed quality.
func Face(identity string, left, top, width, height float32) awstest.Face {
	at := func(typ rtypes.LandmarkType, x, y float32) rtypes.Landmark {
		return rtypes.Landmark{Type: typ, X: aws.Float32(left + x*width), Y: aws.Float32(top + y*height)}
	}
	return awstest.Face{Identity: identity, BoundingBox: awstest.Box(left, top, width, height), Confidence: 99.9,
		Landmarks: []rtypes.Landmark{
			at(rtypes.LandmarkTypeEyeLeft, 0.3, 0.4), at(rtypes.LandmarkTypeEyeRight, 0.7, 0.4),
			at(rtypes.LandmarkTypeNose, 0.5, 0.6),
			at(rtypes.LandmarkTypeMouthLeft, 0.35, 0.8), at(rtypes.LandmarkTypeMouthRight, 0.65, 0.8),
		},
		Pose:    &rtypes.Pose{Roll: aws.Float32(1.5), Yaw: aws.Float32(-4), Pitch: aws.Float32(2)},
		Quality: &rtypes.ImageQuality{Brightness: aws.Float32(70), Sharpness: aws.Float32(80)},
	}
}

// PhotoFaces are the faces the Rekognition stand-in finds in the sample
// photos (see examples/photos/PROVENANCE.md for who is in them), by file
// name.
var PhotoFaces = map[string][]awstest.Face{
	"obama_1.jpg":           {Face("obama", 0.35, 0.2, 0.3, 0.4)},
	"obama_2.jpg":           {Face("obama", 0.4, 0.15, 0.25, 0.35)},
	"biden_2.jpg":           {Face("biden", 0.3, 0.2, 0.35, 0.45)},
	"collins_1.png":         {Face("collins", 0.4, 0.1, 0.2, 0.3)},
	"group_obama_biden.jpg": {Face("obama", 0.1, 0.2, 0.2, 0.3), Face("biden", 0.6, 0.2, 0.25, 0.35)},
}

// Put stores the sample photo photoName under key, with person as the
// person metadata unless it is empty.
func (e *Env) Put(tb testing.TB, key, photoName, person string) {
	tb.Helper()
	var meta map[string]string
	if person != "" {
		meta = map[string]string{contract.PersonMetadataKey: person}
	}
	e.PutObject(tb, key, photos.MustRead(photoName), meta)
}

// Items returns the table's items of itemType ("FACE", "IMAGE" or
// "PERSON"), as stored, attribute by attribute.
func (e *Env) Items(tb testing.TB, itemType string) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for _, it := range e.DB.Items(e.Config.TableName) {
		m := map[string]any{}
		if err := attributevalue.UnmarshalMap(it, &m); err != nil {
			tb.Fatal(err)
		}
		if m["ItemType"] == itemType {
			out = append(out, m)
		}
	}
	return out
}

// FaceItems returns the table's face items (image and person items left
// out).
func (e *Env) FaceItems(tb testing.TB) []map[string]any {
	tb.Helper()
	return e.Items(tb, "FACE")
}

// ImageItem returns the image item of key, or nil.
func (e *Env) ImageItem(tb testing.TB, key string) map[string]any {
	tb.Helper()
	for _, it := range e.Items(tb, "IMAGE") {
		if it["ObjectKey"] == key {
			return it
		}
	}
	return nil
}

// FaceIDs returns the FaceIds of items, sorted.
func FaceIDs(items []map[string]any) []string { return sortedField(items, "FaceId") }

// ObjectKeys returns the ObjectKeys of items, sorted.
func ObjectKeys(items []map[string]any) []string { return sortedField(items, "ObjectKey") }

func sortedField(items []map[string]any, name string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, _ := it[name].(string)
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// TinyPNG encodes a w×h PNG.
func TinyPNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	img.Set(0, 0, color.White)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
