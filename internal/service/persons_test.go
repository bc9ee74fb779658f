package service_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// TestPersons: ListPersons lists each person once with its face count,
// page by page; Person answers a person's faces and images; unknown
// names, bad limits and tokens are refused, and a throttled table read
// is reported as throttling.
func TestPersons(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	h.indexPhoto(t, "index/b.jpg", "obama_2.jpg", "Barack Obama")
	h.indexPhoto(t, "index/c.jpg", "biden_2.jpg", "biden")
	h.indexPhoto(t, "index/d.jpg", "group_obama_biden.jpg", "")

	var got []contract.PersonSummary
	token := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("ListPersons does not end")
		}
		list, err := h.Service.ListPersons(t.Context(), 1, token)
		if err != nil {
			t.Fatalf("ListPersons 1, %q: %v", token, err)
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

	p, err := h.Service.Person(t.Context(), "Barack Obama")
	if err != nil {
		t.Fatalf("Person Barack Obama: %v", err)
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
		name string
		call func() error
		want service.Kind
	}{
		{"Person nobody", func() error { _, err := h.Service.Person(t.Context(), "nobody"); return err }, service.KindNotFound},
		{"Person Barack Obama", func() error { _, err := h.Service.Person(t.Context(), "Barack Obama"); return err }, -1},
		{"ListPersons limit 0", func() error { _, err := h.Service.ListPersons(t.Context(), 0, ""); return err }, service.KindBadRequest},
		{"ListPersons token %%", func() error {
			_, err := h.Service.ListPersons(t.Context(), contract.DefaultFaceListLimit, "%%")
			return err
		}, service.KindBadRequest},
	} {
		if err := c.call(); kindOf(err) != c.want {
			t.Errorf("%s: error %v (kind %d), want kind %d", c.name, err, kindOf(err), c.want)
		}
	}
	h.DB.FailNext("Scan", 1, "ProvisionedThroughputExceededException", 400)
	if _, err := h.Service.ListPersons(t.Context(), contract.DefaultFaceListLimit, ""); kindOf(err) != service.KindThrottled {
		t.Errorf("throttled ListPersons: error %v, want throttled", err)
	}
}

// bucketKeys returns the keys stored in the harness's bucket, sorted.
func (h *harness) bucketKeys(t *testing.T) []string {
	t.Helper()
	out, err := h.S3.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: &h.Bucket})
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
	for _, f := range h.Rek.Faces() {
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
	for _, it := range h.Items(t, itemType) {
		vs = append(vs, it[attr].(string))
	}
	slices.Sort(vs)
	return vs
}

// TestDeletePerson: DeletePerson deletes the images whose faces were all
// the person's, from the bucket too, removes the faces from the
// collection and the table, and deletes the user and the person item;
// reconciling the deleted objects (their ObjectRemoved events) then
// leaves tombstones. Another person's image, face and user stay. Faces
// get the person of their upload, so every face of an image is one
// person's: an image keeping faces of others (KeptImages) cannot be built
// through uploads.
func TestDeletePerson(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	h.indexPhoto(t, "index/b.jpg", "obama_2.jpg", "Barack Obama")
	h.indexPhoto(t, "index/c.jpg", "biden_2.jpg", "biden")
	biden, err := h.Service.Person(t.Context(), "biden")
	if err != nil || len(biden.Faces) != 1 {
		t.Fatalf("Person biden: %+v, error %v", biden, err)
	}

	got, err := h.Service.DeletePerson(t.Context(), "Barack Obama")
	if err != nil {
		t.Fatalf("DeletePerson Barack Obama: %v", err)
	}
	if got.Person != "Barack Obama" || got.DeletedFaces != 2 || !slices.Equal(got.DeletedImages, []string{"index/a.jpg", "index/b.jpg"}) || got.KeptImages == nil || len(got.KeptImages) != 0 {
		t.Errorf("deleted %+v", got)
	}
	if keys := h.bucketKeys(t); !slices.Equal(keys, []string{"index/c.jpg"}) {
		t.Errorf("bucket holds %v, want only index/c.jpg", keys)
	}
	if ids := h.collectionFaceIDs(); !slices.Equal(ids, []string{biden.Faces[0].FaceID}) {
		t.Errorf("collection holds %v, want only biden's face %s", ids, biden.Faces[0].FaceID)
	}
	if ids := h.itemValues(t, "FACE", "FaceId"); !slices.Equal(ids, []string{biden.Faces[0].FaceID}) {
		t.Errorf("table holds faces %v, want only biden's", ids)
	}
	if users := h.Rek.Users(h.Collection); !slices.Equal(users, []string{service.UserID("biden")}) {
		t.Errorf("users %v, want only biden's", users)
	}
	if _, err := h.Service.Person(t.Context(), "Barack Obama"); kindOf(err) != service.KindNotFound {
		t.Errorf("Person of the deleted person: error %v, want not found", err)
	}
	for _, key := range []string{"index/a.jpg", "index/b.jpg"} {
		if img := h.ImageItem(t, key); img == nil || img["FaceIds"] != nil {
			t.Errorf("image item of %s after the erasure: %v", key, img)
		}
	}
	h.reconcile(t, "index/a.jpg", "index/b.jpg")
	for _, key := range []string{"index/a.jpg", "index/b.jpg"} {
		if img := h.ImageItem(t, key); img == nil || img["Status"] != service.StatusRemoved {
			t.Errorf("image item of %s after its ObjectRemoved event: %v", key, img)
		}
	}

	for _, person := range []string{"Barack Obama", "nobody"} {
		if _, err := h.Service.DeletePerson(t.Context(), person); kindOf(err) != service.KindNotFound {
			t.Errorf("DeletePerson %s: error %v, want not found", person, err)
		}
	}
}

