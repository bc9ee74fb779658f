package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
)

// The local stack's names and key pair. The functions sign their requests
// with the key pair (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and facerec
// serve checks the Rekognition requests' signatures against it.
const (
	stackBucket     = "facerec-e2e"
	stackTable      = "facerec-e2e"
	stackCollection = "facerec-e2e"
	stackRegion     = "eu-west-1"
	stackKeyID      = "AKIDLOCALSTACK"
	stackSecret     = "local-stack-secret"
)

// rieInstall is how to install AWS's Lambda runtime interface emulator,
// as .ci/run does.
const rieInstall = "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// TestLocalStack_realFunctions runs the real index and search function
// binaries, each under AWS's Lambda runtime interface emulator, against a
// local stack: S3 from gofakes3, DynamoDB from dynalite (tools/, started
// here), Rekognition from facerec serve's Rekognition protocol. It indexes
// sample photos, uploaded with a person, through an SQS event of their S3
// notifications, then searches another photo of one of them through an
// API Gateway event and wants that person first. It skips when
// aws-lambda-rie is not on PATH, except in CI (CI set, as .ci/run does),
// where it fails.
func TestLocalStack_realFunctions(t *testing.T) {
	rie, err := exec.LookPath("aws-lambda-rie")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("aws-lambda-rie is not on PATH, and CI is set: install it with " + rieInstall + " (.ci/run does)")
		}
		t.Skip("aws-lambda-rie is not on PATH; install it with: " + rieInstall)
	}
	ctx := t.Context()
	dir := t.TempDir()
	creds := credentials.NewStaticCredentialsProvider(stackKeyID, stackSecret, "")

	// S3, with the photos uploaded as PUT /index/{filename}?person= stores them.
	backend := s3mem.New()
	if err := backend.CreateBucket(stackBucket); err != nil {
		t.Fatal(err)
	}
	s3srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(s3srv.Close)
	s3c := s3.New(s3.Options{BaseEndpoint: aws.String(s3srv.URL), Region: stackRegion, Credentials: creds})
	uploads := []upload{{"obama_1.jpg", "obama"}, {"biden_2.jpg", "biden"}, {"collins_1.png", "collins"}}
	var records []events.SQSMessage
	for i, up := range uploads {
		key := contract.DefaultImagePrefix + up.file
		data := photos.MustRead(up.file)
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(stackBucket), Key: aws.String(key), Body: bytes.NewReader(data),
			ContentType: aws.String(client.ContentType(up.file)), Metadata: map[string]string{contract.PersonMetadataKey: up.person},
		}); err != nil {
			t.Fatal(err)
		}
		records = append(records, events.SQSMessage{MessageId: fmt.Sprint("message-", i), EventSource: "aws:sqs", Body: s3Event(key, int64(len(data)))})
	}

	// DynamoDB: dynalite, with the construct's key schema.
	ddbURL := startDynalite(t)
	ddb := dynamodb.New(dynamodb.Options{BaseEndpoint: aws.String(ddbURL), Region: stackRegion, Credentials: creds})
	if _, err := ddb.CreateTable(ctx, tableInput(stackTable)); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	if err := dynamodb.NewTableExistsWaiter(ddb).Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(stackTable)}, time.Minute); err != nil {
		t.Fatal(err)
	}

	// Rekognition: facerec serve, checking signatures, with a collection
	// of its own besides the service's.
	t.Setenv(envSecretAccessKey, stackSecret)
	srv := startServe(t, filepath.Join(dir, "serve"), "--access-key-id", stackKeyID)
	rek := rekognition.New(rekognition.Options{BaseEndpoint: aws.String(srv.url), Region: stackRegion, Credentials: creds})
	if _, err := rek.CreateCollection(ctx, &rekognition.CreateCollectionInput{CollectionId: aws.String(stackCollection)}); err != nil {
		t.Fatalf("CreateCollection: %v", err)
	}

	env := []string{
		"AWS_REGION=" + stackRegion, "AWS_ACCESS_KEY_ID=" + stackKeyID, "AWS_SECRET_ACCESS_KEY=" + stackSecret,
		"AWS_ENDPOINT_URL_S3=" + s3srv.URL, "AWS_ENDPOINT_URL_DYNAMODB=" + ddbURL, "AWS_ENDPOINT_URL_REKOGNITION=" + srv.url,
		contract.EnvCollectionID + "=" + stackCollection, contract.EnvTableName + "=" + stackTable,
		contract.EnvBucketName + "=" + stackBucket, contract.EnvImagePrefix + "=" + contract.DefaultImagePrefix,
		"PATH=" + os.Getenv("PATH"),
	}
	index := startFunction(t, rie, buildFunction(t, dir, contract.FunctionIndex), env)
	search := startFunction(t, rie, buildFunction(t, dir, contract.FunctionSearch), env)

	var indexed events.SQSEventResponse
	invokeFunction(t, index, events.SQSEvent{Records: records}, &indexed)
	if len(indexed.BatchItemFailures) != 0 {
		t.Fatalf("the index function failed messages: %+v", indexed.BatchItemFailures)
	}
	if d, err := rek.DescribeCollection(ctx, &rekognition.DescribeCollectionInput{CollectionId: aws.String(stackCollection)}); err != nil || aws.ToInt64(d.FaceCount) != int64(len(uploads)) {
		t.Fatalf("after indexing, the collection: %+v, %v; want %d faces", d, err, len(uploads))
	}

	var resp events.APIGatewayProxyResponse
	invokeFunction(t, search, events.APIGatewayProxyRequest{
		Resource: "/search", Path: "/search", HTTPMethod: http.MethodPost,
		Headers:         map[string]string{"Content-Type": "image/jpeg"},
		Body:            base64.StdEncoding.EncodeToString(photos.MustRead("obama_2.jpg")),
		IsBase64Encoded: true,
		RequestContext:  events.APIGatewayProxyRequestContext{RequestID: "e2e-search", ResourcePath: "/search", HTTPMethod: http.MethodPost},
	}, &resp)
	var result contract.SearchResult
	if err := json.Unmarshal([]byte(resp.Body), &result); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("search: %d %s (%v)", resp.StatusCode, resp.Body, err)
	}
	if len(result.Faces) != 1 || len(result.Faces[0].Matches) == 0 {
		t.Fatalf("search of obama_2.jpg: %s; want one face with matches", resp.Body)
	}
	if m := result.Faces[0].Matches[0]; m.Person != "obama" || m.Key != contract.DefaultImagePrefix+"obama_1.jpg" {
		t.Errorf("search of obama_2.jpg: best match %+v; want obama, from obama_1.jpg", m)
	}
}

