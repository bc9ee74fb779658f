package main

import (
	"net/http/httptest"
	"testing"

	"github.com/facerec/facerec-cdk/offline"
)

// httpTestServer serves l's API on a loopback httptest server and returns
// its URL.
func httpTestServer(t *testing.T, l *offline.Local) string {
	t.Helper()
	s := httptest.NewServer(l.Handler())
	t.Cleanup(func() { s.Close(); l.Close() })
	return s.URL
}