// TestErasure_noOrphans deletes through every way to delete — DeleteFace,
// the deletion of an image reconciled as its ObjectRemoved event would,
// and DeletePerson — and checks that the collection, its users, the table
// and the bucket hold exactly what is left.
func TestErasure_noOrphans(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "obama")
	h.indexPhoto(t, "index/b.jpg", "obama_2.jpg", "obama")
	h.indexPhoto(t, "index/c.jpg", "biden_2.jpg", "biden")
	h.indexPhoto(t, "index/d.jpg", "group_obama_biden.jpg", "group")
	group, err := h.Service.Person(t.Context(), "group")
	if err != nil || len(group.Faces) != 2 {
		t.Fatalf("Person group: %+v, error %v", group, err)
	}

	if _, err := h.Service.DeleteFace(t.Context(), group.Faces[0].FaceID); err != nil {
		t.Fatalf("DeleteFace %s: %v", group.Faces[0].FaceID, err)
	}
	if _, err := h.S3.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: &h.Bucket, Key: aws.String("index/c.jpg")}); err != nil {
		t.Fatal(err)
	}
	h.reconcile(t, "index/c.jpg")
	if _, err := h.Service.DeletePerson(t.Context(), "obama"); err != nil {
		t.Fatalf("DeletePerson obama: %v", err)
	}
	h.reconcile(t, "index/a.jpg", "index/b.jpg")

	left := []string{group.Faces[1].FaceID}
	if ids := h.collectionFaceIDs(); !slices.Equal(ids, left) {
		t.Errorf("collection holds %v, want %v", ids, left)
	}
	if ids := h.itemValues(t, "FACE", "FaceId"); !slices.Equal(ids, left) {
		t.Errorf("table holds faces %v, want %v", ids, left)
	}
	for _, f := range h.Rek.Faces() {
		if f.UserID != service.UserID("group") {
			t.Errorf("face %s belongs to user %q, want the group's", f.FaceID, f.UserID)
		}
	}
	// Deleting an image keeps its person: biden's user and item stay.
	persons := []string{service.UserID("biden"), service.UserID("group")}
	if users := h.Rek.Users(h.Collection); !slices.Equal(users, persons) {
		t.Errorf("users %v, want %v", users, persons)
	}
	if ids := h.itemValues(t, "PERSON", "UserId"); !slices.Equal(ids, persons) {
		t.Errorf("person items %v, want %v", ids, persons)
	}
	if keys := h.bucketKeys(t); !slices.Equal(keys, []string{"index/d.jpg"}) {
		t.Errorf("bucket holds %v, want only index/d.jpg", keys)
	}
	for _, key := range []string{"index/a.jpg", "index/b.jpg", "index/c.jpg"} {
		if img := h.ImageItem(t, key); img == nil || img["Status"] != service.StatusRemoved || img["FaceIds"] != nil {
			t.Errorf("image item of %s: %v, want a tombstone", key, img)
		}
	}
}
