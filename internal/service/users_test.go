package service_test

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// usersOf returns the UserId of each face in the collection, by the
// object key of its face item.
func usersOf(t *testing.T, h *harness) map[string]string {
	t.Helper()
	keys := map[string]string{}
	for _, it := range h.FaceItems(t) {
		keys[it["FaceId"].(string)] = it["ObjectKey"].(string)
	}
	got := map[string]string{}
	for _, f := range h.Rek.Faces() {
		got[keys[f.FaceID]] = f.UserID
	}
	return got
}

// TestIndex_personJoinsItsUser: faces indexed with a person join the
// Rekognition user of that person, one user (and one person item) per
// person however many images; deleting an image disassociates its faces before DeleteFaces,
// which refuses faces of a user.
func TestIndex_personJoinsItsUser(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	h.indexPhoto(t, "index/b.jpg", "obama_2.jpg", "Barack Obama")
	h.indexPhoto(t, "index/c.jpg", "biden_2.jpg", "=?UTF-8?B?Sm/DqyBCaWRlbg==?=")
	h.indexPhoto(t, "index/d.jpg", "group_obama_biden.jpg", "")
	obama, biden := service.UserID("Barack Obama"), service.UserID("Joë Biden")
	want := map[string]string{"index/a.jpg": obama, "index/b.jpg": obama, "index/c.jpg": biden, "index/d.jpg": ""}
	if got := usersOf(t, h); !maps.Equal(got, want) {
		t.Errorf("users = %v, want %v", got, want)
	}
	persons := map[string]string{}
	for _, it := range h.Items(t, "PERSON") {
		persons[it["FaceId"].(string)] = it["Person"].(string) + " " + it["UserId"].(string)
		if it["ObjectKey"] != nil {
			t.Errorf("person item %v has an ObjectKey", it)
		}
	}
	wantPersons := map[string]string{
		service.PersonItemID(obama): "Barack Obama " + obama,
		service.PersonItemID(biden): "Joë Biden " + biden,
	}
	if !maps.Equal(persons, wantPersons) {
		t.Errorf("person items = %v, want %v", persons, wantPersons)
	}
	if n := h.Rek.Calls("CreateUser"); n != 3 {
		t.Errorf("CreateUser calls = %d, want 3 (the second for obama repeats the first, with its ClientRequestToken)", n)
	}

	if _, err := h.S3.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(h.Bucket), Key: aws.String("index/a.jpg")}); err != nil {
		t.Fatal(err)
	}
	h.reconcile(t, "index/a.jpg")
	if n := len(h.Rek.Faces()); n != 4 {
		t.Errorf("collection holds %d faces after the delete, want 4", n)
	}
	if n := h.Rek.Calls("DisassociateFaces"); n != 1 {
		t.Errorf("DisassociateFaces calls = %d, want 1", n)
	}
	if got := servicetest.ObjectKeys(h.FaceItems(t)); strings.Join(got, ",") != "index/b.jpg,index/c.jpg,index/d.jpg,index/d.jpg" {
		t.Errorf("face items left: %v", got)
	}
}

// TestIndex_userFailures: a failed CreateUser fails the record after the
// commit, and its redelivery (unchanged bytes) associates the faces; a
// full user leaves the faces indexed but unassociated, logged.
func TestIndex_userFailures(t *testing.T) {
	h := newHarness(t)
	h.Put(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	h.Rek.FailNext("CreateUser", 1, "AccessDeniedException", http.StatusBadRequest)
	if res, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg"); err == nil {
		t.Fatalf("Reconcile with CreateUser denied: result %+v, no error", res)
	}
	for _, f := range h.Rek.Faces() {
		if f.UserID != "" {
			t.Errorf("face %s associated although CreateUser failed", f.FaceID)
		}
	}
	h.reconcile(t, "index/a.jpg")
	for _, f := range h.Rek.Faces() {
		if f.UserID != service.UserID("Barack Obama") {
			t.Errorf("face %s: user %q after the redelivery", f.FaceID, f.UserID)
		}
	}

	h.Rek.FailNext("AssociateFaces", 1, "ServiceQuotaExceededException", http.StatusBadRequest)
	h.indexPhoto(t, "index/b.jpg", "obama_2.jpg", "Barack Obama")
	want := map[string]string{"index/a.jpg": service.UserID("Barack Obama"), "index/b.jpg": ""}
	if got := usersOf(t, h); !maps.Equal(got, want) {
		t.Errorf("users = %v, want %v", got, want)
	}
	if !strings.Contains(h.Logs.String(), "user is full") {
		t.Errorf("no log of the full user:\n%s", h.Logs)
	}
}

