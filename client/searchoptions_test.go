package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
)

// TestSearchWith_sendsItsOptionsAsTheQuery checks the query SearchWith
// sends for each option, and none for the zero options.
func TestSearchWith_sendsItsOptionsAsTheQuery(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
		writeJSON(w, http.StatusOK, contract.SearchResult{Faces: []contract.SearchedFace{}})
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/v1", "")
	if err != nil {
		t.Fatal(err)
	}
	zero := 0.0
	for _, o := range []SearchOptions{{}, {All: true, Threshold: &zero, MaxFaces: 3}, {ByPerson: true, MaxFaces: 100}} {
		if _, err := c.SearchWith(context.Background(), []byte("img"), "image/jpeg", o); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"POST /v1/search?", "POST /v1/search?faces=all&maxFaces=3&threshold=0", "POST /v1/search?by=person&maxFaces=100"}
	if len(got) != len(want) {
		t.Fatalf("requests %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d: %q, want %q", i, got[i], want[i])
		}
	}
}
