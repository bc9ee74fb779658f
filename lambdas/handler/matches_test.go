package handler

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
)

// matches calls GET /matches/{faceId} with query and decodes a 200 body
// into out.
func (h *harness) matches(t *testing.T, faceID string, query map[string]string, out any) events.APIGatewayProxyResponse {
	t.Helper()
	return h.get(t, h.api.Matches, "/matches", contract.FaceIDParam, faceID, query, out)
}

// TestMatches_ofAStoredFace indexes obama twice and biden once, and asks
// for the matches of the first obama face: the other obama face, not the
// face itself; biden too at threshold 0; 404 for an unknown FaceId and
// 400 for a bad maxFaces.
func TestMatches_ofAStoredFace(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/obama_1.jpg", "obama_1.jpg", "obama")
	indexPhoto(t, h, "index/obama_2.jpg", "obama_2.jpg", "obama")
	indexPhoto(t, h, "index/biden_2.jpg", "biden_2.jpg", "biden")
	_, st := h.status(t, "obama_1.jpg")
	id := st.Faces[0].FaceID
	keys := func(res contract.SearchResult) string {
		var k []string
		for _, m := range res.Faces[0].Matches {
			k = append(k, m.Key)
		}
		return strings.Join(k, ",")
	}
	var res contract.SearchResult
	if resp := h.matches(t, id, nil, &res); resp.StatusCode != http.StatusOK || len(res.Faces) != 1 || keys(res) != "index/obama_2.jpg" {
		t.Fatalf("matches of %s: %d %s, want index/obama_2.jpg only", id, resp.StatusCode, resp.Body)
	}
	if res.Faces[0].BoundingBox != st.Faces[0].BoundingBox {
		t.Errorf("searched face box %+v, want the stored face's %+v", res.Faces[0].BoundingBox, st.Faces[0].BoundingBox)
	}
	res = contract.SearchResult{}
	if resp := h.matches(t, id, map[string]string{contract.ThresholdParam: "0"}, &res); resp.StatusCode != http.StatusOK || keys(res) != "index/obama_2.jpg,index/biden_2.jpg" {
		t.Errorf("matches at threshold 0: %d %s, want obama_2 then biden_2", resp.StatusCode, resp.Body)
	}
	if resp := h.matches(t, "11111111-2222-4333-8444-555555555555", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown face: %d %s, want 404", resp.StatusCode, resp.Body)
	}
	if resp := h.matches(t, id, map[string]string{contract.MaxFacesParam: "0"}, nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("maxFaces=0: %d %s, want 400", resp.StatusCode, resp.Body)
	}
}