// TestUserID: the UserId of a person fits Rekognition's pattern and length
// for any name, is stable, and differs for names that sanitize alike.
func TestUserID(t *testing.T) {
	pattern := regexp.MustCompile(`^[a-zA-Z0-9_.\-:]{1,128}$`)
	for _, name := range []string{"Barack Obama", "Joë Biden", "a:b", strings.Repeat("é", 300), "x"} {
		id := service.UserID(name)
		if !pattern.MatchString(id) || id != service.UserID(name) {
			t.Errorf("UserID(%q) = %q", name, id)
		}
	}
	if service.UserID("a b") == service.UserID("a_b") {
		t.Error(`"a b" and "a_b" share a UserId`)
	}
	if got := service.UserID("Barack Obama"); !strings.HasPrefix(got, "Barack_Obama:") || len(got) != len("Barack_Obama:")+16 {
		t.Errorf("UserID(Barack Obama) = %q", got)
	}
}

// TestSearch_byPerson: SearchPersons matches the largest face against the
// persons' users and answers each person with its faces; Rekognition and
// DynamoDB failures map like a face search's.
func TestSearch_byPerson(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/obama_1.jpg", "obama_1.jpg", "obama")
	h.indexPhoto(t, "index/obama_2.jpg", "obama_2.jpg", "obama")
	h.indexPhoto(t, "index/biden_2.jpg", "biden_2.jpg", "biden")
	obamaFaces := []string{}
	for _, it := range h.FaceItems(t) {
		if it["Person"] == "obama" {
			obamaFaces = append(obamaFaces, it["FaceId"].(string))
		}
	}
	slices.Sort(obamaFaces)

	searchByPerson := func(name string) (*contract.SearchResult, error) {
		return h.Service.SearchPersons(t.Context(), photos.MustRead(name))
	}
	res, err := searchByPerson("obama_2.jpg")
	if err != nil || len(res.Faces) != 1 || len(res.Faces[0].Persons) != 1 || len(res.Faces[0].Matches) != 0 {
		t.Fatalf("search by person: %+v, error %v", res, err)
	}
	got := res.Faces[0].Persons[0]
	slices.Sort(got.FaceIDs)
	if got.Person != "obama" || got.Similarity < h.Config.FaceMatchThreshold || !slices.Equal(got.FaceIDs, obamaFaces) || len(obamaFaces) != 2 {
		t.Errorf("first person = %+v, want obama with faces %v", got, obamaFaces)
	}
	if res, err := searchByPerson("noface_rocket.jpg"); err != nil || len(res.Faces) != 0 {
		t.Errorf("search by person without a face: %+v, error %v", res, err)
	}

	for _, tc := range []struct {
		fail func()
		want service.Kind
	}{
		{func() { h.Rek.FailNext("SearchUsersByImage", 1, "ThrottlingException", 400) }, service.KindThrottled},
		{func() { h.Rek.FailNext("SearchUsersByImage", 1, "AccessDeniedException", 400) }, service.KindInternal},
		{func() { h.Rek.FailNext("SearchUsersByImage", 1, "InternalServerError", 500) }, service.KindUpstream},
		{func() { h.Rek.FailNext("SearchUsersByImage", 1, "ResourceNotFoundException", 400) }, service.KindInternal},
		{func() { h.DB.FailNext("BatchGetItem", 1, "ProvisionedThroughputExceededException", 400) }, service.KindThrottled},
		{func() { h.DB.FailNext("Query", 1, "AccessDeniedException", 400) }, service.KindInternal},
	} {
		tc.fail()
		if _, err := searchByPerson("obama_2.jpg"); kindOf(err) != tc.want {
			t.Errorf("error %v (kind %d), want kind %d", err, kindOf(err), tc.want)
		}
	}
}
