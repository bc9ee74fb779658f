// Package tabletest is the conformance suite of service.FaceTable, in the
// style of go-cloud's drivertest packages: RunConformanceTests runs one set
// of subtests, each on a new empty table, that pins down the behaviour the
// FaceTable interface documents, so that every implementation (the
// DynamoDB adapter on the DynamoDB stand-in, the bbolt table of offline
// mode) is held to the same rules by one suite instead of by tests of its
// own.
//
// Where the interface leaves a choice to the implementation the suite
// allows every choice: pages may be short or empty while more follow, the
// order of listings and of ImageItem.FaceIDs (a DynamoDB string set) is
// free, nil and empty slices are alike, and FacesOfObject may miss writes
// for up to a few seconds (it reads an index).
//
// It is test support: only tests import it.
package tabletest

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// NewTable returns a new, empty table for the test t; whatever the table
// holds on to is released by t.Cleanup.
type NewTable func(t *testing.T) service.FaceTable

// RunConformanceTests runs the suite as subtests of t, each on its own
// table from newTable.
func RunConformanceTests(t *testing.T, newTable NewTable) {
	t.Helper()
	for _, c := range suite {
		t.Run(c.name, func(t *testing.T) { c.run(t, newTable(t)) })
	}
}

// suite is every behaviour RunConformanceTests checks, one subtest each.
var suite = []struct {
	name string
	run  func(t *testing.T, tb service.FaceTable)
}{
	{"EmptyTable", testEmptyTable},
	{"PutImage/Versions", testPutImageVersions},
	{"PutImage/ConcurrentWriters", testPutImageConcurrentWriters},
	{"ImageItem/RoundTrip", testImageRoundTrip},
	{"ImageItem/OnePerObject", testImageOnePerObject},
	{"FaceItem/RoundTrip", testFaceRoundTrip},
	{"PutFaces/Replaces", testPutFacesReplaces},
	{"OtherItemsAreNotFaces", testOtherItemsAreNotFaces},
	{"FacesOfObject", testFacesOfObject},
	{"DeleteItems", testDeleteItems},
	{"Batches", testBatches},
	{"RepeatedIDs", testRepeatedIDs},
	{"ListFaces/Paging", testListFacesPaging},
	{"ListFaces/TokenOfADeletedFace", testListFacesTokenOfADeletedFace},
	{"InvalidTokens", testInvalidTokens},
	{"Persons", testPersons},
	{"Erasure", testErasure},
	{"SweepMarks", testSweepMarks},
	{"CountImages", testCountImages},
	{"Aliases", testAliases},
	{"RelabelFaces", testRelabelFaces},
	{"ReplacePerson", testReplacePerson},
}

// indexLag bounds how long the suite waits for FacesOfObject to show the
// writes before it: the interface says that it may miss writes of the
// last second or so.
const indexLag = 3 * time.Second

// The buckets of the suite's items.
const (
	bucket      = "photos-bucket"
	otherBucket = "other-bucket"
)

// t0 is the IndexedAt of the suite's items: UTC, with nanoseconds.
var t0 = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

// face returns a face item with every field set, of the object
// bucket/key and of person ("" for none).
func face(id, bucket, key, person string) service.FaceItem {
	return service.FaceItem{
		FaceID:          id,
		ImageID:         "image-of-" + id,
		ExternalImageID: "index_photo.jpg",
		BoundingBox:     contract.BoundingBox{Width: 0.25, Height: 0.5, Left: 0.125, Top: 0.0625},
		Confidence:      99.87654321,
		Attributes: contract.FaceAttributes{
			Landmarks: []contract.Landmark{{Type: "eyeLeft", X: 0.2, Y: 0.25}, {Type: "nose", X: 0.25, Y: 0.375}},
			Pose:      &contract.Pose{Roll: -3.5, Yaw: 12.25, Pitch: 0},
			Quality:   &contract.Quality{Brightness: 61.5, Sharpness: 0},
		},
		Bucket:        bucket,
		Key:           key,
		ETag:          `"9b2cf535f27731c974343645a3985328"`,
		ContentSHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		Person:        person,
		IndexedAt:     t0,
		TargetVersion: 1,
		CollectionID:  "faces-v2",
	}
}

// image returns an indexed image item of bucket/key at version, naming
// faceIDs.
func image(bucket, key string, version int, faceIDs ...string) service.ImageItem {
	return service.ImageItem{
		Bucket:        bucket,
		Key:           key,
		ETag:          `"9b2cf535f27731c974343645a3985328"`,
		ContentSHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		Status:        contract.StatusIndexed,
		FaceCount:     len(faceIDs),
		FaceIDs:       faceIDs,
		Version:       version,
		RunID:         fmt.Sprintf("run-%d", version),
		IndexedAt:     t0,
	}
}

// testEmptyTable: a new table holds nothing: the reads find nothing and
// the listings list nothing.
func testEmptyTable(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	if img, err := tb.GetImage(ctx, bucket, "index/a.jpg"); err != nil || img != nil {
		t.Errorf("GetImage: %+v, %v; want nil, nil", img, err)
	}
	if f, err := tb.GetFace(ctx, "f1"); err != nil || f != nil {
		t.Errorf("GetFace: %+v, %v; want nil, nil", f, err)
	}
	for _, ids := range [][]string{nil, {"f1", "f2"}} {
		if got, err := tb.GetFaces(ctx, ids); err != nil || len(got) != 0 {
			t.Errorf("GetFaces(%q): %v, %v; want none", ids, got, err)
		}
	}
	for _, ids := range [][]string{nil, {"u1"}} {
		if got, err := tb.GetPersons(ctx, ids); err != nil || len(got) != 0 {
			t.Errorf("GetPersons(%q): %v, %v; want none", ids, got, err)
		}
	}
	wantFacesOfObject(t, tb, bucket, "index/a.jpg")
	wantFaceList(t, tb, "", 10)
	wantFaceList(t, tb, "Ann", 10)
	wantPersonList(t, tb, 10)
}

