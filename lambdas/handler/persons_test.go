package handler

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// persons calls GET /persons (person "") or GET /persons/{person} (person
// as it arrives, percent-encoded) and decodes a 200 body into out.
func (h *harness) persons(t *testing.T, person string, query map[string]string, out any) events.APIGatewayProxyResponse {
	t.Helper()
	return h.get(t, h.api.Persons, "/persons", contract.PersonNameParam, person, query, out)
}

// TestPersons: GET /persons lists each person once with its face count,
// page by page; GET /persons/{person} unescapes the name and answers its
// faces and images; unknown names, bad limits and tokens are refused.
func TestPersons(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	indexPhoto(t, h, "index/b.jpg", "obama_2.jpg", "Barack Obama")
	indexPhoto(t, h, "index/c.jpg", "biden_2.jpg", "biden")
	indexPhoto(t, h, "index/d.jpg", "group_obama_biden.jpg", "")

	var got []contract.PersonSummary
	token := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("GET /persons does not end")
		}
		q := map[string]string{contract.LimitParam: "1"}
		if token != "" {
			q[contract.NextTokenParam] = token
		}
		var list contract.PersonList
		if resp := h.persons(t, "", q, &list); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /persons %v: %d %s", q, resp.StatusCode, resp.Body)
		}
		got = append(got, list.Persons...)
		if token = list.NextToken; token == "" {
			break
		}
	}
	slices.SortFunc(got, func(a, b contract.PersonSummary) int { return len(a.Person) - len(b.Person) })
	want := []contract.PersonSummary{
		{Person: "biden", UserID: service.UserID("biden"), FaceCount: 1},
		{Person: "Barack Obama", UserID: service.UserID("Barack Obama"), FaceCount: 2},
	}
	if !slices.Equal(got, want) {
		t.Errorf("persons = %+v, want %+v", got, want)
	}

	var p contract.Person
	if resp := h.persons(t, "Barack%20Obama", nil, &p); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /persons/Barack%%20Obama: %d %s", resp.StatusCode, resp.Body)
	}
	if p.Person != "Barack Obama" || p.UserID != service.UserID("Barack Obama") || len(p.Faces) != 2 || !slices.Equal(p.Images, []string{"index/a.jpg", "index/b.jpg"}) {
		t.Errorf("person = %+v", p)
	}
	for _, f := range p.Faces {
		if f.Person != "Barack Obama" || f.FaceID == "" {
			t.Errorf("face %+v", f)
		}
	}

	for _, c := range []struct {
		person string
		query  map[string]string
		want   int
	}{
		{"nobody", nil, http.StatusNotFound},
		{"Barack Obama", nil, http.StatusOK},
		{"bad%zz", nil, http.StatusBadRequest},
		{"", map[string]string{contract.LimitParam: "0"}, http.StatusBadRequest},
		{"", map[string]string{contract.LimitParam: "x"}, http.StatusBadRequest},
		{"", map[string]string{contract.NextTokenParam: "%%"}, http.StatusBadRequest},
	} {
		if resp := h.persons(t, c.person, c.query, new(any)); resp.StatusCode != c.want {
			t.Errorf("persons %q %v: %d %s, want %d", c.person, c.query, resp.StatusCode, resp.Body, c.want)
		}
	}
	h.env.DB.FailNext("Scan", 1, "ProvisionedThroughputExceededException", 400)
	if resp := h.persons(t, "", nil, new(any)); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("throttled GET /persons: %d %s", resp.StatusCode, resp.Body)
	}
}

// deletePerson calls DELETE /persons/{person} (person as it arrives,
// percent-encoded) and decodes a 200 body into out.
func (h *harness) deletePerson(t *testing.T, person string, out any) events.APIGatewayProxyResponse {
	t.Helper()
	req := events.APIGatewayProxyRequest{Resource: "/persons/{person}", HTTPMethod: "DELETE", PathParameters: map[string]string{contract.PersonNameParam: person}}
	req.RequestContext.RequestID = "req-delete-person"
	resp, err := h.api.DeletePerson(context.Background(), req)
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

// objectKeys returns the keys stored in the harness's bucket, sorted.
func (h *harness) objectKeys(t *testing.T) []string {
	t.Helper()
	out, err := h.env.S3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: &h.env.Bucket})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	slices.Sort(keys)
	return keys
}

