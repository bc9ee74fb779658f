package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestServe_reuploadWithAnotherPersonWaits: `facerec index --wait` of the
// same photo with another person waits for its own run, so that `facerec
// faces --person NEW` right after finds the face; an upload without a
// person then leaves the image without one.
func TestServe_reuploadWithAnotherPersonWaits(t *testing.T) {
	srv := startServe(t, t.TempDir())
	photo := filepath.Join(photosDir, "obama_1.jpg")
	cli := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(context.Background(), append(args[:1:1], append([]string{"--endpoint", srv.url}, args[1:]...)...), &out, &errOut); err != nil {
			t.Fatalf("facerec %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return out.String()
	}
	for _, person := range []string{"Old Name", "New Name"} {
		cli("index", "--wait", "--person", person, photo)
		if out := cli("faces", "--person", person); !strings.Contains(out, person) || strings.Contains(out, "no faces") {
			t.Fatalf("after index --wait --person %q, faces --person: %s", person, out)
		}
	}
	if out := cli("faces", "--person", "Old Name"); !strings.Contains(out, "no faces") {
		t.Errorf("the old person keeps faces: %s", out)
	}
	cli("index", "--wait", photo)
	if out := cli("faces"); !strings.Contains(out, "obama_1.jpg") || strings.Contains(out, "New Name") {
		t.Errorf("after an upload without person, faces: %s", out)
	}
}
