package facerecognition

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
)

// TestS3ResponsePatterns maps every HTTP status S3 could answer through
// each S3 route's selection patterns, as API Gateway does (a pattern must
// match the whole status): at most one pattern matches, and the statuses
// land where the method promises.
func TestS3ResponsePatterns(t *testing.T) {
	for _, route := range []struct {
		r       s3Route
		success string
	}{{uploadRoute, "200"}} {
		want := map[int]string{
			100: "500", 200: route.success, 204: route.success, 301: "500", 307: "500",
			400: "400", 401: "400", 402: "400", 403: "403", 404: "400", 409: "400", 411: "400", 413: "400", 499: "400",
			500: "502", 501: "502", 502: "502", 503: "503", 504: "502", 509: "502", 599: "502",
		}
		responses := route.r.responses("index/")
		for status := 100; status <= 599; status++ {
			got := ""
			for _, r := range responses {
				if r.pattern == "" {
					continue
				}
				if regexp.MustCompile(`^(?:` + r.pattern + `)$`).MatchString(strconv.Itoa(status)) {
					if got != "" {
						t.Errorf("%s: status %d matches the patterns of %s and %s", route.r.method, status, got, r.status)
					}
					got = r.status
				}
			}
			if got == "" {
				got = responses[len(responses)-1].status // the default response
			}
			if w, ok := want[status]; ok && got != w {
				t.Errorf("%s: status %d answers %s, want %s", route.r.method, status, got, w)
			}
		}
		if last := responses[len(responses)-1]; last.pattern != "" {
			t.Errorf("%s: the last response has pattern %q; it should be the default", route.r.method, last.pattern)
		}
	}
}

// vtl stands in for API Gateway's template evaluation: it replaces the
// template expressions the construct uses with example values.
var vtl = strings.NewReplacer(
	`$util.escapeJavaScript($input.params('filename')).replaceAll("\\'","'")`, `it's \"me\".jpg`,
	`$context.requestId`, `c0ffee`,
	`$context.error.responseType`, `MISSING_AUTHENTICATION_TOKEN`,
	`$context.error.messageString`, `"Missing Authentication Token"`,
)

// decodeStrict decodes body, a whole JSON value, into v as a client
// would, refusing members v does not have: the member names the templates
// write must be those of the contract's types.
func decodeStrict(body string, v any) error {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("data after the JSON value (%v)", err)
	}
	return nil
}

// TestResponseBodiesAreJSON evaluates the response templates of each S3
// route and of the gateway responses with example values and decodes them
// strictly into the contract's types: a contract.PutResponse for success,
// a contract.ErrorBody with the contract's error codes otherwise.
func TestResponseBodiesAreJSON(t *testing.T) {
	for _, route := range []struct {
		r              s3Route
		success, state string
	}{{uploadRoute, "200", contract.StatusPending}} {
		codes := map[string]string{
			route.success: "", "400": contract.CodeBadRequest, "403": contract.CodeAccessDenied, "500": contract.CodeInternal,
			"502": contract.CodeUpstream, "503": contract.CodeUnavailable,
		}
		for _, r := range route.r.responses("photos/in/") {
			body := vtl.Replace(r.body)
			if _, ok := codes[r.status]; !ok {
				t.Errorf("%s: unexpected response status %s", route.r.method, r.status)
				continue
			}
			if r.status == route.success {
				var got contract.PutResponse
				if err := decodeStrict(body, &got); err != nil {
					t.Fatalf("%s %s body %s: %v", route.r.method, r.status, body, err)
				}
				if want := (contract.PutResponse{Key: `photos/in/it's "me".jpg`, Status: route.state}); got != want {
					t.Errorf("%s %s body %+v, want %+v", route.r.method, r.status, got, want)
				}
			} else {
				var got contract.ErrorBody
				if err := decodeStrict(body, &got); err != nil {
					t.Fatalf("%s %s body %s: %v", route.r.method, r.status, body, err)
				}
				if got.Error.Code != codes[r.status] || got.Error.Message == "" || got.RequestID != "c0ffee" {
					t.Errorf("%s %s body %+v: want code %s, a message and request id c0ffee", route.r.method, r.status, got, codes[r.status])
				}
			}
			delete(codes, r.status)
		}
		if len(codes) != 0 {
			t.Errorf("%s: no responses with statuses %v", route.r.method, codes)
		}
	}
	var gateway contract.ErrorBody
	body := vtl.Replace(errorTemplate(`"$context.error.responseType"`, `$context.error.messageString`))
	if err := decodeStrict(body, &gateway); err != nil {
		t.Fatalf("gateway response body %s: %v", body, err)
	}
	want := contract.ErrorBody{
		Error:     contract.ErrorDetail{Code: "MISSING_AUTHENTICATION_TOKEN", Message: "Missing Authentication Token"},
		RequestID: "c0ffee",
	}
	if gateway != want {
		t.Errorf("gateway response body %+v, want %+v", gateway, want)
	}
}