// testPutImageVersions: PutImage writes only over the version it names
// (0: none stored), else fails with ErrVersionConflict and leaves the
// stored item as it was.
func testPutImageVersions(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	steps := []struct {
		name              string
		prev, version     int
		status            string
		conflict          bool
		storedVersion     int // 0: none stored
		storedRunIDOfStep string
	}{
		{name: "update of an item never stored", prev: 1, version: 2, conflict: true},
		{name: "create", prev: 0, version: 1, storedVersion: 1, storedRunIDOfStep: "create"},
		{name: "create over a stored item", prev: 0, version: 1, conflict: true, storedVersion: 1, storedRunIDOfStep: "create"},
		{name: "update from the stored version", prev: 1, version: 2, storedVersion: 2, storedRunIDOfStep: "update from the stored version"},
		{name: "update from an older version", prev: 1, version: 2, conflict: true, storedVersion: 2, storedRunIDOfStep: "update from the stored version"},
		{name: "update from a later version", prev: 3, version: 4, conflict: true, storedVersion: 2, storedRunIDOfStep: "update from the stored version"},
		{name: "tombstone", prev: 2, version: 3, status: service.StatusRemoved, storedVersion: 3, storedRunIDOfStep: "tombstone"},
		{name: "create over a tombstone", prev: 0, version: 1, conflict: true, storedVersion: 3, storedRunIDOfStep: "tombstone"},
		{name: "update of a tombstone", prev: 3, version: 4, storedVersion: 4, storedRunIDOfStep: "update of a tombstone"},
	}
	for _, s := range steps {
		img := image(bucket, "index/a.jpg", s.version, "f1")
		img.RunID = s.name
		if s.status != "" {
			img.Status, img.FaceIDs, img.FaceCount = s.status, nil, 0
		}
		err := tb.PutImage(ctx, img, s.prev)
		if s.conflict && !errors.Is(err, service.ErrVersionConflict) {
			t.Errorf("%s: PutImage(version %d, prev %d): %v, want ErrVersionConflict", s.name, s.version, s.prev, err)
		}
		if !s.conflict && err != nil {
			t.Errorf("%s: PutImage(version %d, prev %d): %v", s.name, s.version, s.prev, err)
		}
		got, err := tb.GetImage(ctx, bucket, "index/a.jpg")
		switch {
		case err != nil:
			t.Fatalf("%s: GetImage: %v", s.name, err)
		case s.storedVersion == 0 && got != nil:
			t.Errorf("%s: stored %+v, want nothing", s.name, got)
		case s.storedVersion != 0 && (got == nil || got.Version != s.storedVersion || got.RunID != s.storedRunIDOfStep):
			t.Errorf("%s: stored %+v, want version %d of step %q", s.name, got, s.storedVersion, s.storedRunIDOfStep)
		}
	}
}

// testPutImageConcurrentWriters: of writers racing from the same version,
// exactly one commits; the others get ErrVersionConflict.
func testPutImageConcurrentWriters(t *testing.T, tb service.FaceTable) {
	const writers = 8
	for _, c := range []struct {
		name string
		prev int // version stored before the race (0: none)
	}{{"create", 0}, {"update", 1}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := t.Context()
			key := "index/race-" + c.name + ".jpg"
			if c.prev > 0 {
				if err := tb.PutImage(ctx, image(bucket, key, c.prev), 0); err != nil {
					t.Fatal(err)
				}
			}
			start := make(chan struct{})
			errs := make([]error, writers)
			var wg sync.WaitGroup
			for i := range writers {
				wg.Go(func() {
					img := image(bucket, key, c.prev+1)
					img.RunID = fmt.Sprintf("writer-%d", i)
					<-start
					errs[i] = tb.PutImage(ctx, img, c.prev)
				})
			}
			close(start)
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil && winner >= 0:
					t.Errorf("writers %d and %d both committed", winner, i)
				case err == nil:
					winner = i
				case !errors.Is(err, service.ErrVersionConflict):
					t.Errorf("writer %d: %v, want nil or ErrVersionConflict", i, err)
				}
			}
			if winner < 0 {
				t.Fatal("no writer committed")
			}
			got, err := tb.GetImage(ctx, bucket, key)
			if err != nil || got == nil || got.RunID != fmt.Sprintf("writer-%d", winner) || got.Version != c.prev+1 {
				t.Errorf("stored %+v, %v; want version %d of writer %d", got, err, c.prev+1, winner)
			}
		})
	}
}

