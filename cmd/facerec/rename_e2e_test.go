package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// TestServe_rename indexes obama twice with `facerec serve`, renames him
// with `facerec rename`: it prints the new name and counts, the persons
// list the new name with the same UserId and both faces, and renaming the
// old name again fails (404); --json prints the person.
func TestServe_rename(t *testing.T) {
	srv, c := serveAndUpload(t, t.TempDir(), upload{"obama_1.jpg", "obama"}, upload{"obama_2.jpg", "obama"})
	for _, f := range []string{"obama_1.jpg", "obama_2.jpg"} {
		waitIndexed(t, c, f)
	}
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"rename", "--endpoint", srv.url, "obama", "Barack Obama"}, &out, io.Discard); err != nil {
		t.Fatalf("facerec rename: %v", err)
	}
	if want := "person obama: renamed to Barack Obama (the same Rekognition user, 2 faces, 2 images)\n"; out.String() != want {
		t.Errorf("facerec rename printed %q, want %q", out.String(), want)
	}
	persons, err := c.AllPersons(ctx, 10)
	if err != nil || len(persons) != 1 || persons[0].Person != "Barack Obama" || persons[0].UserID != service.UserID("obama") || persons[0].FaceCount != 2 {
		t.Errorf("persons after the rename: %+v, %v", persons, err)
	}
	if err := run(ctx, []string{"rename", "--endpoint", srv.url, "obama", "x"}, io.Discard, io.Discard); err == nil {
		t.Error("renaming the old name again succeeded")
	}
	out.Reset()
	if err := run(ctx, []string{"rename", "--json", "--endpoint", srv.url, "Barack Obama", "obama"}, &out, io.Discard); err != nil {
		t.Fatalf("facerec rename --json: %v", err)
	}
	var p contract.Person
	if err := json.Unmarshal(out.Bytes(), &p); err != nil || p.Person != "obama" || p.UserID != service.UserID("obama") {
		t.Errorf("facerec rename --json printed %s (%v)", out.String(), err)
	}
	if err := run(ctx, []string{"rename", "--endpoint", srv.url, "obama"}, io.Discard, io.Discard); err == nil {
		t.Error("rename with one name succeeded")
	}
}