// collectionFaceIDs returns the FaceIds of the fake collection, sorted.
func (h *harness) collectionFaceIDs() []string {
	var ids []string
	for _, f := range h.env.Rek.Faces() {
		ids = append(ids, f.FaceID)
	}
	slices.Sort(ids)
	return ids
}

// itemValues returns attribute attr of the table's items of itemType,
// sorted.
func (h *harness) itemValues(t *testing.T, itemType, attr string) []string {
	t.Helper()
	var vs []string
	for _, it := range h.items(t, itemType) {
		vs = append(vs, it[attr].(string))
	}
	slices.Sort(vs)
	return vs
}

// TestDeletePerson: DELETE /persons/{person} deletes the images whose
// faces were all the person's, from the bucket too, removes the faces
// from the collection and the table, and deletes the user and the person
// item; the ObjectRemoved events of the deleted objects then leave
// tombstones. Another person's image, face and user stay. Faces get the
// person of their upload, so every face of an image is one person's: an
// image keeping faces of others (keptImages) cannot be built through
// uploads.
func TestDeletePerson(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	indexPhoto(t, h, "index/b.jpg", "obama_2.jpg", "Barack Obama")
	indexPhoto(t, h, "index/c.jpg", "biden_2.jpg", "biden")
	var biden contract.Person
	if resp := h.persons(t, "biden", nil, &biden); resp.StatusCode != http.StatusOK || len(biden.Faces) != 1 {
		t.Fatalf("GET /persons/biden: %d %s", resp.StatusCode, resp.Body)
	}

	var got contract.DeletedPerson
	if resp := h.deletePerson(t, "Barack%20Obama", &got); resp.StatusCode != http.StatusOK {
		t.Fatalf("DELETE /persons/Barack%%20Obama: %d %s", resp.StatusCode, resp.Body)
	}
	if got.Person != "Barack Obama" || got.DeletedFaces != 2 || !slices.Equal(got.DeletedImages, []string{"index/a.jpg", "index/b.jpg"}) || got.KeptImages == nil || len(got.KeptImages) != 0 {
		t.Errorf("deleted %+v", got)
	}
	if keys := h.objectKeys(t); !slices.Equal(keys, []string{"index/c.jpg"}) {
		t.Errorf("bucket holds %v, want only index/c.jpg", keys)
	}
	if ids := h.collectionFaceIDs(); !slices.Equal(ids, []string{biden.Faces[0].FaceID}) {
		t.Errorf("collection holds %v, want only biden's face %s", ids, biden.Faces[0].FaceID)
	}
	if ids := h.itemValues(t, "FACE", "FaceId"); !slices.Equal(ids, []string{biden.Faces[0].FaceID}) {
		t.Errorf("table holds faces %v, want only biden's", ids)
	}
	if users := h.env.Rek.Users(h.env.Collection); !slices.Equal(users, []string{service.UserID("biden")}) {
		t.Errorf("users %v, want only biden's", users)
	}
	if resp := h.persons(t, "Barack%20Obama", nil, new(any)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET of the deleted person: %d %s", resp.StatusCode, resp.Body)
	}
	for _, key := range []string{"index/a.jpg", "index/b.jpg"} {
		if img := h.imageItem(t, key); img == nil || img["FaceIds"] != nil {
			t.Errorf("image item of %s after the erasure: %v", key, img)
		}
	}
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectRemoved:DeleteMarkerCreated", "index/a.jpg", "index/b.jpg"))
	for _, key := range []string{"index/a.jpg", "index/b.jpg"} {
		if img := h.imageItem(t, key); img == nil || img["Status"] != service.StatusRemoved {
			t.Errorf("image item of %s after its ObjectRemoved event: %v", key, img)
		}
	}

	for _, c := range []struct {
		person string
		want   int
	}{
		{"Barack%20Obama", http.StatusNotFound},
		{"nobody", http.StatusNotFound},
		{"bad%zz", http.StatusBadRequest},
	} {
		if resp := h.deletePerson(t, c.person, new(any)); resp.StatusCode != c.want {
			t.Errorf("DELETE /persons/%s: %d %s, want %d", c.person, resp.StatusCode, resp.Body, c.want)
		}
	}
}

