package handler

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/awstest"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// harness is the service of servicetest, on loopback stand-ins through the
// real SDK clients, wrapped in the handlers.
type harness struct {
	core    *servicetest.Env
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

func newHarness(t testing.TB, opts ...servicetest.Option) *harness {
	t.Helper()
	return newHarnessOn(t, awstest.New(t), opts...)
}

// newHarnessOn is newHarness on the stand-ins env. The service logs with
// the handlers' logger (NewLogger).
func newHarnessOn(t testing.TB, env *awstest.Env, opts ...servicetest.Option) *harness {
	t.Helper()
	opts = append([]servicetest.Option{func(p *servicetest.Parts) { p.Logger = NewLogger }}, opts...)
	core := servicetest.NewOn(t, env, opts...)
	metrics := new(bytes.Buffer)
	return &harness{
		core: core, env: env, cfg: core.Config, logs: core.Logs, metrics: metrics,
		api:      NewAPI(core.Service, core.Log, WithMetrics(metrics)),
		indexer:  NewIndexer(core.Service, core.Log, WithMetrics(metrics)),
		handlers: Handlers(core.Service, core.Log, WithMetrics(metrics)),
	}
}

// put stores a sample photo under key, with an optional person.
func (h *harness) put(t testing.TB, key, photoName, person string) {
	t.Helper()
	h.core.Put(t, key, photoName, person)
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
	records, _ := ev["Records"].([]any) // none in an s3:TestEvent
	for _, r := range records {
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
	switch ct := resp.Headers["Content-Type"]; {
	case resp.IsBase64Encoded && (resp.StatusCode != http.StatusOK || strings.HasPrefix(ct, "application/json")):
		t.Errorf("a base64-encoded %d answer of Content-Type %q: only a 200 answer is binary", resp.StatusCode, ct)
	case !resp.IsBase64Encoded && !strings.HasPrefix(ct, "application/json"):
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

// searchAllRequest is an API Gateway proxy event for POST
// /search?faces=all with a JPEG body.
func searchAllRequest(body []byte) events.APIGatewayProxyRequest {
	req := searchRequest(body, false, "image/jpeg")
	req.QueryStringParameters = map[string]string{contract.FacesParam: contract.FacesAll}
	return req
}

// status calls GET /index/{filename} (filename as it arrives,
// percent-encoded) and decodes a 200 body.
func (h *harness) status(t *testing.T, filename string) (events.APIGatewayProxyResponse, contract.ImageStatus) {
	t.Helper()
	req := events.APIGatewayProxyRequest{Resource: "/index/{filename}", HTTPMethod: "GET", PathParameters: map[string]string{contract.FilenameParam: filename}}
	req.RequestContext.RequestID = "req-status"
	var st contract.ImageStatus
	resp := call(t, h.api.Status, req, &st)
	return resp, st
}

// faces calls GET /faces with query (or GET /faces/{faceId} when faceID is
// not empty) and decodes a 200 answer into out.
func (h *harness) faces(t *testing.T, faceID string, query map[string]string, out any) events.APIGatewayProxyResponse {
	t.Helper()
	return h.get(t, h.api.Faces, "/faces", contract.FaceIDParam, faceID, query, out)
}

// get calls the GET route resource with query through route, or, when value
// is not empty, the route resource+"/{"+param+"}" with that path parameter
// (as it arrives, percent-encoded); it checks the answer's shape and
// decodes a 200 body into out.
func (h *harness) get(t *testing.T, route ProxyHandler,
	resource, param, value string, query map[string]string, out any) events.APIGatewayProxyResponse {
	t.Helper()
	req := events.APIGatewayProxyRequest{Resource: resource, HTTPMethod: "GET", QueryStringParameters: query}
	if value != "" {
		req.Resource, req.PathParameters = resource+"/{"+param+"}", map[string]string{param: value}
	}
	req.RequestContext.RequestID = "req-get"
	return call(t, route, req, out)
}

// call answers req with route, checks the answer's shape and decodes a 200
// body into out (unless out is nil).
func call(t *testing.T, route ProxyHandler, req events.APIGatewayProxyRequest, out any) events.APIGatewayProxyResponse {
	t.Helper()
	resp, err := route(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, resp)
	if resp.StatusCode == http.StatusOK && out != nil {
		if err := json.Unmarshal([]byte(resp.Body), out); err != nil {
			t.Fatal(err)
		}
	}
	return resp
}

// thumbnail calls GET /thumbnails/{faceId} and returns the answer and, for
// a 200, its decoded JPEG bytes.
func (h *harness) thumbnail(t *testing.T, faceID string) (events.APIGatewayProxyResponse, []byte) {
	t.Helper()
	resp := h.get(t, h.api.Thumbnail, "/thumbnails", contract.FaceIDParam, faceID, nil, nil)
	if resp.StatusCode != http.StatusOK {
		return resp, nil
	}
	jpg, err := base64.StdEncoding.DecodeString(resp.Body)
	if err != nil {
		t.Fatalf("thumbnail body is not base64: %v", err)
	}
	return resp, jpg
}

// deleteFace calls DELETE /faces/{faceId}.
func (h *harness) deleteFace(t *testing.T, faceID string) events.APIGatewayProxyResponse {
	t.Helper()
	req := events.APIGatewayProxyRequest{Resource: "/faces/{faceId}", HTTPMethod: "DELETE", PathParameters: map[string]string{contract.FaceIDParam: faceID}}
	req.RequestContext.RequestID = "req-delete-face"
	return call(t, h.api.DeleteFace, req, nil)
}

// persons calls GET /persons (person "") or GET /persons/{person} (person
// as it arrives, percent-encoded) and decodes a 200 body into out.
func (h *harness) persons(t *testing.T, person string, query map[string]string, out any) events.APIGatewayProxyResponse {
	t.Helper()
	return h.get(t, h.api.Persons, "/persons", contract.PersonNameParam, person, query, out)
}

// deletePerson calls DELETE /persons/{person} (person as it arrives,
// percent-encoded) and decodes a 200 body into out.
func (h *harness) deletePerson(t *testing.T, person string, out any) events.APIGatewayProxyResponse {
	t.Helper()
	req := events.APIGatewayProxyRequest{Resource: "/persons/{person}", HTTPMethod: "DELETE", PathParameters: map[string]string{contract.PersonNameParam: person}}
	req.RequestContext.RequestID = "req-delete-person"
	return call(t, h.api.DeletePerson, req, out)
}

// rename calls PATCH /persons/{person} (person as it arrives,
// percent-encoded) with the JSON body and decodes a 200 body into out.
func (h *harness) rename(t *testing.T, person, body string, out any) events.APIGatewayProxyResponse {
	t.Helper()
	req := events.APIGatewayProxyRequest{Resource: "/persons/{person}", HTTPMethod: "PATCH", PathParameters: map[string]string{contract.PersonNameParam: person}, Body: body}
	req.RequestContext.RequestID = "req-rename"
	return call(t, h.api.Rename, req, out)
}

// deleteImage calls DELETE /index/{filename} (filename as it arrives,
// percent-encoded) and decodes a 200 body into out.
func (h *harness) deleteImage(t *testing.T, filename string, out any) events.APIGatewayProxyResponse {
	t.Helper()
	req := events.APIGatewayProxyRequest{Resource: "/index/{filename}", HTTPMethod: "DELETE", PathParameters: map[string]string{contract.FilenameParam: filename}}
	req.RequestContext.RequestID = "req-delete-image"
	return call(t, h.api.DeleteImage, req, out)
}

// faceItems returns the table's face items (image items left out).
func (h *harness) faceItems(t testing.TB) []map[string]any {
	t.Helper()
	return h.core.FaceItems(t)
}

// items returns the table's items of itemType.
func (h *harness) items(t testing.TB, itemType string) []map[string]any {
	t.Helper()
	return h.core.Items(t, itemType)
}