// testImageRoundTrip: GetImage returns every field PutImage wrote, and the
// item, whatever its Version, is there for the next PutImage.
func testImageRoundTrip(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	indexed := image(bucket, "index/Jane Doe+1 日本.jpg", 1, "3f1a7b2e-0000-4000-8000-000000000001", "3f1a7b2e-0000-4000-8000-000000000002", "3f1a7b2e-0000-4000-8000-000000000003")
	indexed.UnindexedReasons = []string{"LOW_SHARPNESS", "EXCEEDS_MAX_FACES", "LOW_SHARPNESS"}
	indexed.Person = "Jane Doe"
	indexed.CollectionID = "faces-v2"
	indexed.RunID = "0b9e8f5c-8f0e-4f4e-9d6a-1c2b3a4d5e6f"
	rejected := service.ImageItem{Bucket: bucket, Key: "index/rocket.png", ETag: `"e"`, ContentSHA256: "ab", Status: contract.StatusRejected, Reason: "no face found in the image", UnindexedReasons: []string{"LOW_CONFIDENCE"}, Version: 7, RunID: "r", IndexedAt: t0.Add(time.Hour)}
	for _, want := range []service.ImageItem{
		indexed,
		rejected,
		{Bucket: bucket, Key: "index/gone.jpg", Status: service.StatusRemoved, Version: 1, RunID: "r", IndexedAt: t0},
		{Bucket: bucket, Key: "index/zero.jpg"},
	} {
		if err := tb.PutImage(ctx, want, 0); err != nil {
			t.Fatalf("PutImage(%s): %v", want.Key, err)
		}
		got, err := tb.GetImage(ctx, want.Bucket, want.Key)
		if err != nil || got == nil {
			t.Fatalf("GetImage(%s): %+v, %v", want.Key, got, err)
		}
		if d := diffImage(*got, want); d != "" {
			t.Errorf("GetImage(%s) %s", want.Key, d)
		}
		// Version 0 names no stored item, even one stored with Version 0.
		if err := tb.PutImage(ctx, want, 0); !errors.Is(err, service.ErrVersionConflict) {
			t.Errorf("PutImage(%s) again from version 0: %v, want ErrVersionConflict", want.Key, err)
		}
	}
}

// testImageOnePerObject: image items are kept per bucket and key, and are
// not made by PutFaces.
func testImageOnePerObject(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	a, other := image(bucket, "index/a.jpg", 1), image(otherBucket, "index/a.jpg", 1)
	other.RunID = "other"
	if err := tb.PutFaces(ctx, []service.FaceItem{face("f1", bucket, "index/b.jpg", "")}); err != nil {
		t.Fatal(err)
	}
	for _, img := range []service.ImageItem{a, other} {
		if err := tb.PutImage(ctx, img, 0); err != nil {
			t.Fatalf("PutImage(%s/%s): %v", img.Bucket, img.Key, err)
		}
	}
	for _, c := range []struct {
		bucket, key string
		want        *service.ImageItem
	}{
		{bucket, "index/a.jpg", &a},
		{otherBucket, "index/a.jpg", &other},
		{bucket, "index/a", nil},
		{bucket, "index/a.jpg.bak", nil},
		{bucket, "index/b.jpg", nil}, // faces but no image item
	} {
		got, err := tb.GetImage(ctx, c.bucket, c.key)
		switch {
		case err != nil:
			t.Errorf("GetImage(%s/%s): %v", c.bucket, c.key, err)
		case c.want == nil && got != nil:
			t.Errorf("GetImage(%s/%s) = %+v, want nil", c.bucket, c.key, got)
		case c.want != nil && got == nil:
			t.Errorf("GetImage(%s/%s) = nil, want %+v", c.bucket, c.key, c.want)
		case c.want != nil:
			if d := diffImage(*got, *c.want); d != "" {
				t.Errorf("GetImage(%s/%s) %s", c.bucket, c.key, d)
			}
		}
	}
}

// testFaceRoundTrip: GetFace, GetFaces, FacesOfObject and ListFaces
// return every field PutFaces wrote.
func testFaceRoundTrip(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	full := face("3f1a7b2e-0000-4000-8000-000000000001", bucket, "index/Jane Doe+1 日本.jpg", "Jane Doe")
	full.TargetVersion = 7
	later := face("3f1a7b2e-0000-4000-8000-000000000002", bucket, "index/Jane Doe+1 日本.jpg", "")
	later.IndexedAt, later.BoundingBox, later.Confidence = t0.Add(36*time.Hour+time.Nanosecond), contract.BoundingBox{Width: 1, Height: 1}, 50
	bare := service.FaceItem{FaceID: "3f1a7b2e-0000-4000-8000-000000000003", Bucket: bucket, Key: "index/bare.jpg"}
	faces := []service.FaceItem{full, later, bare}
	if err := tb.PutFaces(ctx, faces); err != nil {
		t.Fatal(err)
	}
	for _, want := range faces {
		got, err := tb.GetFace(ctx, want.FaceID)
		if err != nil || got == nil {
			t.Fatalf("GetFace(%s): %+v, %v", want.FaceID, got, err)
		}
		if d := diffFace(*got, want); d != "" {
			t.Errorf("GetFace(%s) %s", want.FaceID, d)
		}
	}
	got, err := tb.GetFaces(ctx, []string{full.FaceID, later.FaceID, bare.FaceID})
	if err != nil {
		t.Fatal(err)
	}
	if d := diffFaceMap(got, faces); d != "" {
		t.Errorf("GetFaces: %s", d)
	}
	wantFacesOfObject(t, tb, bucket, full.Key, full, later)
	wantFaceList(t, tb, "", 2, faces...)
	wantFaceList(t, tb, "Jane Doe", 2, full)
}

// testPutFacesReplaces: PutFaces of a stored FaceId replaces the item,
// for every read, the indexes included.
func testPutFacesReplaces(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	old := face("f1", bucket, "index/a.jpg", "Ann")
	stays := face("f2", bucket, "index/a.jpg", "Ann")
	if err := tb.PutFaces(ctx, []service.FaceItem{old, stays}); err != nil {
		t.Fatal(err)
	}
	wantFacesOfObject(t, tb, bucket, "index/a.jpg", old, stays)
	moved := face("f1", otherBucket, "index/b.jpg", "Bob")
	moved.TargetVersion, moved.Confidence, moved.IndexedAt = 2, 90, t0.Add(time.Minute)
	if err := tb.PutFaces(ctx, []service.FaceItem{moved}); err != nil {
		t.Fatal(err)
	}
	if got, err := tb.GetFace(ctx, "f1"); err != nil || got == nil {
		t.Errorf("GetFace: %+v, %v", got, err)
	} else if d := diffFace(*got, moved); d != "" {
		t.Errorf("GetFace after the replace %s", d)
	}
	wantFacesOfObject(t, tb, bucket, "index/a.jpg", stays)
	wantFacesOfObject(t, tb, otherBucket, "index/b.jpg", moved)
	wantFaceList(t, tb, "", 1, moved, stays)
	wantFaceList(t, tb, "Ann", 1, stays)
	wantFaceList(t, tb, "Bob", 1, moved)
}