// TestErasure_noOrphans deletes through every route that deletes — DELETE
// /faces/{faceId}, the deletion of an image with its ObjectRemoved event
// and DELETE /persons/{person} — and checks that the collection, its
// users, the table and the bucket hold exactly what is left.
func TestErasure_noOrphans(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/a.jpg", "obama_1.jpg", "obama")
	indexPhoto(t, h, "index/b.jpg", "obama_2.jpg", "obama")
	indexPhoto(t, h, "index/c.jpg", "biden_2.jpg", "biden")
	indexPhoto(t, h, "index/d.jpg", "group_obama_biden.jpg", "group")
	var group contract.Person
	if resp := h.persons(t, "group", nil, &group); resp.StatusCode != http.StatusOK || len(group.Faces) != 2 {
		t.Fatalf("GET /persons/group: %d %s", resp.StatusCode, resp.Body)
	}

	if resp := h.deleteFace(t, group.Faces[0].FaceID); resp.StatusCode != http.StatusOK {
		t.Fatalf("DELETE /faces/%s: %d %s", group.Faces[0].FaceID, resp.StatusCode, resp.Body)
	}
	if _, err := h.env.S3.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: &h.env.Bucket, Key: aws.String("index/c.jpg")}); err != nil {
		t.Fatal(err)
	}
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectRemoved:Delete", "index/c.jpg"))
	if resp := h.deletePerson(t, "obama", new(any)); resp.StatusCode != http.StatusOK {
		t.Fatalf("DELETE /persons/obama: %d %s", resp.StatusCode, resp.Body)
	}
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectRemoved:DeleteMarkerCreated", "index/a.jpg", "index/b.jpg"))

	left := []string{group.Faces[1].FaceID}
	if ids := h.collectionFaceIDs(); !slices.Equal(ids, left) {
		t.Errorf("collection holds %v, want %v", ids, left)
	}
	if ids := h.itemValues(t, "FACE", "FaceId"); !slices.Equal(ids, left) {
		t.Errorf("table holds faces %v, want %v", ids, left)
	}
	for _, f := range h.env.Rek.Faces() {
		if f.UserID != service.UserID("group") {
			t.Errorf("face %s belongs to user %q, want the group's", f.FaceID, f.UserID)
		}
	}
	// Deleting an image keeps its person: biden's user and item stay.
	persons := []string{service.UserID("biden"), service.UserID("group")}
	if users := h.env.Rek.Users(h.env.Collection); !slices.Equal(users, persons) {
		t.Errorf("users %v, want %v", users, persons)
	}
	if ids := h.itemValues(t, "PERSON", "UserId"); !slices.Equal(ids, persons) {
		t.Errorf("person items %v, want %v", ids, persons)
	}
	if keys := h.objectKeys(t); !slices.Equal(keys, []string{"index/d.jpg"}) {
		t.Errorf("bucket holds %v, want only index/d.jpg", keys)
	}
	for _, key := range []string{"index/a.jpg", "index/b.jpg", "index/c.jpg"} {
		if img := h.imageItem(t, key); img == nil || img["Status"] != service.StatusRemoved || img["FaceIds"] != nil {
			t.Errorf("image item of %s: %v, want a tombstone", key, img)
		}
	}
}
