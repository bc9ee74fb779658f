package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
)

// closedEndpoint returns the URL of a loopback port nothing listens on.
func closedEndpoint(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// TestRun_nextSteps: the client commands' errors that have a remedy end
// with it, for the requests of every command (index's per-file errors
// included).
func TestRun_nextSteps(t *testing.T) {
	photo := filepath.Join(photosDir, "obama_2.jpg")
	closed := closedEndpoint(t)
	srv := startServe(t, t.TempDir(), "--api-key", "secret")
	noRoute := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// API Gateway's answer to a path without a route, through the
		// construct's gateway responses.
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"error":{"code":"MISSING_AUTHENTICATION_TOKEN","message":"Missing Authentication Token"},"requestId":"r"}`)
	}))
	defer noRoute.Close()
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no server, search", []string{"search", "--endpoint", closed, photo},
			[]string{"connection refused", "no server answers at " + strings.TrimPrefix(closed, "http://"), "make serve", "facerec serve", "--endpoint"}},
		{"no server, index", []string{"index", "--endpoint", closed, photo},
			[]string{"some files were not uploaded", "no server answers at", "make serve"}},
		{"no scheme", []string{"faces", "--endpoint", "127.0.0.1:8080"},
			[]string{"add http:// or https://"}},
		{"no key", []string{"persons", "--endpoint", srv.url},
			[]string{"403 " + contract.GatewayInvalidAPIKey, "--api-key", "FACEREC_API_KEY"}},
		{"wrong key, index", []string{"index", "--endpoint", srv.url, "--api-key", "nope", photo},
			[]string{"some files were not uploaded", "--api-key", "FACEREC_API_KEY"}},
		{"no route", []string{"faces", "--endpoint", noRoute.URL},
			[]string{"MISSING_AUTHENTICATION_TOKEN", "stage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("FACEREC_API_KEY", "")
			err := run(context.Background(), tt.args, io.Discard, io.Discard)
			if err == nil {
				t.Fatalf("facerec %v succeeded", tt.args)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("facerec %v: error %q does not say %q", tt.args, err, w)
				}
			}
		})
	}
	// An error without a remedy is left as it is.
	err := run(context.Background(), []string{"faces", "--endpoint", srv.url, "--api-key", "secret", "--limit", "1000"}, io.Discard, io.Discard)
	if err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("facerec faces --limit 1000: %v, want the API's 400 alone", err)
	}
}

// TestRun_flagsAfterArguments: a client command's flag written after its
// positional arguments is an error that says to put it first, before any
// request, instead of being taken for a photo or a name; an argument that
// only looks like a flag (no such flag) is left to the command.
func TestRun_flagsAfterArguments(t *testing.T) {
	photo := filepath.Join(photosDir, "obama_2.jpg")
	closed := closedEndpoint(t)
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"compare", "--endpoint", closed, photo, "--person", "Barack Obama"}, "--person"},
		{[]string{"compare", "--endpoint", closed, photo, "--face-id=F"}, "--face-id=F"},
		{[]string{"search", "--endpoint", closed, photo, "-json"}, "-json"},
	} {
		var stderr strings.Builder
		err := run(context.Background(), c.args, io.Discard, &stderr)
		if want := "flags go before the other arguments: put " + c.flag + " first"; err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %q", c.args, err, want)
		}
	}
	err := run(context.Background(), []string{"search", "--endpoint", closed, "-not-a-flag.jpg"}, io.Discard, io.Discard)
	if err == nil || strings.Contains(err.Error(), "flags go before") {
		t.Errorf("a file named like a flag: error %v, want the command's own error", err)
	}
}