// testOtherItemsAreNotFaces: image and person items, which share the
// table's key space on DynamoDB, are no faces for GetFace, GetFaces,
// FacesOfObject and ListFaces, and faces are no persons.
func testOtherItemsAreNotFaces(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	f := face("f1", bucket, "index/a.jpg", "Ann")
	img := image(bucket, "index/a.jpg", 1, "f1")
	img.Person = "Ann"
	if err := tb.PutFaces(ctx, []service.FaceItem{f}); err != nil {
		t.Fatal(err)
	}
	if err := tb.PutImage(ctx, img, 0); err != nil {
		t.Fatal(err)
	}
	if err := tb.PutPerson(ctx, service.PersonItem{Person: "Ann", UserID: "u1"}); err != nil {
		t.Fatal(err)
	}
	notFaces := []string{service.ImageItemID(bucket, "index/a.jpg"), service.PersonItemID("u1"), "unknown"}
	for _, id := range notFaces {
		if got, err := tb.GetFace(ctx, id); err != nil || got != nil {
			t.Errorf("GetFace(%q) = %+v, %v; want nil, nil", id, got, err)
		}
	}
	got, err := tb.GetFaces(ctx, append(notFaces, "f1"))
	if err != nil {
		t.Fatal(err)
	}
	if d := diffFaceMap(got, []service.FaceItem{f}); d != "" {
		t.Errorf("GetFaces: %s", d)
	}
	wantFacesOfObject(t, tb, bucket, "index/a.jpg", f)
	wantFaceList(t, tb, "", 1, f)
	wantFaceList(t, tb, "Ann", 1, f)
	wantPersonList(t, tb, 1, service.PersonItem{Person: "Ann", UserID: "u1"})
	if got, err := tb.GetPersons(ctx, []string{"f1", "u1"}); err != nil || len(got) != 1 || got["u1"].Person != "Ann" {
		t.Errorf("GetPersons = %v, %v; want u1 only", got, err)
	}
}

// testFacesOfObject: FacesOfObject returns the faces of one bucket and
// key: not those of the key in another bucket, nor of keys that share a
// prefix with it.
func testFacesOfObject(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	a1, a2 := face("a1", bucket, "index/a.jpg", "Ann"), face("a2", bucket, "index/a.jpg", "")
	inOther := face("a3", otherBucket, "index/a.jpg", "Ann")
	longer, shorter := face("a4", bucket, "index/a.jpg.bak", ""), face("a5", bucket, "index/a", "")
	if err := tb.PutFaces(ctx, []service.FaceItem{a1, a2, inOther, longer, shorter}); err != nil {
		t.Fatal(err)
	}
	wantFacesOfObject(t, tb, bucket, "index/a.jpg", a1, a2)
	wantFacesOfObject(t, tb, otherBucket, "index/a.jpg", inOther)
	wantFacesOfObject(t, tb, bucket, "index/a.jpg.bak", longer)
	wantFacesOfObject(t, tb, bucket, "index/a", shorter)
	wantFacesOfObject(t, tb, bucket, "index/none.jpg")
	if err := tb.DeleteItems(ctx, []string{"a1"}); err != nil {
		t.Fatal(err)
	}
	wantFacesOfObject(t, tb, bucket, "index/a.jpg", a2)
}

// testDeleteItems: DeleteItems deletes items of any kind by their
// partition key and ignores unknown ids.
func testDeleteItems(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	f1, f2 := face("f1", bucket, "index/a.jpg", "Ann"), face("f2", bucket, "index/a.jpg", "Ann")
	f3 := face("f3", bucket, "index/other.jpg", "Ann")
	if err := tb.PutFaces(ctx, []service.FaceItem{f1, f2, f3}); err != nil {
		t.Fatal(err)
	}
	wantFacesOfObject(t, tb, bucket, "index/a.jpg", f1, f2)
	if err := tb.PutImage(ctx, image(bucket, "index/a.jpg", 1, "f1", "f2"), 0); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"u1", "u2"} {
		if err := tb.PutPerson(ctx, service.PersonItem{Person: "Ann", UserID: u}); err != nil {
			t.Fatal(err)
		}
	}
	for _, ids := range [][]string{nil, {}, {"unknown", service.ImageItemID(bucket, "index/none.jpg"), service.PersonItemID("none")}} {
		if err := tb.DeleteItems(ctx, ids); err != nil {
			t.Errorf("DeleteItems(%q): %v", ids, err)
		}
	}
	ids := []string{"unknown", "f1", service.ImageItemID(bucket, "index/none.jpg"), service.ImageItemID(bucket, "index/a.jpg"), "f2", service.PersonItemID("u1")}
	if err := tb.DeleteItems(ctx, ids); err != nil {
		t.Fatalf("DeleteItems(%q): %v", ids, err)
	}
	for _, id := range []string{"f1", "f2"} {
		if got, err := tb.GetFace(ctx, id); err != nil || got != nil {
			t.Errorf("GetFace(%s) after the delete: %+v, %v", id, got, err)
		}
	}
	got, err := tb.GetFaces(ctx, []string{"f1", "f2", "f3"})
	if err != nil {
		t.Fatal(err)
	}
	if d := diffFaceMap(got, []service.FaceItem{f3}); d != "" {
		t.Errorf("GetFaces after the delete: %s", d)
	}
	if img, err := tb.GetImage(ctx, bucket, "index/a.jpg"); err != nil || img != nil {
		t.Errorf("GetImage after the delete of its item: %+v, %v", img, err)
	}
	if got, err := tb.GetPersons(ctx, []string{"u1", "u2"}); err != nil || len(got) != 1 || got["u2"].UserID != "u2" {
		t.Errorf("GetPersons after the delete of u1's item: %v, %v; want u2 only", got, err)
	}
	wantFacesOfObject(t, tb, bucket, "index/a.jpg")
	wantFacesOfObject(t, tb, bucket, "index/other.jpg", f3)
	wantFaceList(t, tb, "", 2, f3)
	wantFaceList(t, tb, "Ann", 2, f3)
	wantPersonList(t, tb, 2, service.PersonItem{Person: "Ann", UserID: "u2"})
}

