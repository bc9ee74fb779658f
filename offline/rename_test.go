package offline

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service"
)

// TestRename_offline: on the local parts, PATCH /persons/{person} answers
// the person under its new name with the same UserId; the old name is 404
// and nowhere (database, files, logs); the objects' metadata names the new
// name, so the copies' notifications and a later re-index keep it, and no
// face is indexed again (the FaceIds stay); search by person finds the new
// name; an upload under the new name joins the person, one under the old
// name makes a new person.
func TestRename_offline(t *testing.T) {
	logs := new(bytes.Buffer)
	l := testLocalLogging(t, slog.New(slog.NewJSONHandler(logs, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := l.Queue.Start(ctx, 1); err != nil {
		t.Fatal(err)
	}
	call := func(method, path, contentType string, body []byte, want int, out any) {
		t.Helper()
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		l.Handler().ServeHTTP(rec, req)
		if rec.Code != want {
			t.Fatalf("%s %s: %d %s; want %d", method, path, rec.Code, rec.Body, want)
		}
		if out != nil {
			if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
				t.Fatal(err)
			}
		}
	}
	drain := func() {
		t.Helper()
		if err := l.Queue.Drain(ctx); err != nil {
			t.Fatal(err)
		}
	}
	faceIDs := func() []string {
		t.Helper()
		faces, _, err := l.Table.ListFaces(ctx, "", contract.MaxFaceListLimit, "")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range faces {
			ids = append(ids, f.FaceID+" "+f.Person)
		}
		slices.Sort(ids)
		return ids
	}
	call(http.MethodPut, "/index/a.jpg?person=Barack%20Obama", "image/jpeg", photos.MustRead("obama_2.jpg"), http.StatusOK, nil)
	call(http.MethodPut, "/index/c.jpg?person=biden", "image/jpeg", photos.MustRead("biden_2.jpg"), http.StatusOK, nil)
	drain()
	before := faceIDs()

	const renamed = "Barack Öbama II"
	var p contract.Person
	call(http.MethodPatch, "/persons/Barack%20Obama", "application/json", []byte(`{"person": "`+renamed+`"}`), http.StatusOK, &p)
	if p.Person != renamed || p.UserID != service.UserID("Barack Obama") || len(p.Faces) != 1 {
		t.Errorf("PATCH answered %+v", p)
	}
	drain() // the copy's notification
	call(http.MethodPatch, "/persons/Barack%20Obama", "application/json", []byte(`{"person": "x"}`), http.StatusNotFound, nil)
	call(http.MethodPatch, "/persons/biden", "application/json", []byte(`{"person": "`+renamed+`"}`), http.StatusConflict, nil)
	call(http.MethodPatch, "/persons/biden", "application/json", []byte(`{"person": " "}`), http.StatusBadRequest, nil)
	call(http.MethodGet, "/persons/Barack%20Obama", "", nil, http.StatusNotFound, nil)

	after := faceIDs()
	for i := range before {
		before[i] = strings.Replace(before[i], "Barack Obama", renamed, 1)
	}
	if !slices.Equal(after, before) {
		t.Errorf("faces after the rename = %q, want the same FaceIds under the new name: %q", after, before)
	}
	head, err := l.Objects.HeadObject(ctx, &s3.HeadObjectInput{Key: aws.String("index/a.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	if person, err := new(mime.WordDecoder).DecodeHeader(head.Metadata[contract.PersonMetadataKey]); err != nil || person != renamed || aws.ToString(head.ContentType) != "image/jpeg" {
		t.Errorf("a.jpg after the rename: person %q (%v), content type %q", person, err, aws.ToString(head.ContentType))
	}
	// A re-index (every object reconciled, as a backfill does) keeps it.
	for _, key := range []string{"index/a.jpg", "index/c.jpg"} {
		if res, err := l.svc.Reconcile(ctx, BucketName, key); err != nil || res.Outcome != service.OutcomeUnchanged {
			t.Errorf("Reconcile %s: %+v, %v; want unchanged", key, res, err)
		}
	}
	if got := faceIDs(); !slices.Equal(got, before) {
		t.Errorf("faces after a re-index = %q, want %q", got, before)
	}
	// The old name is nowhere but in the UserId derived from it, which
	// the renamed person keeps (excluded explicitly: it holds the name
	// only with '_' for the space, but a one-word name would be there
	// verbatim).
	if found := offlineLeftovers(t, l, logs, []string{"Barack Obama"}, service.UserID("Barack Obama")); len(found) > 0 {
		t.Errorf("the old name after the rename:\n%s", strings.Join(found, "\n"))
	}
	if strings.Contains(logs.String(), renamed) {
		t.Error("the logs hold the new name")
	}
	var res contract.SearchResult
	call(http.MethodPost, "/search?by=person", "image/jpeg", photos.MustRead("obama_1.jpg"), http.StatusOK, &res)
	if len(res.Faces) != 1 || len(res.Faces[0].Persons) == 0 || res.Faces[0].Persons[0].Person != renamed {
		t.Errorf("search by person: %+v", res)
	}

	call(http.MethodPut, "/index/b.jpg?person="+strings.ReplaceAll(renamed, " ", "%20"), "image/jpeg", photos.MustRead("obama_1.jpg"), http.StatusOK, nil)
	call(http.MethodPut, "/index/d.jpg?person=Barack%20Obama", "image/jpeg", photos.MustRead("obama_1.jpg"), http.StatusOK, nil)
	drain()
	var joined, fresh contract.Person
	call(http.MethodGet, "/persons/"+strings.ReplaceAll(renamed, " ", "%20"), "", nil, http.StatusOK, &joined)
	call(http.MethodGet, "/persons/Barack%20Obama", "", nil, http.StatusOK, &fresh)
	if joined.UserID != p.UserID || len(joined.Faces) != 2 || fresh.UserID == p.UserID || len(fresh.Faces) != 1 {
		t.Errorf("after uploads under both names: renamed %+v, old name %+v", joined, fresh)
	}
}
