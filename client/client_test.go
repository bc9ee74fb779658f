package client

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/contract"
)

// waits records the waits a Client reports through OnRetry.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) record(_ error, d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.d)
}

func TestRetriesThenSucceeds(t *testing.T) {
	tests := []struct {
		name     string
		failures []failure
		// capped: every wait is MaxBackoff (Retry-After of 1 s, capped),
		// else every wait is shorter (exponential from 1 ms).
		capped bool
	}{
		{"429 with Retry-After", []failure{
			{status: http.StatusTooManyRequests, code: "THROTTLED", retryAfter: "1"},
			{status: http.StatusTooManyRequests, code: "THROTTLED", retryAfter: "1"},
		}, true},
		{"502 503 504", []failure{
			{status: http.StatusBadGateway, code: "UPSTREAM_ERROR"},
			{status: http.StatusServiceUnavailable, code: "SERVICE_UNAVAILABLE"},
			{status: http.StatusGatewayTimeout, text: "<html>timeout</html>"},
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t)
			var w waits
			c.OnRetry = w.record
			f.fail(tt.failures...)
			key, err := c.Index(context.Background(), "a.jpg", []byte("faces:1"), "", "")
			if err != nil {
				t.Fatal(err)
			}
			if key != "index/a.jpg" {
				t.Errorf("key = %q, want index/a.jpg", key)
			}
			if got, want := len(f.sent()), len(tt.failures)+1; got != want {
				t.Errorf("%d attempts, want %d", got, want)
			}
			got := w.all()
			if len(got) != len(tt.failures) {
				t.Fatalf("OnRetry called %d times, want %d", len(got), len(tt.failures))
			}
			for i, d := range got {
				if tt.capped && d != c.MaxBackoff || !tt.capped && (d <= 0 || d >= c.MaxBackoff) {
					t.Errorf("wait %d = %v (MaxBackoff %v, Retry-After honoured: %v)", i, d, c.MaxBackoff, tt.capped)
				}
			}
		})
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	f, c := newFake(t)
	c.MaxAttempts = 3
	for _, id := range []string{"r1", "r2", "r3", "r4"} {
		f.fail(failure{status: http.StatusServiceUnavailable, code: "SERVICE_UNAVAILABLE", requestID: id})
	}
	_, err := c.Search(context.Background(), []byte("img"), "image/jpeg")
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want an *APIError", err)
	}
	want := APIError{Status: 503, Code: "SERVICE_UNAVAILABLE", Message: "canned SERVICE_UNAVAILABLE", RequestID: "r3"}
	if *apiErr != want {
		t.Errorf("err = %+v, want %+v", *apiErr, want)
	}
	if n := len(f.sent()); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
}

func TestRetriesTransportErrors(t *testing.T) {
	_, c := newFake(t)
	c.Endpoint.Host = "127.0.0.1:1" // nothing listens there
	c.MaxAttempts = 3
	var w waits
	c.OnRetry = w.record
	_, err := c.Status(context.Background(), "a.jpg")
	var apiErr *APIError
	if err == nil || errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want a transport error", err)
	}
	if n := len(w.all()); n != 2 {
		t.Errorf("%d retries, want 2", n)
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	tests := []struct {
		fail        failure
		wantCode    string
		wantMessage string
	}{
		{failure{status: 400, code: "INVALID_BODY", requestID: "r"}, "INVALID_BODY", "canned INVALID_BODY"},
		{failure{status: 415, code: "UNSUPPORTED_MEDIA_TYPE", requestID: "r"}, "UNSUPPORTED_MEDIA_TYPE", "canned UNSUPPORTED_MEDIA_TYPE"},
		{failure{status: 413, text: "too big"}, "", "too big"},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.fail.status), func(t *testing.T) {
			f, c := newFake(t)
			f.fail(tt.fail, tt.fail)
			_, err := c.Index(context.Background(), "a.jpg", []byte("x"), "", "")
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			if apiErr.Status != tt.fail.status || apiErr.Code != tt.wantCode || apiErr.Message != tt.wantMessage {
				t.Errorf("err = %+v", *apiErr)
			}
			if n := len(f.sent()); n != 1 {
				t.Errorf("%d attempts, want 1", n)
			}
		})
	}
}

