package offline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service"
)

// TestDeletePerson_leavesNothingOffline: on the local parts, once DELETE
// /persons/{person} answers 200, the person's name, its UserId, its
// FaceIds and its images' hashes are in no database bucket (the table,
// the collection, its users), no file of the data directory (objects,
// sidecars, queues) and not in the logs; an erasure record is kept, and
// the other person's image stays searchable.
func TestDeletePerson_leavesNothingOffline(t *testing.T) {
	logs := new(bytes.Buffer)
	l := testLocalLogging(t, slog.New(slog.NewJSONHandler(logs, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := l.Queue.Start(ctx, 1); err != nil {
		t.Fatal(err)
	}
	call := func(method, path, photo string) *httptest.ResponseRecorder {
		var body *bytes.Reader
		if photo != "" {
			body = bytes.NewReader(photos.MustRead(photo))
		} else {
			body = bytes.NewReader(nil)
		}
		req := httptest.NewRequest(method, path, body)
		req.Header.Set("Content-Type", "image/jpeg")
		rec := httptest.NewRecorder()
		l.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		return rec
	}
	const person = "Barack Obama"
	call(http.MethodPut, "/index/a.jpg?person=Barack%20Obama", "obama_2.jpg")
	call(http.MethodPut, "/index/b.jpg?person=Barack%20Obama", "obama_1.jpg")
	call(http.MethodPut, "/index/c.jpg?person=biden", "biden_2.jpg")
	if err := l.Queue.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	hash := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	secrets := []string{person, service.UserID(person), hash(photos.MustRead("obama_1.jpg")), hash(photos.MustRead("obama_2.jpg"))}
	faces, _, err := l.Table.ListFaces(ctx, person, contract.MaxFaceListLimit, "")
	if err != nil || len(faces) != 2 {
		t.Fatalf("the person's faces: %+v, %v; want 2", faces, err)
	}
	for _, f := range faces {
		secrets = append(secrets, f.FaceID)
	}
	if len(offlineLeftovers(t, l, logs, secrets)) == 0 {
		t.Fatal("the secrets are nowhere before the erasure, so the search proves nothing")
	}

	call(http.MethodDelete, "/persons/Barack%20Obama", "")
	if err := l.Queue.Drain(ctx); err != nil { // the deletes' notifications
		t.Fatal(err)
	}
	if found := offlineLeftovers(t, l, logs, secrets); len(found) > 0 {
		t.Errorf("after the erasure:\n%s", strings.Join(found, "\n"))
	}
	if recs, err := l.Table.Erasures(); err != nil || len(recs) != 1 || recs[0].Faces != 2 || len(recs[0].Keys) != 2 {
		t.Errorf("erasure records %+v, %v; want one of 2 faces and 2 keys", recs, err)
	}
	rec := call(http.MethodPost, "/search", "biden_2.jpg")
	if !strings.Contains(rec.Body.String(), "index/c.jpg") {
		t.Errorf("search for the other person: %s", rec.Body)
	}
}

// offlineLeftovers searches every bucket of the database, every file of
// the data directory (and the SHA-256 of each) and the logs for secrets;
// occurrences of except (allowed to stay) are cut out of the text first.
func offlineLeftovers(t *testing.T, l *Local, logs *bytes.Buffer, secrets []string, except ...string) []string {
	t.Helper()
	var found []string
	look := func(where, text string) {
		for _, e := range except {
			text = strings.ReplaceAll(text, e, "")
		}
		for _, s := range secrets {
			if strings.Contains(text, s) {
				found = append(found, where+" holds "+s)
			}
		}
	}
	err := l.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				look("database bucket "+string(name), string(k)+" "+string(v))
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(l.Objects.dir)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "facerec.db" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		look("file "+path, string(b)+" "+hex.EncodeToString(sum[:]))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	look("logs", logs.String())
	return found
}

// TestSweep_dropsExpiredTombstonesOffline: the local table has no TTL
// process; the sweeper drops the tombstones whose time to live has passed
// and keeps the others.
func TestSweep_dropsExpiredTombstonesOffline(t *testing.T) {
	l := testLocal(t)
	ctx := t.Context()
	old := service.ImageItem{Bucket: BucketName, Key: "index/old.jpg", Status: service.StatusRemoved, Version: 3, ExpiresAt: time.Now().Add(-time.Hour)}
	fresh := service.ImageItem{Bucket: BucketName, Key: "index/fresh.jpg", Status: service.StatusRemoved, Version: 1, ExpiresAt: time.Now().Add(time.Hour)}
	for _, img := range []service.ImageItem{old, fresh} {
		if err := l.Table.PutImage(ctx, img, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Sweep(ctx); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	if img, err := l.Table.GetImage(ctx, BucketName, old.Key); err != nil || img != nil {
		t.Errorf("expired tombstone: %+v, %v; want dropped", img, err)
	}
	if img, err := l.Table.GetImage(ctx, BucketName, fresh.Key); err != nil || img == nil {
		t.Errorf("live tombstone: %+v, %v; want kept", img, err)
	}
}