// testBatches: PutFaces, GetFaces and DeleteItems take more items than
// one DynamoDB batch holds (25 writes, 100 reads).
func testBatches(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	var faces []service.FaceItem
	var ids []string
	for i := range 130 {
		f := face(fmt.Sprintf("f%03d", i), bucket, fmt.Sprintf("index/%d.jpg", i%3), "")
		faces, ids = append(faces, f), append(ids, f.FaceID)
	}
	if err := tb.PutFaces(ctx, faces); err != nil {
		t.Fatal(err)
	}
	got, err := tb.GetFaces(ctx, append([]string{"unknown1", "unknown2"}, ids...))
	if err != nil {
		t.Fatal(err)
	}
	if d := diffFaceMap(got, faces); d != "" {
		t.Errorf("GetFaces: %s", d)
	}
	wantFaceList(t, tb, "", 100, faces...)
	var ofFirst []service.FaceItem // the faces of index/0.jpg
	for i := 0; i < len(faces); i += 3 {
		ofFirst = append(ofFirst, faces[i])
	}
	wantFacesOfObject(t, tb, bucket, "index/0.jpg", ofFirst...)
	if err := tb.DeleteItems(ctx, append(ids, "unknown")); err != nil {
		t.Fatal(err)
	}
	if got, err := tb.GetFaces(ctx, ids); err != nil || len(got) != 0 {
		t.Errorf("GetFaces after the delete: %d faces, %v; want none", len(got), err)
	}
	wantFaceList(t, tb, "", 100)
	wantFacesOfObject(t, tb, bucket, "index/0.jpg")
}

// testRepeatedIDs: an id given twice in one call is no error: PutFaces
// keeps the later item, GetFaces and GetPersons return it once, and
// DeleteItems deletes it.
func testRepeatedIDs(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	first, f2 := face("f1", bucket, "index/a.jpg", "Ann"), face("f2", bucket, "index/a.jpg", "Ann")
	later := first
	later.Confidence, later.TargetVersion = 42, 2
	if err := tb.PutFaces(ctx, []service.FaceItem{first, f2, later}); err != nil {
		t.Fatalf("PutFaces with FaceId f1 twice: %v", err)
	}
	got, err := tb.GetFaces(ctx, []string{"f1", "f1", "f2", "unknown", "unknown"})
	if err != nil {
		t.Fatalf("GetFaces with repeated ids: %v", err)
	}
	if d := diffFaceMap(got, []service.FaceItem{later, f2}); d != "" {
		t.Errorf("GetFaces with repeated ids: %s", d)
	}
	if err := tb.PutPerson(ctx, service.PersonItem{Person: "Ann", UserID: "u1"}); err != nil {
		t.Fatal(err)
	}
	persons, err := tb.GetPersons(ctx, []string{"u1", "u1", "unknown", "unknown"})
	if err != nil || !reflect.DeepEqual(persons, map[string]service.PersonItem{"u1": {Person: "Ann", UserID: "u1"}}) {
		t.Errorf("GetPersons with repeated ids: %v, %v; want u1", persons, err)
	}
	if err := tb.DeleteItems(ctx, []string{"f1", "f1", "unknown", "unknown"}); err != nil {
		t.Fatalf("DeleteItems with repeated ids: %v", err)
	}
	if got, err = tb.GetFaces(ctx, []string{"f1", "f2"}); err != nil {
		t.Fatal(err)
	}
	if d := diffFaceMap(got, []service.FaceItem{f2}); d != "" {
		t.Errorf("GetFaces after DeleteItems with repeated ids: %s", d)
	}
}

// testListFacesPaging: ListFaces and ListPersons list every item of their
// kind (of the person asked) exactly once, whatever the limit, in pages of
// at most limit items, and end with the token "".
func testListFacesPaging(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	var all, ann, bob []service.FaceItem
	for i, person := range []string{"Ann", "Bob", "", "Ann", "Ann Lee", "Bob", "", "Ann", "", "Bob", "Ann", "", "ann", "Ann"} {
		f := face(fmt.Sprintf("f%02d", i), bucket, fmt.Sprintf("index/%d.jpg", i%4), person)
		all = append(all, f)
		switch person {
		case "Ann":
			ann = append(ann, f)
		case "Bob":
			bob = append(bob, f)
		}
	}
	if err := tb.PutFaces(ctx, all); err != nil {
		t.Fatal(err)
	}
	for i, person := range []string{"Ann", "Bob", ""} {
		img := image(bucket, fmt.Sprintf("index/%d.jpg", i), 1)
		img.Person = person
		if err := tb.PutImage(ctx, img, 0); err != nil {
			t.Fatal(err)
		}
	}
	persons := []service.PersonItem{{Person: "Ann", UserID: "u1"}, {Person: "Bob", UserID: "u2"}, {Person: "Ann Lee", UserID: "u3"}, {Person: "ann", UserID: "u4"}}
	for _, p := range persons {
		if err := tb.PutPerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, limit := range []int{1, 2, 3, 5, 100} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			wantFaceList(t, tb, "", limit, all...)
			wantFaceList(t, tb, "Ann", limit, ann...)
			wantFaceList(t, tb, "Bob", limit, bob...)
			wantFaceList(t, tb, "Nobody", limit)
			wantPersonList(t, tb, limit, persons...)
		})
	}
}