// s3Event is the S3 notification of a new object, as an SQS message body.
func s3Event(key string, size int64) string {
	var r events.S3EventRecord
	r.EventVersion, r.EventSource, r.AWSRegion, r.EventName = "2.1", "aws:s3", stackRegion, "ObjectCreated:Put"
	r.S3.Bucket.Name, r.S3.Bucket.Arn = stackBucket, "arn:aws:s3:::"+stackBucket
	r.S3.Object.Key, r.S3.Object.Size = strings.ReplaceAll(url.QueryEscape(key), "%2F", "/"), size
	b, _ := json.Marshal(events.S3Event{Records: []events.S3EventRecord{r}})
	return string(b)
}

// tableInput creates the service's table as the construct defines it: the
// partition key contract.AttrFaceID and the indexes contract.ObjectKeyIndex
// and contract.PersonIndex (all-attribute projections), string keys.
func tableInput(name string) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		KeySchema:   []ddbtypes.KeySchemaElement{{AttributeName: aws.String(contract.AttrFaceID), KeyType: ddbtypes.KeyTypeHash}},
	}
	for _, attr := range []string{contract.AttrFaceID, contract.AttrObjectKey, contract.AttrPerson} {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{AttributeName: aws.String(attr), AttributeType: ddbtypes.ScalarAttributeTypeS})
	}
	for index, attr := range map[string]string{contract.ObjectKeyIndex: contract.AttrObjectKey, contract.PersonIndex: contract.AttrPerson} {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, ddbtypes.GlobalSecondaryIndex{
			IndexName:  aws.String(index),
			KeySchema:  []ddbtypes.KeySchemaElement{{AttributeName: aws.String(attr), KeyType: ddbtypes.KeyTypeHash}},
			Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll},
		})
	}
	return in
}

// freeAddr returns a loopback address with a port that was free.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startProcess starts a command that serves on addr, stopped when the test
// ends, and waits until addr accepts connections; what it writes goes to
// the test's log when the test fails.
func startProcess(t *testing.T, addr string, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s:\n%s", filepath.Base(name), out.String())
		}
	})
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not answer on %s", name, addr)
		}
	}
}

// startDynalite runs dynalite from tools/node_modules and returns its URL.
func startDynalite(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed for dynalite: " + err.Error())
	}
	cli := filepath.Join("..", "..", "tools", "node_modules", "dynalite", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		t.Fatalf("dynalite is not installed (make setup installs tools/): %v", err)
	}
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	startProcess(t, addr, os.Environ(), node, cli, "--host", "127.0.0.1", "--port", port, "--createTableMs", "0")
	return "http://" + addr
}

// buildFunction builds the function's binary as the construct bundles it
// (linux, no cgo, the lambda.norpc tag) into dir/<name>/bootstrap.
func buildFunction(t *testing.T, dir, name string) string {
	t.Helper()
	fn, ok := contract.FunctionNamed(name)
	if !ok {
		t.Fatalf("no function %s", name)
	}
	out := filepath.Join(dir, name, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", out, "./"+fn.Main)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", fn.Main, err, b)
	}
	return out
}

// startFunction runs bootstrap under the emulator with env and returns
// the URL of its invocations.
func startFunction(t *testing.T, rie, bootstrap string, env []string) string {
	t.Helper()
	addr, api := freeAddr(t), freeAddr(t)
	startProcess(t, addr, env, rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", api, bootstrap)
	return "http://" + addr + "/2015-03-31/functions/function/invocations"
}

// invokeFunction invokes a function under the emulator with the event and
// decodes its result into out.
func invokeFunction(t *testing.T, fnURL string, event, out any) {
	t.Helper()
	body, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, fnURL, bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, out) != nil {
		t.Fatalf("invoke: %d %s", resp.StatusCode, b)
	}
}
