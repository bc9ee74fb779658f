package tabletest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/facerec/facerec-cdk/internal/service"
)

// testAliases: PutAlias creates a name's alias, or keeps one naming the
// same UserId, and refuses (ErrVersionConflict) to replace one naming
// another; GetAlias reads it ("" for none), DeleteAlias deletes it and ignores a missing one; an
// alias is not a person, a face or an image, and is not in the person's
// listings.
func testAliases(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	want := func(step, person, userID string) {
		t.Helper()
		if got, err := tb.GetAlias(ctx, person); err != nil || got != userID {
			t.Errorf("%s: GetAlias(%q) = %q, %v; want %q", step, person, got, err, userID)
		}
	}
	want("empty", "Ann Lee", "")
	if err := tb.PutAlias(ctx, "Ann Lee", "Bob:1"); err != nil {
		t.Fatal(err)
	}
	want("put", "Ann Lee", "Bob:1")
	want("put", "Ann", "")
	if err := tb.PutAlias(ctx, "Ann Lee", "Bob:1"); err != nil {
		t.Fatalf("put again: %v", err)
	}
	if err := tb.PutAlias(ctx, "Ann Lee", "Carl:2"); !errors.Is(err, service.ErrVersionConflict) {
		t.Fatalf("replacing an alias naming another UserId: %v, want ErrVersionConflict", err)
	}
	want("refused replace", "Ann Lee", "Bob:1")
	wantPersonList(t, tb, 10)
	if faces, _, err := tb.ListFaces(ctx, "Ann Lee", 10, ""); err != nil || len(faces) != 0 {
		t.Errorf("ListFaces(Ann Lee) = %v, %v; want none", faces, err)
	}
	if images, err := tb.ImagesOfPerson(ctx, "Ann Lee"); err != nil || len(images) != 0 {
		t.Errorf("ImagesOfPerson(Ann Lee) = %v, %v; want none", images, err)
	}
	if counts, err := tb.CountImages(ctx); err != nil || len(counts) != 0 {
		t.Errorf("CountImages = %v, %v; want none", counts, err)
	}
	for _, step := range []string{"delete", "delete again"} {
		if err := tb.DeleteAlias(ctx, "Ann Lee"); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		want(step, "Ann Lee", "")
	}
}

// testRelabelFaces: RelabelFaces gives the new name to the faces whose
// stored item names the old name, changing nothing else of them (the
// faces given may be stale copies: read from an eventually consistent
// index), and skips a face that is not stored (deleted meanwhile: it is
// not written back) and one that names someone else.
func testRelabelFaces(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	ann1, ann2, bob := face("f1", bucket, "index/a.jpg", "Ann"), face("f2", bucket, "index/a.jpg", "Ann"), face("f3", bucket, "index/a.jpg", "Bob")
	if err := tb.PutFaces(ctx, []service.FaceItem{ann1, ann2, bob}); err != nil {
		t.Fatal(err)
	}
	renamed := func(f service.FaceItem) service.FaceItem { f.Person = "Anna"; return f }
	stale := func(f service.FaceItem) service.FaceItem { f = renamed(f); f.Confidence, f.ETag = 1, "stale"; return f }
	gone := face("f4", bucket, "index/a.jpg", "Anna")
	if err := tb.RelabelFaces(ctx, []service.FaceItem{stale(ann1), stale(ann2), stale(bob), gone}, "Ann"); err != nil {
		t.Fatalf("RelabelFaces: %v", err)
	}
	got, err := tb.GetFaces(ctx, []string{"f1", "f2", "f3", "f4"})
	want := map[string]service.FaceItem{"f1": renamed(ann1), "f2": renamed(ann2), "f3": bob}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("GetFaces after RelabelFaces = %v, %v; want %v", got, err, want)
	}
	wantFacesOfObject(t, tb, bucket, "index/a.jpg", renamed(ann1), renamed(ann2), bob)
}

// testReplacePerson: ReplacePerson replaces a person item only if it still
// holds the expected name and Renaming, and refuses (ErrVersionConflict)
// otherwise or when there is none: of two renames that start together
// from the same item, only the first passes.
func testReplacePerson(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	ann := service.PersonItem{Person: "Ann", UserID: "u1"}
	toAnna := service.PersonItem{Person: "Ann", UserID: "u1", Renaming: "Anna"}
	toAnne := service.PersonItem{Person: "Ann", UserID: "u1", Renaming: "Anne"}
	if err := tb.ReplacePerson(ctx, toAnna, ann); !errors.Is(err, service.ErrVersionConflict) {
		t.Errorf("ReplacePerson of no item: %v, want ErrVersionConflict", err)
	}
	if err := tb.PutPerson(ctx, ann); err != nil {
		t.Fatal(err)
	}
	if err := tb.ReplacePerson(ctx, toAnna, service.PersonItem{Person: "Bob", UserID: "u1"}); !errors.Is(err, service.ErrVersionConflict) {
		t.Errorf("ReplacePerson of an item of another name: %v, want ErrVersionConflict", err)
	}
	if got, err := tb.GetPersons(ctx, []string{"u1"}); err != nil || !reflect.DeepEqual(got["u1"], ann) {
		t.Errorf("after the refused replace: %v, %v; want %v", got, err, ann)
	}
	if err := tb.ReplacePerson(ctx, toAnna, ann); err != nil {
		t.Errorf("ReplacePerson: %v", err)
	}
	if err := tb.ReplacePerson(ctx, toAnne, ann); !errors.Is(err, service.ErrVersionConflict) {
		t.Errorf("a second rename from the same item: %v, want ErrVersionConflict", err)
	}
	if got, err := tb.GetPersons(ctx, []string{"u1"}); err != nil || !reflect.DeepEqual(got["u1"], toAnna) {
		t.Errorf("after the replace: %v, %v; want %v", got, err, toAnna)
	}
	anna := service.PersonItem{Person: "Anna", UserID: "u1", Renaming: "Ann"}
	if err := tb.ReplacePerson(ctx, anna, toAnna); err != nil {
		t.Errorf("ReplacePerson from an item with Renaming: %v", err)
	}
}
