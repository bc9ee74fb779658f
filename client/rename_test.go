package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
)

// TestRename: Rename sends PATCH /persons/{person} (percent-encoded) with
// the JSON body {"person": NEW} and decodes the person; a 409 is an
// *APIError with the code, not retried; an empty person is refused
// without a request.
func TestRename(t *testing.T) {
	calls := 0
	mux := http.NewServeMux()
	mux.HandleFunc("PATCH /v1/persons/{person}", func(w http.ResponseWriter, r *http.Request) {
		calls++
		var in contract.RenamePerson
		if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&in) != nil {
			writeJSON(w, http.StatusBadRequest, contract.ErrorBody{Error: contract.ErrorDetail{Code: contract.CodeInvalidBody}})
			return
		}
		switch {
		case r.PathValue("person") != "Jane Doe":
			writeJSON(w, http.StatusNotFound, contract.ErrorBody{Error: contract.ErrorDetail{Code: contract.CodeNotFound}})
		case in.Person == "John Roe":
			writeJSON(w, http.StatusConflict, contract.ErrorBody{Error: contract.ErrorDetail{Code: contract.CodePersonExists}})
		default:
			writeJSON(w, http.StatusOK, contract.Person{Person: in.Person, UserID: "Jane_Doe:0123456789abcdef", Faces: []contract.Face{}, Images: []string{}})
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/v1", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if p, err := c.Rename(ctx, "Jane Doe", "Jane Q. Doe"); err != nil || p.Person != "Jane Q. Doe" || p.UserID != "Jane_Doe:0123456789abcdef" {
		t.Errorf("Rename: %+v, %v", p, err)
	}
	var apiErr *APIError
	calls = 0
	if _, err := c.Rename(ctx, "Jane Doe", "John Roe"); !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict || apiErr.Code != contract.CodePersonExists || calls != 1 {
		t.Errorf("Rename onto another person: %v after %d calls; want one 409 PERSON_EXISTS", err, calls)
	}
	if _, err := c.Rename(ctx, "nobody", "x"); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("Rename nobody: %v, want a 404 APIError", err)
	}
	calls = 0
	if _, err := c.Rename(ctx, "", "x"); err == nil || calls != 0 {
		t.Errorf("Rename of an empty name: %v after %d calls", err, calls)
	}
}
