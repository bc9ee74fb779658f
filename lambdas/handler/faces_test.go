package handler

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// faces calls GET /faces with query (or GET /faces/{faceId} when faceID is
// not empty) and decodes a 200 answer into out.
func (h *harness) faces(t *testing.T, faceID string, query map[string]string, out any) events.APIGatewayProxyResponse {
	t.Helper()
	return h.get(t, h.api.Faces, "/faces", contract.FaceIDParam, faceID, query, out)
}

// get calls the GET route resource with query through route, or, when value
// is not empty, the route resource+"/{"+param+"}" with that path parameter
// (as it arrives, percent-encoded); it checks the answer's shape and
// decodes a 200 body into out.
func (h *harness) get(t *testing.T, route func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error),
	resource, param, value string, query map[string]string, out any) events.APIGatewayProxyResponse {
	t.Helper()
	req := events.APIGatewayProxyRequest{Resource: resource, HTTPMethod: "GET", QueryStringParameters: query}
	if value != "" {
		req.Resource, req.PathParameters = resource+"/{"+param+"}", map[string]string{param: value}
	}
	req.RequestContext.RequestID = "req-get"
	resp, err := route(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, resp)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(resp.Body), out); err != nil {
			t.Fatal(err)
		}
	}
	return resp
}

// listAll follows nextToken through every page of GET /faces with limit,
// and returns the FaceIds listed.
func (h *harness) listAll(t *testing.T, person string, limit int) []string {
	t.Helper()
	var ids []string
	token := ""
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("too many pages")
		}
		q := map[string]string{contract.LimitParam: strconv.Itoa(limit)}
		if person != "" {
			q[contract.PersonParam] = person
		}
		if token != "" {
			q[contract.NextTokenParam] = token
		}
		var list contract.FaceList
		if resp := h.faces(t, "", q, &list); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /faces %v: %d %s", q, resp.StatusCode, resp.Body)
		}
		if len(list.Faces) > limit {
			t.Fatalf("page of %d faces, limit %d", len(list.Faces), limit)
		}
		for _, f := range list.Faces {
			if f.Key == "" || f.IndexedAt.IsZero() || f.BoundingBox.Width == 0 {
				t.Errorf("face = %+v", f)
			}
			ids = append(ids, f.FaceID)
		}
		if token = list.NextToken; token == "" {
			return ids
		}
	}
}

func (h *harness) deleteFace(t *testing.T, faceID string) events.APIGatewayProxyResponse {
	t.Helper()
	req := events.APIGatewayProxyRequest{Resource: "/faces/{faceId}", HTTPMethod: "DELETE", PathParameters: map[string]string{contract.FaceIDParam: faceID}}
	req.RequestContext.RequestID = "req-delete-face"
	resp, err := h.api.DeleteFace(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, resp)
	return resp
}

// TestFaces lists faces with and without a person, page by page, reads one,
// and refuses bad parameters and unknown ids.
func TestFaces(t *testing.T) {
	h := newHarness(t)
	h.put(t, "index/group.jpg", "group_obama_biden.jpg", "group")
	h.put(t, "index/obama_1.jpg", "obama_1.jpg", "obama")
	h.put(t, "index/biden_2.jpg", "biden_2.jpg", "")
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectCreated:Put", "index/group.jpg", "index/obama_1.jpg", "index/biden_2.jpg"))

	for _, limit := range []int{1, 2, 50} {
		all := h.listAll(t, "", limit)
		slices.Sort(all)
		if len(all) != 4 || len(slices.Compact(slices.Clone(all))) != 4 {
			t.Errorf("limit %d: all faces = %v, want 4 distinct", limit, all)
		}
		if group := h.listAll(t, "group", limit); len(group) != 2 {
			t.Errorf("limit %d: group faces = %v", limit, group)
		}
	}
	obama := h.listAll(t, "obama", 1)
	if len(obama) != 1 {
		t.Fatalf("obama faces = %v", obama)
	}
	if none := h.listAll(t, "nobody", 10); len(none) != 0 {
		t.Errorf("nobody's faces = %v", none)
	}

	var page contract.FaceList
	if resp := h.faces(t, "", map[string]string{contract.LimitParam: "1"}, &page); page.NextToken == "" {
		t.Fatalf("first page of one: %s", resp.Body)
	}
	scanToken := page.NextToken

	var f contract.Face
	if resp := h.faces(t, obama[0], nil, &f); resp.StatusCode != http.StatusOK || f.FaceID != obama[0] || f.Person != "obama" || f.Key != "index/obama_1.jpg" {
		t.Errorf("GET /faces/%s: %s", obama[0], resp.Body)
	}
	for _, id := range []string{"no-such-face", service.ImageItemID(h.env.Bucket, "index/obama_1.jpg")} {
		if resp := h.faces(t, id, nil, &f); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /faces/%s: %d %s", id, resp.StatusCode, resp.Body)
		}
	}
	for _, q := range []map[string]string{
		{contract.LimitParam: "0"}, {contract.LimitParam: "101"}, {contract.LimitParam: "ten"}, {contract.NextTokenParam: "!!"}, {contract.NextTokenParam: "bm90IGpzb24"},
		{contract.PersonParam: "obama", contract.NextTokenParam: scanToken},
	} {
		if resp := h.faces(t, "", q, nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /faces %v: %d %s", q, resp.StatusCode, resp.Body)
		}
	}
}

// TestDeleteFace removes one face of a group photo from the collection,
// the table and the image item; a redelivered event does not bring it
// back.
func TestDeleteFace(t *testing.T) {
	h := newHarness(t)
	h.put(t, "index/group.jpg", "group_obama_biden.jpg", "group")
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectCreated:Put", "index/group.jpg"))
	_, st := h.status(t, "group.jpg")
	if len(st.Faces) != 2 {
		t.Fatalf("status before: %+v", st)
	}
	gone, kept := st.Faces[0].FaceID, st.Faces[1].FaceID

	resp := h.deleteFace(t, gone)
	var res contract.DeletedFace
	if err := json.Unmarshal([]byte(resp.Body), &res); err != nil || resp.StatusCode != http.StatusOK || res != (contract.DeletedFace{FaceID: gone, Deleted: true}) {
		t.Fatalf("DELETE: %d %s", resp.StatusCode, resp.Body)
	}
	check := func(when string) {
		t.Helper()
		if _, st := h.status(t, "group.jpg"); len(st.Faces) != 1 || st.Faces[0].FaceID != kept {
			t.Errorf("%s: status faces = %+v", when, st.Faces)
		}
		var stored []string
		for _, f := range h.env.Rek.Faces() {
			stored = append(stored, f.FaceID)
		}
		if !slices.Equal(stored, []string{kept}) {
			t.Errorf("%s: collection = %v", when, stored)
		}
		if items := h.faceItems(t); len(items) != 1 || items[0]["FaceId"] != kept {
			t.Errorf("%s: face items = %v", when, items)
		}
		if img := h.items(t, "IMAGE"); len(img) != 1 || img[0]["FaceCount"] != float64(1) {
			t.Errorf("%s: image items = %v", when, img)
		}
	}
	check("after delete")
	if resp := h.deleteFace(t, gone); resp.StatusCode != http.StatusNotFound {
		t.Errorf("second DELETE: %d %s", resp.StatusCode, resp.Body)
	}
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectCreated:Put", "index/group.jpg"))
	check("after redelivery")
}
