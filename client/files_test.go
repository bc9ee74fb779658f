package client

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// writeFiles creates files named like the keys of files with their
// contents in dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestIndexFilesDirectoryAndWait(t *testing.T) {
	f, c := newFake(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.jpg":     "faces:1",
		"b.JPEG":    "faces:2",
		"c.png":     "not a face",
		"notes.txt": "faces:9",
	})
	// Subdirectories are walked; files are stored under their base name.
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, filepath.Join(dir, "sub"), map[string]string{"d.jpg": "faces:1", "a.jpg": "faces:1", "readme.md": "faces:1"})
	if err := os.Symlink(filepath.Join(dir, "sub"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	s, err := IndexFiles(context.Background(), c, []string{dir}, IndexOptions{
		Person:       "ann",
		Concurrency:  2,
		Progress:     &progress,
		Wait:         true,
		PollInterval: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	counts := s
	counts.Files, counts.SkippedFiles = nil, nil
	if want := (Summary{Uploaded: 4, Failed: 1, Skipped: 3, Waited: true, Indexed: 3, Rejected: 1, Faces: 4}); !reflect.DeepEqual(counts, want) {
		t.Errorf("summary counts = %+v, want %+v", counts, want)
	}
	wantFiles := map[string]FileResult{
		"a.jpg":     {Key: "index/a.jpg", Status: "indexed", Faces: 1},
		"b.JPEG":    {Key: "index/b.JPEG", Status: "indexed", Faces: 2},
		"c.png":     {Key: "index/c.png", Status: "rejected", Reason: "no face in the image"},
		"sub/d.jpg": {Key: "index/d.jpg", Status: "indexed", Faces: 1},
	}
	if len(s.Files) != len(wantFiles)+1 {
		t.Fatalf("%d files, want %d", len(s.Files), len(wantFiles)+1)
	}
	for _, r := range s.Files {
		rel, _ := filepath.Rel(dir, r.Path)
		if rel == "sub/a.jpg" {
			if r.Err == nil || !strings.Contains(r.Err.Error(), "same filename as") {
				t.Errorf("sub/a.jpg: %+v, want refused for its base name", r)
			}
			continue
		}
		w := wantFiles[rel]
		w.Path = r.Path
		if r != w {
			t.Errorf("file = %+v, want %+v", r, w)
		}
	}
	wantSkipped := []SkippedFile{
		{filepath.Join(dir, "link"), "a symbolic link to a directory; not followed"},
		{filepath.Join(dir, "notes.txt"), "not a .jpg, .jpeg or .png file"},
		{filepath.Join(dir, "sub", "readme.md"), "not a .jpg, .jpeg or .png file"},
	}
	if !reflect.DeepEqual(s.SkippedFiles, wantSkipped) {
		t.Errorf("skipped = %+v, want %+v", s.SkippedFiles, wantSkipped)
	}
	f.mu.Lock()
	for name, img := range f.images {
		if img.person != "ann" {
			t.Errorf("%s stored for %q, want ann", name, img.person)
		}
	}
	f.mu.Unlock()
	if p := progress.String(); !strings.Contains(p, "uploading") || !strings.Contains(p, "processing") || !strings.Contains(p, "4/4") {
		t.Errorf("progress = %q, want both bars complete", p)
	}

	var out bytes.Buffer
	s.Print(&out)
	for _, want := range []string{
		`(?m)^4 uploaded, 1 failed, 3 skipped$`,
		`(?m)^3 indexed \(4 faces\), 1 rejected, 0 still pending$`,
		`(?m)notes\.txt +skipped +not a \.jpg, \.jpeg or \.png file$`,
		`(?m)link +skipped +a symbolic link to a directory; not followed$`,
		`(?m)sub/a\.jpg +error +same filename as`,
		`(?m)a\.jpg +indexed +1 face$`,
		`(?m)b\.JPEG +indexed +2 faces$`,
		`(?m)c\.png +rejected +no face in the image$`,
	} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("summary does not match %s:\n%s", want, out.String())
		}
	}
}

func TestIndexFilesWaitTimeout(t *testing.T) {
	f, c := newFake(t)
	f.neverIndex = true
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.jpg": "faces:1"})
	s, err := IndexFiles(context.Background(), c, []string{dir}, IndexOptions{
		Wait:         true,
		WaitTimeout:  20 * time.Millisecond,
		PollInterval: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.Uploaded != 1 || s.Pending != 1 || s.Indexed != 0 || s.Files[0].Err != nil || s.Files[0].Status != "pending" {
		t.Errorf("summary = %+v, want 1 uploaded still pending without error", s)
	}
	var out bytes.Buffer
	s.Print(&out)
	if !strings.Contains(out.String(), "not processed within the wait timeout") {
		t.Errorf("summary = %q", out.String())
	}
}

func TestIndexFilesExplicitFilesAndDuplicates(t *testing.T) {
	f, c := newFake(t)
	d1, d2 := t.TempDir(), t.TempDir()
	writeFiles(t, d1, map[string]string{"same.jpg": "faces:1", "notes.txt": "text"})
	writeFiles(t, d2, map[string]string{"same.jpg": "faces:2"})
	paths := []string{filepath.Join(d1, "same.jpg"), filepath.Join(d2, "same.jpg"), filepath.Join(d1, "notes.txt")}
	s, err := IndexFiles(context.Background(), c, paths, IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Uploaded != 2 || s.Failed != 1 || s.Skipped != 0 || s.Waited || s.Pending != 0 {
		t.Errorf("summary = %+v, want 2 uploaded, 1 failed", s)
	}
	if s.Files[1].Err == nil || s.Files[1].Key != "" {
		t.Errorf("duplicate = %+v, want an error and no key", s.Files[1])
	}
	if got := f.contentTypes(); len(got) != 2 || got[0] != "image/jpeg" && got[1] != "image/jpeg" {
		t.Errorf("Content-Types = %q, want one image/jpeg upload and one other", got)
	}
	f.mu.Lock()
	if img := f.images["same.jpg"]; img == nil || img.body != "faces:1" {
		t.Errorf("same.jpg = %+v, want the first file's content", img)
	}
	f.mu.Unlock()
	var out bytes.Buffer
	s.Print(&out)
	if !strings.Contains(out.String(), "error") || !strings.Contains(out.String(), "same filename as") {
		t.Errorf("summary = %q", out.String())
	}
}

func TestIndexFilesUploadErrors(t *testing.T) {
	f, c := newFake(t)
	c.MaxAttempts = 1
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.jpg": "faces:1"})
	f.fail(failure{status: 415, code: "UNSUPPORTED_MEDIA_TYPE"})
	s, err := IndexFiles(context.Background(), c, []string{dir}, IndexOptions{Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.Uploaded != 0 || s.Failed != 1 || s.Pending != 0 || s.Files[0].Err == nil {
		t.Errorf("summary = %+v, want 1 failed", s)
	}
	if n := len(f.sent()); n != 1 {
		t.Errorf("%d requests, want the upload only", n)
	}
}

func TestIndexFilesMissingPath(t *testing.T) {
	f, c := newFake(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.jpg": "faces:1"})
	if _, err := IndexFiles(context.Background(), c, []string{dir, filepath.Join(dir, "missing")}, IndexOptions{}); err == nil {
		t.Fatal("no error for a missing path")
	}
	if n := len(f.sent()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

func TestContentType(t *testing.T) {
	for name, want := range map[string]string{
		"a.jpg": "image/jpeg", "b.JPEG": "image/jpeg", "dir/c.png": "image/png",
		"d.gif": "application/octet-stream", "jpg": "application/octet-stream",
	} {
		if got := ContentType(name); got != want {
			t.Errorf("ContentType(%q) = %q, want %q", name, got, want)
		}
	}
}
