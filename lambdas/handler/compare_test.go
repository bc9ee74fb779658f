package handler

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
)

// compare sends POST /compare with body (JSON) and query, and decodes a
// 200 answer into out if it is not nil.
func (h *harness) compare(t *testing.T, body string, query map[string]string, out any) events.APIGatewayProxyResponse {
	t.Helper()
	req := events.APIGatewayProxyRequest{Resource: "/compare", Path: "/compare", HTTPMethod: "POST", Body: body, QueryStringParameters: query}
	req.RequestContext.RequestID = "req-compare"
	resp, err := h.api.Compare(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, resp)
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(resp.Body), out); err != nil {
			t.Fatal(err)
		}
	}
	return resp
}

// compareBody is the JSON of a compare request.
func compareBody(t *testing.T, r contract.CompareRequest) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// photo64 is a sample photo in base64.
func photo64(name string) string { return base64.StdEncoding.EncodeToString(photos.MustRead(name)) }

// TestCompare_answersAndRefuses compares a photo with a photo, a face and
// a person through the handler, with and without a threshold, and checks
// the status of malformed requests.
func TestCompare_answersAndRefuses(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/obama_1.jpg", "obama_1.jpg", "obama")
	_, st := h.status(t, "obama_1.jpg")
	src := photo64("obama_2.jpg")
	for _, c := range []struct {
		name  string
		body  string
		query map[string]string
		want  int
		match bool
	}{
		{"two photos", compareBody(t, contract.CompareRequest{Source: src, Target: photo64("obama_1.jpg")}), nil, http.StatusOK, true},
		{"other person's photo", compareBody(t, contract.CompareRequest{Source: src, Target: photo64("biden_2.jpg")}), nil, http.StatusOK, false},
		{"other person's photo at threshold 5", compareBody(t, contract.CompareRequest{Source: src, Target: photo64("biden_2.jpg")}), map[string]string{contract.ThresholdParam: "5"}, http.StatusOK, true},
		{"a face", compareBody(t, contract.CompareRequest{Source: src, FaceID: st.Faces[0].FaceID}), nil, http.StatusOK, true},
		{"a person", compareBody(t, contract.CompareRequest{Source: src, Person: "obama"}), nil, http.StatusOK, true},
		{"unknown person", compareBody(t, contract.CompareRequest{Source: src, Person: "nobody"}), nil, http.StatusNotFound, false},
		{"no target", compareBody(t, contract.CompareRequest{Source: src}), nil, http.StatusBadRequest, false},
		{"two targets", compareBody(t, contract.CompareRequest{Source: src, Person: "obama", FaceID: st.Faces[0].FaceID}), nil, http.StatusBadRequest, false},
		{"no source", compareBody(t, contract.CompareRequest{Person: "obama"}), nil, http.StatusBadRequest, false},
		{"source not base64", compareBody(t, contract.CompareRequest{Source: "%%%", Person: "obama"}), nil, http.StatusBadRequest, false},
		{"not JSON", "hello", nil, http.StatusBadRequest, false},
		{"bad threshold", compareBody(t, contract.CompareRequest{Source: src, Person: "obama"}), map[string]string{contract.ThresholdParam: "x"}, http.StatusBadRequest, false},
	} {
		var got contract.Comparison
		resp := h.compare(t, c.body, c.query, &got)
		if resp.StatusCode != c.want || got.Match != c.match {
			t.Errorf("%s: %d %+v (%s), want %d, match %v", c.name, resp.StatusCode, got, resp.Body, c.want, c.match)
		}
	}
}
