package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
)

// TestServe_faces lists faces by person and deletes one face of a group
// photo through the facerec faces and delete --face commands against
// `facerec serve`: the group keeps its other face, and a search no longer
// finds the deleted one.
func TestServe_faces(t *testing.T) {
	srv, c := serveAndUpload(t, t.TempDir(), upload{"obama_1.jpg", "obama"}, upload{"group_obama_biden.jpg", "group"})
	ctx := context.Background()
	waitIndexed(t, c, "obama_1.jpg")
	if st := waitIndexed(t, c, "group_obama_biden.jpg"); len(st.Faces) != 2 {
		t.Fatalf("group: %+v, want two faces", st)
	}

	cli := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(ctx, append([]string{args[0], "--endpoint", srv.url}, args[1:]...), &out, &errOut); err != nil {
			t.Fatalf("facerec %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return out.String()
	}
	var obama []contract.Face
	if err := json.Unmarshal([]byte(cli("faces", "--person", "obama", "--json")), &obama); err != nil || len(obama) != 1 || obama[0].Key != "index/obama_1.jpg" {
		t.Fatalf("faces of obama: %+v %v, want the one of obama_1.jpg", obama, err)
	}
	if table := cli("faces", "--limit", "1"); strings.Count(table, "index/") != 3 {
		t.Errorf("facerec faces --limit 1 printed\n%s\nwant the 3 faces", table)
	}

	var apiErr *client.APIError
	if _, err := c.ListFaces(ctx, "", 0, "!!"); !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest {
		t.Errorf("GET /faces?nextToken=!!: %v, want 400", err)
	}
	if _, err := c.ListFaces(ctx, "", 101, ""); !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest {
		t.Errorf("GET /faces?limit=101: %v, want 400", err)
	}

	groupMatch := func() string {
		t.Helper()
		res, err := c.Search(ctx, photos.MustRead("obama_2.jpg"), "image/jpeg")
		if err != nil || len(res.Faces) != 1 {
			t.Fatalf("search obama_2.jpg: %+v %v", res, err)
		}
		for _, m := range res.Faces[0].Matches {
			if m.Key == "index/group_obama_biden.jpg" {
				return m.FaceID
			}
		}
		return ""
	}
	gone := groupMatch()
	if gone == "" {
		t.Fatal("obama_2.jpg does not match the group photo before the delete")
	}
	cli("delete", "--face", gone)
	st, err := c.Status(ctx, "group_obama_biden.jpg")
	if err != nil || len(st.Faces) != 1 || st.Faces[0].FaceID == gone {
		t.Fatalf("group after the delete: %+v %v, want its other face only", st, err)
	}
	if id := groupMatch(); id != "" {
		t.Errorf("obama_2.jpg still matches face %s of the group photo", id)
	}
	if err := c.DeleteFace(ctx, gone); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("second delete of %s: %v, want 404", gone, err)
	}
}
