package handler

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/facerec/facerec-cdk/contract"
)

func (h *harness) status(t *testing.T, filename string) (events.APIGatewayProxyResponse, contract.ImageStatus) {
	t.Helper()
	req := events.APIGatewayProxyRequest{Resource: "/index/{filename}", HTTPMethod: "GET", PathParameters: map[string]string{"filename": filename}}
	req.RequestContext.RequestID = "req-status"
	resp, err := h.api.Status(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, resp)
	var st contract.ImageStatus
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(resp.Body), &st); err != nil {
			t.Fatal(err)
		}
	}
	return resp, st
}

// TestStatus follows an upload from pending to indexed, and covers
// rejected, unknown and invalid filenames.
func TestStatus(t *testing.T) {
	h := newHarness(t)
	h.put(t, "index/group.jpg", "group_obama_biden.jpg", "Two People")
	resp, st := h.status(t, "group.jpg")
	if resp.StatusCode != http.StatusOK || st.Status != contract.StatusPending || st.Key != "index/group.jpg" || len(st.Faces) != 0 || st.IndexedAt != nil {
		t.Fatalf("before indexing: %d %s", resp.StatusCode, resp.Body)
	}
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectCreated:Put", "index/group.jpg"))
	resp, st = h.status(t, "group.jpg")
	if st.Status != contract.StatusIndexed || len(st.Faces) != 2 || st.IndexedAt == nil {
		t.Fatalf("after indexing: %s", resp.Body)
	}
	for _, f := range st.Faces {
		if f.FaceID == "" || f.Person != "Two People" || f.BoundingBox.Width == 0 || f.Confidence == 0 {
			t.Errorf("face = %+v", f)
		}
	}

	h.env.PutObject(t, "index/notes.txt", []byte("hello"), nil)
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectCreated:Put", "index/notes.txt"))
	if resp, st = h.status(t, "notes.txt"); st.Status != contract.StatusRejected || !strings.Contains(st.Reason, "JPEG") {
		t.Errorf("text file: %s", resp.Body)
	}

	// API Gateway passes the path parameter percent-encoded.
	h.put(t, "index/Jane Doe+1.jpg", "biden_2.jpg", "")
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectCreated:Put", "index/Jane+Doe%2B1.jpg"))
	if resp, st = h.status(t, "Jane%20Doe+1.jpg"); st.Status != contract.StatusIndexed || st.Key != "index/Jane Doe+1.jpg" {
		t.Errorf("escaped filename: %s", resp.Body)
	}

	for name, want := range map[string]int{
		"bad%zzescape": http.StatusBadRequest, "missing.jpg": http.StatusNotFound, "..": http.StatusBadRequest, "": http.StatusBadRequest, "a//b": http.StatusBadRequest, "a/../b": http.StatusBadRequest} {
		if resp, _ := h.status(t, name); resp.StatusCode != want {
			t.Errorf("filename %q: %d %s, want %d", name, resp.StatusCode, resp.Body, want)
		}
	}
}
