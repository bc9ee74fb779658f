package awstest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/facerec/facerec-cdk/contract"
)

// Names of the resources New creates.
const (
	// CollectionID is the Rekognition collection New creates.
	CollectionID = "test-collection"
	// TableName is the DynamoDB table New creates, with partition key
	// contract.AttrFaceID, the index contract.ObjectKeyIndex on
	// contract.AttrObjectKey and the index contract.PersonIndex on
	// contract.AttrPerson.
	TableName = "test-table"
	// BucketName is the S3 bucket New creates.
	BucketName = "test-bucket"
)

// region is the region of the clients and of the ARNs the stand-ins return.
const region = "us-east-1"

// Env is one set of stand-ins and real SDK clients pointed at them. The
// clients use static credentials, region us-east-1 and, unless New is given
// WithStandardRetryer, retry nothing but a broken connection (up to three
// attempts, no delay: brokenConnection), so that a test that injects an
// error, from a stand-in or a wrapper, sees it unchanged. A loopback
// connection to a stand-in is now and then broken under load ("use of
// closed network connection" or "connection reset" while the answer is
// read, which the SDK calls one fault, aws-sdk-go-v2 issue 2737); without
// that retry, such a break failed a call at random and, in a test that
// injects a fault by call count, moved the fault to a later call. A call
// retried so may already have run in the stand-in (a break while its
// answer was read): the stand-in then counts it twice, and a call that is
// not idempotent (IndexFaces, a conditional PutItem) may answer as a
// repeat would, as with the real services and the SDK's own retries.
type Env struct {
	// Rekognition is a real client of the Rekognition stand-in Rek.
	Rekognition *rekognition.Client
	// DynamoDB is a real client of the DynamoDB stand-in DB.
	DynamoDB *dynamodb.Client
	// S3 is a real client (path-style) of the in-memory S3 fake, whose
	// bucket is versioned.
	S3 *s3.Client

	// Rek is the Rekognition stand-in behind Rekognition.
	Rek *FakeRekognition
	// DB is the DynamoDB stand-in behind DynamoDB.
	DB *FakeDynamoDB

	Collection string // CollectionID, created in Rek
	Table      string // TableName, created in DB
	Bucket     string // BucketName, created in the S3 fake
	Region     string // "us-east-1"
}

// Option configures New.
type Option func(*options)

type options struct {
	retryer func() aws.Retryer
}

// WithStandardRetryer gives the clients the SDK's standard retryer (three
// attempts, retrying throttling, 5xx and other transient errors) with its
// backoff delays and client-side retry quota turned off so that tests stay
// fast and deterministic.
func WithStandardRetryer() Option {
	return func(o *options) { o.retryer = func() aws.Retryer { return undelayed(nil) } }
}

// brokenConnection accepts for a retry the errors of a connection broken
// while a call was sent or its answer read, and decides nothing else.
var brokenConnection = retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
	if err != nil && (strings.Contains(err.Error(), "use of closed network connection") || strings.Contains(err.Error(), "connection reset")) {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
})

// undelayed returns the SDK's standard retryer without backoff delays or a
// client-side retry quota, retrying the errors retryables accept (nil for
// the standard retryer's own list).
func undelayed(retryables []retry.IsErrorRetryable) aws.Retryer {
	return retry.NewStandard(func(so *retry.StandardOptions) {
		so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		so.RateLimiter = ratelimit.None
		if retryables != nil {
			so.Retryables = retryables
		}
	})
}

