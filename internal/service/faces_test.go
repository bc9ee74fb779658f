package service_test

import (
	"slices"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// listAll follows NextToken through every page of ListFaces with limit,
// and returns the FaceIds listed.
func (h *harness) listAll(t *testing.T, person string, limit int) []string {
	t.Helper()
	var ids []string
	token := ""
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("too many pages")
		}
		list, err := h.Service.ListFaces(t.Context(), person, limit, token)
		if err != nil {
			t.Fatalf("ListFaces %q, %d, %q: %v", person, limit, token, err)
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

// TestFaces lists faces with and without a person, page by page, reads one,
// and refuses bad limits, bad tokens and unknown ids.
func TestFaces(t *testing.T) {
	h := newHarness(t)
	h.Put(t, "index/group.jpg", "group_obama_biden.jpg", "group")
	h.Put(t, "index/obama_1.jpg", "obama_1.jpg", "obama")
	h.Put(t, "index/biden_2.jpg", "biden_2.jpg", "")
	h.reconcile(t, "index/group.jpg", "index/obama_1.jpg", "index/biden_2.jpg")

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

	page, err := h.Service.ListFaces(t.Context(), "", 1, "")
	if err != nil || page.NextToken == "" {
		t.Fatalf("first page of one: %+v, error %v", page, err)
	}
	scanToken := page.NextToken

	if f, err := h.Service.Face(t.Context(), obama[0]); err != nil || f.FaceID != obama[0] || f.Person != "obama" || f.Key != "index/obama_1.jpg" {
		t.Errorf("Face %s: %+v, error %v", obama[0], f, err)
	}
	for _, id := range []string{"no-such-face", service.ImageItemID(h.Bucket, "index/obama_1.jpg")} {
		if _, err := h.Service.Face(t.Context(), id); kindOf(err) != service.KindNotFound {
			t.Errorf("Face %s: error %v, want not found", id, err)
		}
	}
	for _, q := range []struct {
		person string
		limit  int
		token  string
	}{
		{limit: 0}, {limit: 101}, {limit: contract.DefaultFaceListLimit, token: "!!"}, {limit: contract.DefaultFaceListLimit, token: "bm90IGpzb24"},
		{person: "obama", limit: contract.DefaultFaceListLimit, token: scanToken},
	} {
		if _, err := h.Service.ListFaces(t.Context(), q.person, q.limit, q.token); kindOf(err) != service.KindBadRequest {
			t.Errorf("ListFaces %+v: error %v, want a bad request", q, err)
		}
	}
}

// TestDeleteFace removes one face of a group photo from the collection,
// the table and the image item; reconciling the image again (a
// redelivered event) does not bring it back.
func TestDeleteFace(t *testing.T) {
	h := newHarness(t)
	h.Put(t, "index/group.jpg", "group_obama_biden.jpg", "group")
	h.reconcile(t, "index/group.jpg")
	st := h.status(t, "group.jpg")
	if len(st.Faces) != 2 {
		t.Fatalf("status before: %+v", st)
	}
	gone, kept := st.Faces[0].FaceID, st.Faces[1].FaceID

	res, err := h.Service.DeleteFace(t.Context(), gone)
	if err != nil || *res != (contract.DeletedFace{FaceID: gone, Deleted: true}) {
		t.Fatalf("DeleteFace: %+v, error %v", res, err)
	}
	check := func(when string) {
		t.Helper()
		if st := h.status(t, "group.jpg"); len(st.Faces) != 1 || st.Faces[0].FaceID != kept {
			t.Errorf("%s: status faces = %+v", when, st.Faces)
		}
		var stored []string
		for _, f := range h.Rek.Faces() {
			stored = append(stored, f.FaceID)
		}
		if !slices.Equal(stored, []string{kept}) {
			t.Errorf("%s: collection = %v", when, stored)
		}
		if items := h.FaceItems(t); len(items) != 1 || items[0]["FaceId"] != kept {
			t.Errorf("%s: face items = %v", when, items)
		}
		if img := h.Items(t, "IMAGE"); len(img) != 1 || img[0]["FaceCount"] != float64(1) {
			t.Errorf("%s: image items = %v", when, img)
		}
	}
	check("after delete")
	if _, err := h.Service.DeleteFace(t.Context(), gone); kindOf(err) != service.KindNotFound {
		t.Errorf("second DeleteFace: error %v, want not found", err)
	}
	h.reconcile(t, "index/group.jpg")
	check("after redelivery")
}
