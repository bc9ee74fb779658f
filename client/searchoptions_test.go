package client

import (
	"context"
	"errors"
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
	for _, o := range []SearchOptions{{}, {All: true, MatchLimits: MatchLimits{Threshold: &zero, MaxFaces: 3}}, {ByPerson: true, MatchLimits: MatchLimits{MaxFaces: 100}}} {
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

// TestMatches_sendsTheFaceIdAndLimits checks the request of Matches and
// that a 404 is an *APIError.
func TestMatches_sendsTheFaceIdAndLimits(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Method + " " + r.URL.Path + "?" + r.URL.RawQuery
		if r.URL.Path != "/v1/matches/f1" {
			writeJSON(w, http.StatusNotFound, contract.ErrorBody{Error: contract.ErrorDetail{Code: contract.CodeNotFound}})
			return
		}
		writeJSON(w, http.StatusOK, contract.SearchResult{Faces: []contract.SearchedFace{{Matches: []contract.Match{{FaceID: "f2"}}}}})
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/v1", "")
	if err != nil {
		t.Fatal(err)
	}
	half := 50.0
	res, err := c.Matches(context.Background(), "f1", MatchLimits{Threshold: &half, MaxFaces: 2})
	if err != nil || len(res.Faces) != 1 || res.Faces[0].Matches[0].FaceID != "f2" {
		t.Fatalf("Matches: %+v, %v", res, err)
	}
	if want := "GET /v1/matches/f1?maxFaces=2&threshold=50"; got != want {
		t.Errorf("request %q, want %q", got, want)
	}
	var apiErr *APIError
	if _, err := c.Matches(context.Background(), "nope", MatchLimits{}); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("Matches of an unknown face: %v, want a 404 APIError", err)
	}
}

// TestStats_readsGetStats checks the request and answer of Stats.
func TestStats_readsGetStats(t *testing.T) {
	want := contract.Stats{CollectionID: "c", FaceCount: 3, PersonCount: 1, IndexedImages: 2, RejectedImages: 1}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1/stats" {
			writeJSON(w, http.StatusNotFound, contract.ErrorBody{Error: contract.ErrorDetail{Code: contract.CodeNotFound}})
			return
		}
		writeJSON(w, http.StatusOK, want)
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/v1", "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Stats(context.Background()); err != nil || *got != want {
		t.Errorf("Stats: %+v, %v; want %+v", got, err, want)
	}
}