// New starts the stand-ins, creates CollectionID, TableName and BucketName
// in them and returns clients pointed at them. Everything is shut down by
// tb.Cleanup. Environment variables and shared AWS config files are not
// read.
func New(tb testing.TB, opts ...Option) *Env {
	tb.Helper()
	o := options{retryer: func() aws.Retryer {
		return undelayed([]retry.IsErrorRetryable{retry.NoRetryCanceledError{}, brokenConnection})
	}}
	for _, opt := range opts {
		opt(&o)
	}

	backend := s3mem.New()
	if err := backend.CreateBucket(BucketName); err != nil {
		tb.Fatalf("awstest: creating bucket: %v", err)
	}
	// Versioned, as the construct's bucket is: a plain DeleteObject leaves
	// the bytes as a noncurrent version.
	if err := backend.SetVersioningConfiguration(BucketName, gofakes3.VersioningConfiguration{Status: gofakes3.VersioningEnabled}); err != nil {
		tb.Fatalf("awstest: enabling versioning: %v", err)
	}
	rek := newFakeRekognition(func(bucket, key string) ([]byte, error) {
		obj, err := backend.GetObject(bucket, key, nil)
		if err != nil {
			return nil, err
		}
		defer obj.Contents.Close()
		return io.ReadAll(obj.Contents)
	})
	rek.collections[CollectionID] = nil
	db := newFakeDynamoDB()
	db.CreateTable(TableName, contract.AttrFaceID, map[string]string{contract.ObjectKeyIndex: contract.AttrObjectKey, contract.PersonIndex: contract.AttrPerson})

	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDAWSTEST", "awstest-secret", ""),
		Retryer:     o.retryer,
	}
	rekURL := serve(tb, rek)
	dbURL := serve(tb, db)
	s3URL := serve(tb, gofakes3.New(replacingBackend{backend, backend}).Server())
	return &Env{
		Rekognition: rekognition.NewFromConfig(cfg, func(o *rekognition.Options) { o.BaseEndpoint = &rekURL }),
		DynamoDB:    dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = &dbURL }),
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.BaseEndpoint = &s3URL
			o.UsePathStyle = true
		}),
		Rek:        rek,
		DB:         db,
		Collection: CollectionID,
		Table:      TableName,
		Bucket:     BucketName,
		Region:     region,
	}
}

// serve starts a loopback HTTP server for h, closed by tb.Cleanup, and
// returns its URL.
func serve(tb testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv.URL
}

// PutObject stores body under key in e.Bucket through the S3 client, with
// the given user metadata (sent as x-amz-meta-<name>; nil for none) and a
// Content-Type sniffed from body. It fails the test on error.
func (e *Env) PutObject(tb testing.TB, key string, body []byte, metadata map[string]string) {
	tb.Helper()
	_, err := e.S3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket:      &e.Bucket,
		Key:         &key,
		Body:        bytes.NewReader(body),
		Metadata:    metadata,
		ContentType: aws.String(http.DetectContentType(body)),
	})
	if err != nil {
		tb.Fatalf("awstest: PutObject %q: %v", key, err)
	}
}

// PNG returns a width×height PNG image of one color c: distinct colors give
// distinct images to declare faces for with FakeRekognition.SetFaces.
func PNG(tb testing.TB, width, height int, c color.Color) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, solid(width, height, c)); err != nil {
		tb.Fatalf("awstest: encoding PNG: %v", err)
	}
	return buf.Bytes()
}

// JPEG is like PNG for a baseline JPEG image (quality 90).
func JPEG(tb testing.TB, width, height int, c color.Color) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, solid(width, height, c), &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatalf("awstest: encoding JPEG: %v", err)
	}
	return buf.Bytes()
}

func solid(width, height int, c color.Color) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	return img
}

// replacingBackend makes a PUT replace the object's user metadata, as S3
// does (a PUT writes a whole new object), where gofakes3's backends carry
// over the keys the new PUT does not set: those are set to "" instead,
// which reads back as the metadata being absent.
type replacingBackend struct {
	gofakes3.Backend
	gofakes3.VersionedBackend // the same backend, so that gofakes3 still serves versions
}

// PutObject stores the object with exactly the metadata meta gives.
func (b replacingBackend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, conditions *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	if old, err := b.HeadObject(bucket, key); err == nil {
		if meta == nil {
			meta = map[string]string{}
		}
		for k := range old.Metadata {
			if _, ok := meta[k]; !ok && strings.HasPrefix(strings.ToLower(k), "x-amz-meta-") {
				meta[k] = ""
			}
		}
	}
	return b.Backend.PutObject(bucket, key, meta, input, size, conditions)
}