func TestStatusNotFound(t *testing.T) {
	_, c := newFake(t)
	_, err := c.Status(context.Background(), "missing.jpg")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 404 || apiErr.Code != "NOT_FOUND" || apiErr.RequestID != "req-404" {
		t.Fatalf("err = %v, want a 404 NOT_FOUND *APIError", err)
	}
	if got, want := err.Error(), "facerec API: 404 NOT_FOUND: no image (request req-404)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestStagePathKeyAndEscaping(t *testing.T) {
	for _, suffix := range []string{"/v1", "/v1/"} {
		t.Run(suffix, func(t *testing.T) {
			f, c := newFake(t)
			c.Endpoint.Path = suffix
			const name = "my photo; é, #1?.jpg"
			ctx := context.Background()
			key, err := c.Index(ctx, name, []byte("faces:1"), "", "Zoë")
			if err != nil {
				t.Fatal(err)
			}
			if key != "index/"+name {
				t.Errorf("key = %q", key)
			}
			st, err := c.Status(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			if st.Key != "index/"+name || st.Status != "pending" {
				t.Errorf("status = %+v", st)
			}
			want := []string{
				"PUT /v1/index/my%20photo%3B%20%C3%A9%2C%20%231%3F.jpg?person=Zo%C3%AB",
				"GET /v1/index/my%20photo%3B%20%C3%A9%2C%20%231%3F.jpg",
			}
			if got := f.sent(); !slices.Equal(got, want) {
				t.Errorf("requests = %q, want %q", got, want)
			}
			if got := f.contentTypes(); got[0] != "image/jpeg" {
				t.Errorf("Content-Type = %q, want image/jpeg", got[0])
			}
		})
	}
}

func TestDelete(t *testing.T) {
	f, c := newFake(t)
	ctx := context.Background()
	const name = "my photo #1.jpg"
	if _, err := c.Index(ctx, name, []byte("faces:1"), "", ""); err != nil {
		t.Fatal(err)
	}
	for range 2 { // deleting a deleted image succeeds too
		key, err := c.Delete(ctx, name)
		if err != nil || key != "index/"+name {
			t.Fatalf("Delete = %q, %v; want key index/%s", key, err, name)
		}
	}
	var apiErr *APIError
	if _, err := c.Status(ctx, name); !errors.As(err, &apiErr) || apiErr.Status != 404 {
		t.Errorf("status after delete: %v, want a 404 *APIError", err)
	}
	want := []string{
		"PUT /v1/index/my%20photo%20%231.jpg",
		"DELETE /v1/index/my%20photo%20%231.jpg",
		"DELETE /v1/index/my%20photo%20%231.jpg",
		"GET /v1/index/my%20photo%20%231.jpg",
	}
	if got := f.sent(); !slices.Equal(got, want) {
		t.Errorf("requests = %q, want %q", got, want)
	}
	if _, err := c.Delete(ctx, ""); err == nil {
		t.Error("Delete of an empty filename succeeded")
	}
	f.fail(failure{status: http.StatusForbidden, code: "ACCESS_DENIED", requestID: "r"})
	if _, err := c.Delete(ctx, name); !errors.As(err, &apiErr) || apiErr.Status != 403 || apiErr.Code != "ACCESS_DENIED" {
		t.Errorf("refused delete: %v, want a 403 ACCESS_DENIED *APIError", err)
	}
}

func TestAPIKeyRequired(t *testing.T) {
	_, c := newFake(t)
	c.APIKey = "wrong"
	_, err := c.Status(context.Background(), "a.jpg")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 403 || apiErr.Code != "" || apiErr.Message != "Forbidden" {
		t.Fatalf("err = %v, want a 403 Forbidden *APIError", err)
	}
}

func TestSearch(t *testing.T) {
	f, c := newFake(t)
	ctx := context.Background()
	if _, err := c.Index(ctx, "alice.png", []byte("faces:1"), "", "alice"); err != nil {
		t.Fatal(err)
	}
	res, err := c.Search(ctx, []byte("photo"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Faces) != 1 || len(res.Faces[0].Matches) != 1 {
		t.Fatalf("result = %+v, want one face with one match", res)
	}
	if m := res.Faces[0].Matches[0]; m.Person != "alice" || m.Key != "index/alice.png" || m.Similarity != 97.25 {
		t.Errorf("match = %+v", m)
	}
	if got := f.contentTypes(); !slices.Equal(got, []string{"image/png", "application/octet-stream"}) {
		t.Errorf("Content-Types = %q", got)
	}
	res, err = c.Search(ctx, []byte("noface"), "image/jpeg")
	if err != nil || res.Faces == nil || len(res.Faces) != 0 {
		t.Errorf("no-face search = %+v, %v; want empty faces", res, err)
	}
	if _, err := c.SearchAll(ctx, []byte("photo"), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if got := f.sent(); !slices.Equal(got[1:], []string{"POST /v1/search", "POST /v1/search", "POST /v1/search?faces=all"}) {
		t.Errorf("requests = %q, want the searches, the last of every face", got)
	}
}

func TestNew(t *testing.T) {
	for _, bad := range []string{"", "/v1", "ftp://host/v1", "http://", "http://a b/"} {
		if _, err := New(bad, ""); err == nil {
			t.Errorf("New(%q) succeeded", bad)
		}
	}
	// An endpoint without a scheme says to add one.
	for _, bare := range []string{"127.0.0.1:8080", "localhost:8080", "abc.execute-api.us-east-1.amazonaws.com/v1"} {
		_, err := New(bare, "")
		if err == nil || !strings.Contains(err.Error(), "add http:// or https://") || !strings.Contains(err.Error(), "http://"+bare) {
			t.Errorf("New(%q) = %v, want an error saying to add http:// or https://", bare, err)
		}
	}
	c, err := New("https://abc.execute-api.us-east-1.amazonaws.com/v1/", "k")
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxAttempts != 5 || c.MinBackoff != 200*time.Millisecond || c.HTTP == nil || c.APIKey != "k" {
		t.Errorf("New = %+v", c)
	}
	if got := c.route(nil, "index", "a b.jpg").String(); got != "https://abc.execute-api.us-east-1.amazonaws.com/v1/index/a%20b.jpg" {
		t.Errorf("route = %s", got)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{"-1", 0},
		{"soon", 0},
		{now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.in, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestIndexRefusesInvalidPersons: a person name that breaks the contract's
// rule is refused with the rule, before any request.
func TestIndexRefusesInvalidPersons(t *testing.T) {
	f, c := newFake(t)
	for _, person := range []string{"two\nlines", "  ", strings.Repeat("x", contract.MaxPersonBytes+1), "\xff"} {
		if _, err := c.Index(context.Background(), "a.jpg", []byte("\xff\xd8\xff"), "image/jpeg", person); err == nil || !strings.Contains(err.Error(), contract.PersonRule) {
			t.Errorf("person %q: error %v, want the rule", person, err)
		}
	}
	if len(f.requests) != 0 {
		t.Errorf("requests sent: %v", f.requests)
	}
}