// testListFacesTokenOfADeletedFace: a page token stays valid when the
// faces of its page are deleted before the next page is read.
func testListFacesTokenOfADeletedFace(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	for _, person := range []string{"", "Ann"} {
		var faces []service.FaceItem
		var ids []string
		for i := range 6 {
			f := face(fmt.Sprintf("%s-f%d", person, i), bucket, "index/a.jpg", person)
			faces, ids = append(faces, f), append(ids, f.FaceID)
		}
		if err := tb.PutFaces(ctx, faces); err != nil {
			t.Fatal(err)
		}
		var seen []string
		token := ""
		for len(seen) == 0 {
			page, next, err := tb.ListFaces(ctx, person, 2, token)
			if err != nil {
				t.Fatalf("ListFaces(%q): %v", person, err)
			}
			if next == "" {
				t.Fatalf("ListFaces(%q) of 6 faces by 2 ended after %d", person, len(page))
			}
			for _, f := range page {
				seen = append(seen, f.FaceID)
			}
			token = next
		}
		if err := tb.DeleteItems(ctx, seen); err != nil {
			t.Fatal(err)
		}
		rest := slices.DeleteFunc(slices.Clone(faces), func(f service.FaceItem) bool { return slices.Contains(seen, f.FaceID) })
		got := pageAll(t, fmt.Sprintf("ListFaces(%q) after deleting %q", person, seen), 2, token, func(token string) ([]service.FaceItem, string, error) {
			return tb.ListFaces(ctx, person, 2, token)
		}, func(f service.FaceItem) string { return f.FaceID })
		if d := diffFaceMap(got, rest); d != "" {
			t.Errorf("ListFaces(%q) after deleting %q: %s", person, seen, d)
		}
		if err := tb.DeleteItems(ctx, ids); err != nil {
			t.Fatal(err)
		}
	}
}

// testInvalidTokens: a token that no listing can have issued is
// ErrInvalidToken, for ListFaces with and without a person and for
// ListPersons.
func testInvalidTokens(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	if err := tb.PutFaces(ctx, []service.FaceItem{face("f1", bucket, "index/a.jpg", "Ann"), face("f2", bucket, "index/a.jpg", "Ann")}); err != nil {
		t.Fatal(err)
	}
	if err := tb.PutPerson(ctx, service.PersonItem{Person: "Ann", UserID: "u1"}); err != nil {
		t.Fatal(err)
	}
	listings := []struct {
		name string
		list func(token string) (int, string, error)
	}{
		{"ListFaces", func(token string) (int, string, error) {
			faces, next, err := tb.ListFaces(ctx, "", 1, token)
			return len(faces), next, err
		}},
		{"ListFaces of a person", func(token string) (int, string, error) {
			faces, next, err := tb.ListFaces(ctx, "Ann", 1, token)
			return len(faces), next, err
		}},
		{"ListPersons", func(token string) (int, string, error) {
			persons, next, err := tb.ListPersons(ctx, 1, token)
			return len(persons), next, err
		}},
	}
	for _, l := range listings {
		for _, token := range []string{"not a token", "%%%", "====", "a", "{}", "eyJGYWNlSWQiOiJmMSJ9=="} {
			n, next, err := l.list(token)
			if !errors.Is(err, service.ErrInvalidToken) || n != 0 || next != "" {
				t.Errorf("%s with the token %q: %d items, next %q, %v; want ErrInvalidToken", l.name, token, n, next, err)
			}
		}
	}
}

// testPersons: PutPerson creates or replaces the person item of a UserId,
// GetPersons returns the known ones, DeletePerson deletes one if it still
// holds the name and Renaming read (ErrVersionConflict otherwise) and
// ignores unknown ids.
func testPersons(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	ann := service.PersonItem{Person: "Ann Lee", UserID: "person:Ann_Lee.1"}
	bob := service.PersonItem{Person: "Bob", UserID: "person-2"}
	// Mid-rename: the new name, and the old one as its Renaming.
	renamed := service.PersonItem{Person: "Ann", UserID: ann.UserID, Renaming: ann.Person}
	steps := []struct {
		name string
		do   func() error
		want []service.PersonItem
	}{
		{"create", func() error {
			return errors.Join(tb.PutPerson(ctx, ann), tb.PutPerson(ctx, bob))
		}, []service.PersonItem{ann, bob}},
		{"replace", func() error { return tb.PutPerson(ctx, renamed) }, []service.PersonItem{renamed, bob}},
		{"delete as read before the rename: refused", func() error {
			if err := tb.DeletePerson(ctx, ann); !errors.Is(err, service.ErrVersionConflict) {
				return fmt.Errorf("DeletePerson of a changed item: %v, want ErrVersionConflict", err)
			}
			return nil
		}, []service.PersonItem{renamed, bob}},
		{"delete", func() error { return tb.DeletePerson(ctx, renamed) }, []service.PersonItem{bob}},
		{"delete again", func() error { return tb.DeletePerson(ctx, renamed) }, []service.PersonItem{bob}},
		{"delete an unknown id", func() error { return tb.DeletePerson(ctx, service.PersonItem{UserID: "unknown"}) }, []service.PersonItem{bob}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		want := map[string]service.PersonItem{}
		for _, p := range s.want {
			want[p.UserID] = p
		}
		got, err := tb.GetPersons(ctx, []string{ann.UserID, bob.UserID, "unknown"})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: GetPersons = %v, %v; want %v", s.name, got, err, want)
		}
		wantPersonList(t, tb, 1, s.want...)
	}
}

