package facerecognition

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestUploadResponsePatterns maps every HTTP status S3 could answer through
// the selection patterns, as API Gateway does (a pattern must match the
// whole status): at most one pattern matches, and the statuses land where
// the method promises.
func TestUploadResponsePatterns(t *testing.T) {
	want := map[int]string{
		100: "500", 200: "200", 204: "200", 301: "500", 307: "500",
		400: "400", 401: "400", 402: "400", 403: "403", 404: "400", 409: "400", 411: "400", 413: "400", 499: "400",
		500: "502", 501: "502", 502: "502", 503: "503", 504: "502", 509: "502", 599: "502",
	}
	responses := uploadResponses("index/")
	for status := 100; status <= 599; status++ {
		got := ""
		for _, r := range responses {
			if r.pattern == "" {
				continue
			}
			if regexp.MustCompile(`^(?:` + r.pattern + `)$`).MatchString(strconv.Itoa(status)) {
				if got != "" {
					t.Errorf("status %d matches the patterns of %s and %s", status, got, r.status)
				}
				got = r.status
			}
		}
		if got == "" {
			got = responses[len(responses)-1].status // the default response
		}
		if w, ok := want[status]; ok && got != w {
			t.Errorf("status %d answers %s, want %s", status, got, w)
		}
	}
	if last := responses[len(responses)-1]; last.pattern != "" {
		t.Errorf("the last response has pattern %q; it should be the default", last.pattern)
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

// TestResponseBodiesAreJSON evaluates the response templates with example
// values and wants the documented JSON bodies, with the service's error
// codes.
func TestResponseBodiesAreJSON(t *testing.T) {
	codes := map[string]string{
		"400": "BAD_REQUEST", "403": "ACCESS_DENIED", "500": "INTERNAL_ERROR",
		"502": "UPSTREAM_ERROR", "503": "SERVICE_UNAVAILABLE",
	}
	type apiError struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		RequestID string `json:"requestId"`
	}
	for _, r := range uploadResponses("photos/in/") {
		body := vtl.Replace(r.body)
		if r.status == "200" {
			var got map[string]string
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("200 body %s: %v", body, err)
			}
			if want := map[string]string{"key": `photos/in/it's "me".jpg`, "status": "pending"}; !reflect.DeepEqual(got, want) {
				t.Errorf("200 body %v, want %v", got, want)
			}
			continue
		}
		var got apiError
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("%s body %s: %v", r.status, body, err)
		}
		if got.Error.Code != codes[r.status] || got.Error.Message == "" || got.RequestID != "c0ffee" {
			t.Errorf("%s body %+v: want code %s, a message and request id c0ffee", r.status, got, codes[r.status])
		}
		delete(codes, r.status)
	}
	if len(codes) != 0 {
		t.Errorf("no responses with statuses %v", codes)
	}
	var gateway apiError
	body := vtl.Replace(errorTemplate(`"$context.error.responseType"`, `$context.error.messageString`))
	if err := json.Unmarshal([]byte(body), &gateway); err != nil {
		t.Fatalf("gateway response body %s: %v", body, err)
	}
	if gateway.Error.Code != "MISSING_AUTHENTICATION_TOKEN" || gateway.Error.Message != "Missing Authentication Token" {
		t.Errorf("gateway response body %+v", gateway)
	}
}
