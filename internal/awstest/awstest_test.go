package awstest_test

import (
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/internal/awstest"
)

func TestS3MetadataRoundTrip(t *testing.T) {
	env := awstest.New(t)
	body := awstest.JPEG(t, 100, 100, red)
	env.PutObject(t, "index/Jane Doe+1.jpg", body, map[string]string{"person": "Jane Doe"})

	out, err := env.S3.GetObject(t.Context(), &s3.GetObjectInput{Bucket: &env.Bucket, Key: aws.String("index/Jane Doe+1.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	got, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(body) {
		t.Errorf("body differs")
	}
	if out.Metadata["person"] != "Jane Doe" {
		t.Errorf("Metadata = %v, want person: Jane Doe", out.Metadata)
	}
	if want := fmt.Sprintf("%q", fmt.Sprintf("%x", md5.Sum(body))); aws.ToString(out.ETag) != want {
		t.Errorf("ETag = %s, want %s", aws.ToString(out.ETag), want)
	}
	if aws.ToString(out.ContentType) != "image/jpeg" {
		t.Errorf("ContentType = %s", aws.ToString(out.ContentType))
	}
	// A PUT replaces the object, its metadata included, as in S3.
	env.PutObject(t, "index/Jane Doe+1.jpg", body, nil)
	head, err := env.S3.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &env.Bucket, Key: aws.String("index/Jane Doe+1.jpg")})
	if err != nil || head.Metadata["person"] != "" {
		t.Errorf("after a PUT without metadata: Metadata = %v, %v; want no person", head.Metadata, err)
	}
}

// TestFailNext checks injected faults surface as the SDK's typed errors, one
// call each, and that the next call succeeds.
func TestFailNext(t *testing.T) {
	tests := []struct {
		name   string
		code   string
		status int
		inject func(env *awstest.Env, code string, status int)
		call   func(t *testing.T, env *awstest.Env) error
		calls  func(env *awstest.Env) int
		is     func(error) bool
	}{
		{
			name: "Rekognition ProvisionedThroughputExceeded", code: "ProvisionedThroughputExceededException", status: http.StatusBadRequest,
			inject: func(env *awstest.Env, code string, status int) { env.Rek.FailNext("DetectFaces", 2, code, status) },
			call:   detectFaces,
			calls:  func(env *awstest.Env) int { return env.Rek.Calls("DetectFaces") },
			is:     isA[*types.ProvisionedThroughputExceededException],
		},
		{
			name: "Rekognition Throttling", code: "ThrottlingException", status: http.StatusBadRequest,
			inject: func(env *awstest.Env, code string, status int) { env.Rek.FailNext("DetectFaces", 2, code, status) },
			call:   detectFaces,
			calls:  func(env *awstest.Env) int { return env.Rek.Calls("DetectFaces") },
			is:     isA[*types.ThrottlingException],
		},
		{
			name: "Rekognition InternalServerError", code: "InternalServerError", status: http.StatusInternalServerError,
			inject: func(env *awstest.Env, code string, status int) { env.Rek.FailNext("DetectFaces", 2, code, status) },
			call:   detectFaces,
			calls:  func(env *awstest.Env) int { return env.Rek.Calls("DetectFaces") },
			is:     isA[*types.InternalServerError],
		},
		{
			name: "DynamoDB ProvisionedThroughputExceeded", code: "ProvisionedThroughputExceededException", status: http.StatusBadRequest,
			inject: func(env *awstest.Env, code string, status int) { env.DB.FailNext("GetItem", 2, code, status) },
			call:   getItem,
			calls:  func(env *awstest.Env) int { return env.DB.Calls("GetItem") },
			is:     isA[*dbtypes.ProvisionedThroughputExceededException],
		},
		{
			name: "DynamoDB InternalServerError", code: "InternalServerError", status: http.StatusInternalServerError,
			inject: func(env *awstest.Env, code string, status int) { env.DB.FailNext("GetItem", 2, code, status) },
			call:   getItem,
			calls:  func(env *awstest.Env) int { return env.DB.Calls("GetItem") },
			is:     isA[*dbtypes.InternalServerError],
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := awstest.New(t)
			tt.inject(env, tt.code, tt.status)
			for i := range 2 {
				if err := tt.call(t, env); !tt.is(err) {
					t.Fatalf("call %d: err = %T %v", i+1, err, err)
				}
			}
			if err := tt.call(t, env); err != nil {
				t.Fatalf("call after the faults: %v", err)
			}
			if n := tt.calls(env); n != 3 {
				t.Errorf("Calls = %d, want 3", n)
			}
		})
		t.Run(tt.name+" with the standard retryer", func(t *testing.T) {
			env := awstest.New(t, awstest.WithStandardRetryer())
			tt.inject(env, tt.code, tt.status)
			if err := tt.call(t, env); err != nil {
				t.Fatalf("err = %v, want success on the third attempt", err)
			}
			if n := tt.calls(env); n != 3 {
				t.Errorf("Calls = %d, want 3", n)
			}
		})
	}
}

func detectFaces(t *testing.T, env *awstest.Env) error {
	_, err := env.Rekognition.DetectFaces(t.Context(), &rekognition.DetectFacesInput{Image: &types.Image{Bytes: awstest.PNG(t, 100, 100, red)}})
	return err
}

func getItem(t *testing.T, env *awstest.Env) error {
	_, err := env.DynamoDB.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: &env.Table, Key: key("a")})
	return err
}

func isA[E error](err error) bool {
	var target E
	return errors.As(err, &target)
}

// TestFailRandomly: the seeded faults come in the shares asked for, the
// same ones on every run with the same seed, as the SDK's typed errors;
// FailRandomly(0, 0, 0) turns them off.
func TestFailRandomly(t *testing.T) {
	outcomes := func(seed uint64) []string {
		env := awstest.New(t)
		env.Rek.FailRandomly(seed, 0.5, 0.05)
		var got []string
		for range 400 {
			err := detectFaces(t, env)
			switch {
			case err == nil:
				got = append(got, "ok")
			case isA[*types.ThrottlingException](err):
				got = append(got, "throttled")
			case isA[*types.InternalServerError](err):
				got = append(got, "failed")
			default:
				t.Fatalf("unexpected error %T %v", err, err)
			}
		}
		throttled, failed := env.Rek.RandomFaults()
		if n := count(got, "throttled"); n != throttled || n < 160 || n > 240 {
			t.Errorf("%d of 400 calls throttled (RandomFaults says %d), want about 200", n, throttled)
		}
		if n := count(got, "failed"); n != failed || n < 8 || n > 35 {
			t.Errorf("%d of 400 calls failed (RandomFaults says %d), want about 20", n, failed)
		}
		env.Rek.FailRandomly(0, 0, 0)
		if err := detectFaces(t, env); err != nil {
			t.Errorf("call after turning faults off: %v", err)
		}
		return got
	}
	a, b := outcomes(7), outcomes(7)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("the same seed gave different faults")
	}
	if fmt.Sprint(a) == fmt.Sprint(outcomes(8)) {
		t.Error("another seed gave the same faults")
	}
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}
