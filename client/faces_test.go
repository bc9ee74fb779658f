package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
)

// TestAllFacesFollowsPages: AllFaces sends person and limit, follows
// nextToken through an empty page to the last, and DeleteFace and
// DeletePerson map 404 to an *APIError.
func TestAllFacesFollowsPages(t *testing.T) {
	pages := map[string]contract.FaceList{
		"":   {Faces: []contract.Face{{FaceID: "f1"}, {FaceID: "f2"}}, NextToken: "t1"},
		"t1": {Faces: []contract.Face{}, NextToken: "t2"},
		"t2": {Faces: []contract.Face{{FaceID: "f3"}}},
	}
	var queries []string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/faces", func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.RawQuery)
		q := r.URL.Query()
		if q.Get(contract.PersonParam) != "Jane Doe" || q.Get(contract.LimitParam) != "2" {
			writeJSON(w, http.StatusBadRequest, contract.ErrorBody{Error: contract.ErrorDetail{Code: contract.CodeInvalidParameter}})
			return
		}
		writeJSON(w, http.StatusOK, pages[q.Get(contract.NextTokenParam)])
	})
	mux.HandleFunc("DELETE /v1/faces/{faceId}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("faceId") != "f1" {
			writeJSON(w, http.StatusNotFound, contract.ErrorBody{Error: contract.ErrorDetail{Code: contract.CodeNotFound}})
			return
		}
		writeJSON(w, http.StatusOK, contract.DeletedFace{FaceID: "f1", Deleted: true})
	})
	mux.HandleFunc("DELETE /v1/persons/{person}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("person") != "Jane Doe" {
			writeJSON(w, http.StatusNotFound, contract.ErrorBody{Error: contract.ErrorDetail{Code: contract.CodeNotFound}})
			return
		}
		writeJSON(w, http.StatusOK, contract.DeletedPerson{Person: "Jane Doe", DeletedFaces: 2, DeletedImages: []string{"index/a.jpg"}, KeptImages: []string{}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/v1", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if got, err := c.DeletePerson(ctx, "Jane Doe"); err != nil || got.DeletedFaces != 2 || !slices.Equal(got.DeletedImages, []string{"index/a.jpg"}) {
		t.Errorf("DeletePerson Jane Doe: %+v, %v", got, err)
	}
	if _, err := c.DeletePerson(ctx, "nobody"); !errors.As(err, new(*APIError)) {
		t.Errorf("DeletePerson nobody: %v, want a 404 APIError", err)
	}
	if _, err := c.DeletePerson(ctx, ""); err == nil {
		t.Error("DeletePerson with an empty name succeeded")
	}
	faces, err := c.AllFaces(ctx, "Jane Doe", 2)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range faces {
		ids = append(ids, f.FaceID)
	}
	if !slices.Equal(ids, []string{"f1", "f2", "f3"}) || len(queries) != 3 {
		t.Errorf("faces %v after requests %q", ids, queries)
	}
	if err := c.DeleteFace(ctx, "f1"); err != nil {
		t.Errorf("DeleteFace f1: %v", err)
	}
	var apiErr *APIError
	if err := c.DeleteFace(ctx, "nope"); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("DeleteFace nope: %v, want a 404 APIError", err)
	}
	if err := c.DeleteFace(ctx, ""); err == nil {
		t.Error("DeleteFace with an empty id succeeded")
	}
}

// TestAllPersonsFollowsPages: AllPersons sends limit, follows nextToken to
// the last page, and PrintPersons prints one row a person.
func TestAllPersonsFollowsPages(t *testing.T) {
	pages := map[string]contract.PersonList{
		"":   {Persons: []contract.PersonSummary{{Person: "Jane Doe", UserID: "Jane_Doe:1", FaceCount: 2}}, NextToken: "t1"},
		"t1": {Persons: []contract.PersonSummary{{Person: "obama", UserID: "obama:2", FaceCount: 1}}},
	}
	var queries []string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/persons", func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.RawQuery)
		if r.URL.Query().Get(contract.LimitParam) != "1" {
			writeJSON(w, http.StatusBadRequest, contract.ErrorBody{Error: contract.ErrorDetail{Code: contract.CodeInvalidParameter}})
			return
		}
		writeJSON(w, http.StatusOK, pages[r.URL.Query().Get(contract.NextTokenParam)])
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/v1", "")
	if err != nil {
		t.Fatal(err)
	}
	persons, err := c.AllPersons(context.Background(), 1)
	if err != nil || len(persons) != 2 || persons[1].Person != "obama" || len(queries) != 2 {
		t.Fatalf("persons %+v, %v after requests %q", persons, err, queries)
	}
	var apiErr *APIError
	if _, err := c.AllPersons(context.Background(), 0); !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest {
		t.Errorf("AllPersons without a limit: %v, want the fake's 400", err)
	}
	var out strings.Builder
	PrintPersons(&out, persons)
	if want := "PERSON    USER ID     FACES\nJane Doe  Jane_Doe:1  2\nobama     obama:2     1\n"; out.String() != want {
		t.Errorf("PrintPersons:\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	if PrintPersons(&out, nil); out.String() != "no persons\n" {
		t.Errorf("PrintPersons of none: %q", out.String())
	}
}
