package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/awstest"
	"github.com/facerec/facerec-cdk/internal/dynamotable"
	"github.com/facerec/facerec-cdk/internal/service"
)

// harness is the service wired to loopback stand-ins through the real SDK
// clients, with the identities of the sample photos registered.
type harness struct {
	env     *awstest.Env
	cfg     contract.Config
	api     *API
	indexer *Indexer
	// handlers are Handlers over the same service, logs and metrics.
	handlers map[string]ProxyHandler
	logs     *bytes.Buffer
	// metrics receives the handlers' EMF lines (WithMetrics).
	metrics *bytes.Buffer
	// sqs makes deliverS3 wrap S3 events in SQS messages.
	sqs bool
}

// harnessOption changes the parts the harness's service runs on.
type harnessOption func(*parts)

// parts are the service's dependencies, wrappable by harnessOptions.
type parts struct {
	rek     service.Rekognition
	objects service.ObjectGetter
}

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	return newHarnessOn(t, awstest.New(t), opts...)
}

// newHarnessOn is newHarness on the stand-ins env.
func newHarnessOn(t testing.TB, env *awstest.Env, opts ...harnessOption) *harness {
	t.Helper()
	cfg, err := contract.FromEnv(func(k string) string {
		return map[string]string{
			contract.EnvCollectionID: "test-collection",
			contract.EnvTableName:    "test-table",
			contract.EnvBucketName:   env.Bucket,
			contract.EnvImagePrefix:  contract.DefaultImagePrefix,
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	logs := new(bytes.Buffer)
	log := NewLogger(logs)
	p := parts{rek: env.Rekognition, objects: env.S3}
	for _, o := range opts {
		o(&p)
	}
	table := dynamotable.New(env.DynamoDB, cfg.TableName)
	table.Backoff = time.Millisecond
	svc := service.New(cfg, p.rek, p.objects, table, log)
	metrics := new(bytes.Buffer)
	h := &harness{env: env, cfg: cfg, api: NewAPI(svc, log, WithMetrics(metrics)), indexer: NewIndexer(svc, log, WithMetrics(metrics)),
		handlers: Handlers(svc, log, WithMetrics(metrics)), logs: logs, metrics: metrics}
	for name, faces := range photoFaces {
		env.Rek.SetFaces(photos.MustRead(name), faces...)
	}
	return h
}

func face(identity string, left, top, width, height float32) awstest.Face {
	return awstest.Face{Identity: identity, BoundingBox: awstest.Box(left, top, width, height), Confidence: 99.9}
}

// photoFaces are the faces the Rekognition stand-in finds in the sample
// photos (see examples/photos/PROVENANCE.md for who is in them).
var photoFaces = map[string][]awstest.Face{
	"obama_1.jpg":           {face("obama", 0.35, 0.2, 0.3, 0.4)},
	"obama_2.jpg":           {face("obama", 0.4, 0.15, 0.25, 0.35)},
	"biden_2.jpg":           {face("biden", 0.3, 0.2, 0.35, 0.45)},
	"collins_1.png":         {face("collins", 0.4, 0.1, 0.2, 0.3)},
	"group_obama_biden.jpg": {face("obama", 0.1, 0.2, 0.2, 0.3), face("biden", 0.6, 0.2, 0.25, 0.35)},
}

// put stores a sample photo under key, with an optional person.
func (h *harness) put(t testing.TB, key, photoName, person string) {
	t.Helper()
	var meta map[string]string
	if person != "" {
		meta = map[string]string{contract.PersonMetadataKey: person}
	}
	h.env.PutObject(t, key, photos.MustRead(photoName), meta)
}

// s3Event is an S3 notification for keys (as S3 encodes them in events).
func s3Event(bucket, eventName string, keys ...string) []byte {
	ev := events.S3Event{}
	for _, k := range keys {
		var r events.S3EventRecord
		r.EventVersion, r.EventSource, r.EventName = "2.1", "aws:s3", eventName
		r.S3.Bucket.Name = bucket
		r.S3.Object.Key = k
		ev.Records = append(ev.Records, r)
	}
	b, _ := json.Marshal(ev)
	return b
}

// withBucket rewrites the bucket name of every record of an S3 event to the
// stand-in's bucket, keeping everything else as delivered.
func withBucket(t testing.TB, event []byte, bucket string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	for _, r := range ev["Records"].([]any) {
		r.(map[string]any)["s3"].(map[string]any)["bucket"].(map[string]any)["name"] = bucket
	}
	b, _ := json.Marshal(ev)
	return b
}

// sqsEvent wraps S3 notification bodies in an SQS event, as the queue
// delivers them, with message ids m0, m1, ...
func sqsEvent(bodies ...[]byte) []byte {
	ev := events.SQSEvent{}
	for i, b := range bodies {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: "m" + string(rune('0'+i)), Body: string(b), EventSource: "aws:sqs"})
	}
	out, _ := json.Marshal(ev)
	return out
}

// index runs the index handler on a raw event.
func (h *harness) index(t testing.TB, raw []byte) (*events.SQSEventResponse, error) {
	t.Helper()
	return h.indexer.Handle(context.Background(), raw)
}

// search runs the search handler and decodes the response body into out
// (a *contract.SearchResult or *ErrorBody).
func (h *harness) search(t testing.TB, req events.APIGatewayProxyRequest, out any) events.APIGatewayProxyResponse {
	t.Helper()
	resp, err := h.api.Search(context.Background(), req)
	if err != nil {
		t.Fatalf("Search returned a Lambda error: %v", err)
	}
	checkResponse(t, resp)
	if out != nil {
		if err := json.Unmarshal([]byte(resp.Body), out); err != nil {
			t.Fatalf("body is not JSON: %v: %s", err, resp.Body)
		}
	}
	return resp
}

// checkResponse asserts what every API response must hold: JSON, CORS,
// request id, and no internal detail.
func checkResponse(t testing.TB, resp events.APIGatewayProxyResponse) {
	t.Helper()
	if ct := resp.Headers["Content-Type"]; !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if resp.Headers["Access-Control-Allow-Origin"] == "" {
		t.Error("no Access-Control-Allow-Origin header")
	}
	for _, leak := range []string{"goroutine", "panic", ".go:", "operation error", "https://127.0.0.1"} {
		if strings.Contains(resp.Body, leak) {
			t.Errorf("body leaks %q: %s", leak, resp.Body)
		}
	}
	if resp.StatusCode >= 400 {
		var eb contract.ErrorBody
		if err := json.Unmarshal([]byte(resp.Body), &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
			t.Errorf("error body is not {\"error\":{\"code\",\"message\"}}: %s", resp.Body)
		}
		if eb.RequestID == "" && resp.Headers["X-Request-Id"] == "" {
			t.Error("no request id in error body or headers")
		}
	}
}

// searchRequest is an API Gateway proxy event for POST /search.
func searchRequest(body []byte, base64Encoded bool, contentType string) events.APIGatewayProxyRequest {
	req := events.APIGatewayProxyRequest{
		Resource: "/search", Path: "/search", HTTPMethod: "POST",
		Headers:         map[string]string{"Content-Type": contentType},
		IsBase64Encoded: base64Encoded,
		Body:            string(body),
	}
	req.RequestContext.RequestID = "req-test"
	return req
}

// faceItems returns the table's face items (image items left out).
func (h *harness) faceItems(t testing.TB) []map[string]any {
	t.Helper()
	return h.items(t, "FACE")
}

func (h *harness) items(t testing.TB, itemType string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, it := range h.env.DB.Items(h.cfg.TableName) {
		m := map[string]any{}
		if err := attributevalue.UnmarshalMap(it, &m); err != nil {
			t.Fatal(err)
		}
		if m["ItemType"] == itemType {
			out = append(out, m)
		}
	}
	return out
}
