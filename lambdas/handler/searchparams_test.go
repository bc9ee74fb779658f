package handler

import (
	"net/http"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
)

// TestSearch_thresholdAndMaxFacesFromTheQuery checks that POST /search
// passes threshold and maxFaces to the search: with threshold 0 biden
// matches obama_2.jpg too, maxFaces 1 keeps obama only, and values that
// are not numbers or are out of bounds are 400 INVALID_PARAMETER before
// Rekognition is called.
func TestSearch_thresholdAndMaxFacesFromTheQuery(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/obama_1.jpg", "obama_1.jpg", "obama")
	indexPhoto(t, h, "index/biden_2.jpg", "biden_2.jpg", "biden")
	search := func(query map[string]string) (int, contract.SearchResult, string) {
		req := searchRequest(photos.MustRead("obama_2.jpg"), false, "image/jpeg")
		req.QueryStringParameters = query
		var res contract.SearchResult
		resp := h.search(t, req, nil)
		if resp.StatusCode == http.StatusOK {
			h.search(t, req, &res)
		}
		return resp.StatusCode, res, resp.Body
	}
	persons := func(res contract.SearchResult) []string {
		var out []string
		for _, m := range res.Faces[0].Matches {
			out = append(out, m.Person)
		}
		return out
	}
	if status, res, body := search(map[string]string{contract.ThresholdParam: "0"}); status != http.StatusOK || strings.Join(persons(res), ",") != "obama,biden" {
		t.Errorf("threshold=0: %d %v (%s), want obama,biden", status, persons(res), body)
	}
	if status, res, body := search(map[string]string{contract.ThresholdParam: "0", contract.MaxFacesParam: "1"}); status != http.StatusOK || strings.Join(persons(res), ",") != "obama" {
		t.Errorf("threshold=0&maxFaces=1: %d %v (%s), want obama", status, persons(res), body)
	}
	calls := h.env.Rek.Calls("SearchFacesByImage")
	for _, q := range []map[string]string{
		{contract.ThresholdParam: "high"},
		{contract.ThresholdParam: "-1"},
		{contract.ThresholdParam: "NaN"},
		{contract.MaxFacesParam: "0"},
		{contract.MaxFacesParam: "101"},
		{contract.MaxFacesParam: "1e2"},
		{contract.ByParam: contract.ByPerson, contract.MaxFacesParam: "500"},
	} {
		if status, _, body := search(q); status != http.StatusBadRequest || !strings.Contains(body, contract.CodeInvalidParameter) {
			t.Errorf("%v: %d %s, want 400 %s", q, status, body, contract.CodeInvalidParameter)
		}
	}
	if n := h.env.Rek.Calls("SearchFacesByImage"); n != calls {
		t.Errorf("refused requests called SearchFacesByImage %d times", n-calls)
	}
}