// wantFacesOfObject checks that FacesOfObject(bucket, key) returns the
// faces want, each once, in any order, waiting up to indexLag for it to
// show the writes before the call.
func wantFacesOfObject(t *testing.T, tb service.FaceTable, bucket, key string, want ...service.FaceItem) {
	t.Helper()
	deadline := time.Now().Add(indexLag)
	for {
		got, err := tb.FacesOfObject(t.Context(), bucket, key)
		if err != nil {
			t.Fatalf("FacesOfObject(%q, %q): %v", bucket, key, err)
		}
		d := diffFaceList(got, want)
		if d == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("FacesOfObject(%q, %q): %s", bucket, key, d)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wantFaceList checks that paging through ListFaces(person) with limit
// lists the faces want, each once.
func wantFaceList(t *testing.T, tb service.FaceTable, person string, limit int, want ...service.FaceItem) {
	t.Helper()
	what := fmt.Sprintf("ListFaces(%q, limit %d)", person, limit)
	got := pageAll(t, what, limit, "", func(token string) ([]service.FaceItem, string, error) {
		return tb.ListFaces(t.Context(), person, limit, token)
	}, func(f service.FaceItem) string { return f.FaceID })
	if d := diffFaceMap(got, want); d != "" {
		t.Errorf("%s: %s", what, d)
	}
}

// wantPersonList checks that paging through ListPersons with limit lists
// the person items want, each once.
func wantPersonList(t *testing.T, tb service.FaceTable, limit int, want ...service.PersonItem) {
	t.Helper()
	what := fmt.Sprintf("ListPersons(limit %d)", limit)
	got := pageAll(t, what, limit, "", func(token string) ([]service.PersonItem, string, error) {
		return tb.ListPersons(t.Context(), limit, token)
	}, func(p service.PersonItem) string { return p.UserID })
	wantMap := map[string]service.PersonItem{}
	for _, p := range want {
		wantMap[p.UserID] = p
	}
	if !reflect.DeepEqual(got, wantMap) {
		t.Errorf("%s = %v, want %v", what, got, wantMap)
	}
}

// maxPages bounds the pages pageAll reads: far more than any listing of
// the suite needs, even with an empty page for each item.
const maxPages = 500

// pageAll reads every page of list from token with limit and returns the
// items by id. It fails the test on an error, a page of more than limit
// items, an item listed twice, a next token equal to the one given (no
// progress) and more than maxPages pages.
func pageAll[T any](t *testing.T, what string, limit int, token string, list func(token string) ([]T, string, error), id func(T) string) map[string]T {
	t.Helper()
	got := map[string]T{}
	for page := 1; ; page++ {
		items, next, err := list(token)
		if err != nil {
			t.Fatalf("%s, page %d: %v", what, page, err)
		}
		if len(items) > limit {
			t.Errorf("%s, page %d: %d items, more than the limit", what, page, len(items))
		}
		for _, it := range items {
			if _, ok := got[id(it)]; ok {
				t.Errorf("%s lists %s twice", what, id(it))
			}
			got[id(it)] = it
		}
		switch {
		case next == "":
			return got
		case next == token:
			t.Fatalf("%s, page %d: the next token is the one given", what, page)
		case page == maxPages:
			t.Fatalf("%s: a next page after %d pages", what, maxPages)
		}
		token = next
	}
}

// diffFace returns how got differs from want ("" if it does not): every
// field, with IndexedAt compared as an instant that must come back in UTC.
func diffFace(got, want service.FaceItem) string {
	d := diffTime(got.IndexedAt, want.IndexedAt)
	got.IndexedAt = want.IndexedAt
	if !reflect.DeepEqual(got, want) {
		d = append(d, fmt.Sprintf("%+v, want %+v", got, want))
	}
	return strings.Join(d, "; ")
}

// diffImage is diffFace for image items, with FaceIDs compared as a set
// (a DynamoDB string set keeps no order) and nil slices equal to empty
// ones.
func diffImage(got, want service.ImageItem) string {
	d := diffTime(got.IndexedAt, want.IndexedAt)
	got.IndexedAt = want.IndexedAt
	norm := func(img *service.ImageItem) {
		img.FaceIDs = slices.Sorted(slices.Values(img.FaceIDs))
		if len(img.UnindexedReasons) == 0 {
			img.UnindexedReasons = nil
		}
	}
	norm(&got)
	norm(&want)
	if !reflect.DeepEqual(got, want) {
		d = append(d, fmt.Sprintf("%+v, want %+v", got, want))
	}
	return strings.Join(d, "; ")
}

// diffTime says how got differs from want as an instant, or by not being
// in UTC (the items' times are UTC).
func diffTime(got, want time.Time) []string {
	if !got.Equal(want) || got.Location() != time.UTC {
		return []string{fmt.Sprintf("IndexedAt %v, want %v", got, want)}
	}
	return nil
}

// diffFaceList is diffFaceMap for a list, in which a face must appear
// only once.
func diffFaceList(got, want []service.FaceItem) string {
	m := map[string]service.FaceItem{}
	for _, f := range got {
		if _, ok := m[f.FaceID]; ok {
			return fmt.Sprintf("%s listed twice", f.FaceID)
		}
		m[f.FaceID] = f
	}
	return diffFaceMap(m, want)
}

// diffFaceMap returns how faces keyed by FaceId differ from want ("" if
// they do not): faces missing, faces not wanted, keys that are not their
// face's FaceId and faces that differ.
func diffFaceMap(got map[string]service.FaceItem, want []service.FaceItem) string {
	var d []string
	wanted := map[string]bool{}
	for _, w := range want {
		wanted[w.FaceID] = true
		g, ok := got[w.FaceID]
		if !ok {
			d = append(d, "missing "+w.FaceID)
			continue
		}
		if g.FaceID != w.FaceID {
			d = append(d, fmt.Sprintf("key %s holds the face %s", w.FaceID, g.FaceID))
		} else if fd := diffFace(g, w); fd != "" {
			d = append(d, fd)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(got)) {
		if !wanted[id] {
			d = append(d, "unexpected "+id)
		}
	}
	return strings.Join(d, "; ")
}

// testErasure: a tombstone keeps its time to live (whole seconds, UTC);
// ImagesOfPerson finds the image items naming a person and nothing else;
// ListImages pages through every image item and nothing else; an erasure
// record is none of the listed kinds.
func testErasure(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	tomb := service.ImageItem{Bucket: bucket, Key: "index/gone.jpg", Status: service.StatusRemoved, Version: 2, RunID: "r", IndexedAt: t0,
		ExpiresAt: t0.Truncate(time.Second).Add(contract.TombstoneTTLDays * 24 * time.Hour)}
	jane := image(bucket, "index/jane.jpg", 1, "3f1a7b2e-0000-4000-8000-000000000001")
	jane.Person = "Jane Doe"
	janeRejected := service.ImageItem{Bucket: otherBucket, Key: "index/jane-tiny.png", Status: contract.StatusRejected, Reason: "too small", Person: "Jane Doe", Version: 1, RunID: "r", IndexedAt: t0}
	other := image(bucket, "index/other.jpg", 1)
	other.Person = "John Roe"
	for _, img := range []service.ImageItem{tomb, jane, janeRejected, other} {
		if err := tb.PutImage(ctx, img, 0); err != nil {
			t.Fatalf("PutImage(%s): %v", img.Key, err)
		}
	}
	if err := tb.PutFaces(ctx, []service.FaceItem{face("3f1a7b2e-0000-4000-8000-000000000001", bucket, "index/jane.jpg", "Jane Doe")}); err != nil {
		t.Fatal(err)
	}
	if err := tb.PutPerson(ctx, service.PersonItem{Person: "Jane Doe", UserID: service.UserID("Jane Doe")}); err != nil {
		t.Fatal(err)
	}
	if err := tb.PutErasure(ctx, service.ErasureRecord{ID: contract.ErasureItemPrefix + "e1", Kind: contract.ErasurePerson, At: t0, Faces: 2, Keys: []string{"index/x.jpg"}, Versions: 3, Users: 1}); err != nil {
		t.Fatalf("PutErasure: %v", err)
	}
	got, err := tb.GetImage(ctx, bucket, tomb.Key)
	if err != nil || got == nil {
		t.Fatalf("GetImage(tombstone): %+v, %v", got, err)
	}
	if d := diffImage(*got, tomb); d != "" || !got.ExpiresAt.Equal(tomb.ExpiresAt) {
		t.Errorf("tombstone %s", d)
	}
	var found []string
	deadline := time.Now().Add(indexLag)
	for {
		images, err := tb.ImagesOfPerson(ctx, "Jane Doe")
		if err != nil {
			t.Fatalf("ImagesOfPerson: %v", err)
		}
		found = found[:0]
		for _, img := range images {
			found = append(found, img.Bucket+"/"+img.Key)
		}
		slices.Sort(found)
		if len(found) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if want := []string{otherBucket + "/index/jane-tiny.png", bucket + "/index/jane.jpg"}; !slices.Equal(found, want) {
		t.Errorf("ImagesOfPerson(Jane Doe) = %v, want %v", found, want)
	}
	for _, limit := range []int{1, 2, 100} {
		all := pageAll(t, fmt.Sprintf("ListImages(limit %d)", limit), limit, "", func(token string) ([]service.ImageItem, string, error) {
			return tb.ListImages(ctx, limit, token)
		}, func(img service.ImageItem) string { return img.Bucket + "/" + img.Key })
		if keys := slices.Sorted(maps.Keys(all)); len(keys) != 4 {
			t.Errorf("ListImages(limit %d) lists %v, want the 4 image items", limit, keys)
		}
	}
	if _, _, err := tb.ListImages(ctx, 10, "%%"); !errors.Is(err, service.ErrInvalidToken) {
		t.Errorf("ListImages with a bad token: %v, want ErrInvalidToken", err)
	}
}

// testSweepMarks: marks come back with their time, unknown ids are absent,
// and DeleteItems deletes them.
func testSweepMarks(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	a, b := service.SweepMarkID("face", "3f1a7b2e-0000-4000-8000-000000000001"), service.SweepMarkID("person", "jane:0123")
	if err := tb.PutSweepMarks(ctx, []string{a, b}, t0, t0.Add(time.Hour)); err != nil {
		t.Fatalf("PutSweepMarks: %v", err)
	}
	got, err := tb.GetSweepMarks(ctx, []string{a, b, service.SweepMarkID("face", "unknown")})
	if err != nil || len(got) != 2 || !got[a].Equal(t0) || !got[b].Equal(t0) {
		t.Fatalf("GetSweepMarks: %v, %v; want both marks at %v", got, err, t0)
	}
	if err := tb.DeleteItems(ctx, []string{a}); err != nil {
		t.Fatal(err)
	}
	if got, err := tb.GetSweepMarks(ctx, []string{a, b}); err != nil || len(got) != 1 || !got[b].Equal(t0) {
		t.Errorf("GetSweepMarks after deleting one: %v, %v", got, err)
	}
	if faces, _, err := tb.ListFaces(ctx, "", 100, ""); err != nil || len(faces) != 0 {
		t.Errorf("ListFaces lists %v, %v; marks are not faces", faces, err)
	}
}
