package service_test

import (
	"context"
	"maps"
	"mime"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/dynamotable"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// renamed is the new name the tests give "Barack Obama": not ASCII, so
// that the object metadata carries it as an RFC 2047 encoded word.
const renamed = "Barack Öbama II"

// userFaces returns the collection's FaceIds by the UserId each is
// associated with ("" for none), each list sorted.
func userFaces(h *harness) map[string][]string {
	out := map[string][]string{}
	for _, f := range h.Rek.Faces() {
		out[f.UserID] = append(out[f.UserID], f.FaceID)
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out
}

// rekCalls returns how many calls of each operation that changes faces
// or users the Rekognition stand-in has served.
func rekCalls(h *harness) map[string]int {
	out := map[string]int{}
	for _, op := range []string{"IndexFaces", "AssociateFaces", "DisassociateFaces", "DeleteFaces", "CreateUser", "DeleteUser"} {
		out[op] = h.Rek.Calls(op)
	}
	return out
}

// personOf returns the person metadata of the object key, decoded (a
// name that is not ASCII is stored as an RFC 2047 encoded word), and its
// content type.
func personOf(t *testing.T, h *harness, key string) (person, contentType string) {
	t.Helper()
	out, err := h.S3.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(h.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	v := out.Metadata[contract.PersonMetadataKey]
	if strings.HasPrefix(v, "=?") {
		if v, err = new(mime.WordDecoder).DecodeHeader(v); err != nil {
			t.Fatalf("%s: person metadata: %v", key, err)
		}
	}
	return v, aws.ToString(out.ContentType)
}

// wantRenamed checks the state after "Barack Obama" of personFixture was
// renamed to renamed: the same UserId and faces in Rekognition, the new
// name everywhere the old one was (the answers, the table, every object
// version's metadata), the old name nowhere, and no name in the logs.
func wantRenamed(t *testing.T, h *harness, users map[string][]string, calls map[string]int) {
	t.Helper()
	oldID := service.UserID("Barack Obama")
	p, err := h.Service.Person(t.Context(), renamed)
	if err != nil {
		t.Fatalf("Person(new name): %v", err)
	}
	if p.Person != renamed || p.UserID != oldID || len(p.Faces) != 2 || !slices.Equal(p.Images, []string{"index/a.jpg", "index/b.jpg"}) {
		t.Errorf("renamed person = %+v; want the same UserId, 2 faces, a.jpg and b.jpg", p)
	}
	if _, err := h.Service.Person(t.Context(), "Barack Obama"); kindOf(err) != service.KindNotFound {
		t.Errorf("Person(old name): %v, want not found", err)
	}
	res, err := h.Service.SearchPersons(t.Context(), photos.MustRead("obama_2.jpg"))
	if err != nil || len(res.Faces) != 1 || len(res.Faces[0].Persons) == 0 {
		t.Fatalf("search by person: %+v, %v", res, err)
	}
	if m := res.Faces[0].Persons[0]; m.Person != renamed || !slices.Equal(slices.Sorted(slices.Values(m.FaceIDs)), users[oldID]) {
		t.Errorf("search by person: %+v; want %q with the faces %v", m, renamed, users[oldID])
	}
	if got := userFaces(h); !maps.EqualFunc(got, users, slices.Equal) {
		t.Errorf("Rekognition users' faces = %v, want them unchanged: %v", got, users)
	}
	if got := rekCalls(h); !maps.Equal(got, calls) {
		t.Errorf("Rekognition calls = %v, want none since the rename began: %v", got, calls)
	}
	for _, key := range []string{"index/a.jpg", "index/b.jpg", "index/c.png"} {
		wantType := "image/jpeg"
		if strings.HasSuffix(key, ".png") {
			wantType = "image/png"
		}
		if person, ct := personOf(t, h, key); person != renamed || ct != wantType {
			t.Errorf("%s: person metadata %q, content type %q; want %q and the upload's %s", key, person, ct, renamed, wantType)
		}
	}
	if got := h.itemValues(t, "FACE", "Person"); !slices.Equal(got, []string{renamed, renamed, "biden"}) {
		t.Errorf("face items' persons = %q", got)
	}
	if st := h.status(t, "c.png"); st.Status != contract.StatusRejected {
		t.Errorf("the rejected image: %+v", st)
	}
	// The old name is nowhere: not in any item, any object version or
	// the logs, but in the UserId derived from it, which the person keeps
	// (excluded explicitly: it holds this name only with '_' for the
	// space, but a one-word name would be there verbatim; see
	// TestRename_oneWordName).
	if found := leftovers(t, h, []string{"Barack Obama", renamed}, oldID); len(found) != 0 && !onlyNewNameOutsideLogs(found) {
		t.Errorf("after the rename:\n%s", strings.Join(found, "\n"))
	}
	assertBidenIntact(t, h)
}

// onlyNewNameOutsideLogs reports whether found (leftovers' answer) names
// only the new name, and only in items and object versions: where it
// belongs, but never in the logs.
func onlyNewNameOutsideLogs(found []string) bool {
	for _, f := range found {
		if !strings.HasSuffix(f, " holds "+renamed) || strings.HasPrefix(f, "logs") {
			return false
		}
	}
	return true
}

// TestRename_keepsTheUserAndItsFaces renames a person with two indexed
// images (one in two versions) and a rejected one: the answer is the
// person under its new name with the same UserId; the Rekognition user
// keeps its faces (no call changes faces or users); the old name is 404
// and nowhere, not even in an older object version; a reconcile of every
// object afterwards (a backfill, or the copies' own events) keeps the new
// name and indexes nothing.
func TestRename_keepsTheUserAndItsFaces(t *testing.T) {
	h := newHarness(t)
	personFixture(t, h)
	users, calls := userFaces(h), rekCalls(h)

	p, err := h.Service.Rename(t.Context(), "Barack Obama", renamed)
	if err != nil {
		t.Fatalf("Rename: %v", err)
	}
	if p.Person != renamed || p.UserID != service.UserID("Barack Obama") || len(p.Faces) != 2 {
		t.Errorf("Rename answered %+v", p)
	}
	wantRenamed(t, h, users, calls)

	for _, key := range []string{"index/a.jpg", "index/b.jpg", "index/c.png", "index/d.jpg"} {
		res, err := h.Service.Reconcile(t.Context(), h.Bucket, key)
		if err != nil || res.Outcome != service.OutcomeUnchanged {
			t.Errorf("Reconcile %s after the rename: %+v, %v; want unchanged", key, res, err)
		}
	}
	wantRenamed(t, h, users, calls)
}

// TestRename_errors: an invalid new name is 400, an unknown person 404, a
// name another person has 409 PERSON_EXISTS (no merging, nothing
// changed), and the same name a no-op that answers the person.
func TestRename_errors(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	h.indexPhoto(t, "index/d.jpg", "biden_2.jpg", "biden")
	for _, c := range []struct {
		from, to string
		kind     service.Kind
		code     string
	}{
		{"Barack Obama", " ", service.KindBadRequest, contract.CodeInvalidParameter},
		{"Barack Obama", "line\nbreak", service.KindBadRequest, contract.CodeInvalidParameter},
		{"nobody", "somebody", service.KindNotFound, contract.CodeNotFound},
		{"Barack Obama", "biden", service.KindConflict, contract.CodePersonExists},
	} {
		_, err := h.Service.Rename(t.Context(), c.from, c.to)
		if kindOf(err) != c.kind || service.AsError(err).Code != c.code {
			t.Errorf("Rename(%q, %q): %v; want kind %d, code %s", c.from, c.to, err, c.kind, c.code)
		}
	}
	p, err := h.Service.Rename(t.Context(), "Barack Obama", "Barack Obama")
	if err != nil || p.Person != "Barack Obama" || len(p.Faces) != 1 {
		t.Errorf("Rename to the same name: %+v, %v", p, err)
	}
	if person, _ := personOf(t, h, "index/a.jpg"); person != "Barack Obama" {
		t.Errorf("after the refused renames, a.jpg names %q", person)
	}
	if got := h.itemValues(t, "PERSON", "Person"); !slices.Equal(got, []string{"Barack Obama", "biden"}) {
		t.Errorf("person items = %q", got)
	}
}

// faultyObjects fails the nth CopyObject or the nth versioned delete
// (counting from 1; 0 for never) with a timeout, and runs beforeCopy (if
// set) once, before the first copy.
type faultyObjects struct {
	service.ObjectGetter
	failCopy, failDelete int
	beforeCopy           func()
}

func (o *faultyObjects) CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	if f := o.beforeCopy; f != nil {
		o.beforeCopy = nil
		f()
	}
	if o.failCopy--; o.failCopy == 0 {
		return nil, context.DeadlineExceeded
	}
	return o.ObjectGetter.CopyObject(ctx, in, opts...)
}

func (o *faultyObjects) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	if in.VersionId != nil {
		if o.failDelete--; o.failDelete == 0 {
			return nil, context.DeadlineExceeded
		}
	}
	return o.ObjectGetter.DeleteObject(ctx, in, opts...)
}

// faultyDB fails the nth PutItem or the nth UpdateItem (counting from 1;
// 0 for never) with a timeout.
type faultyDB struct {
	dynamotable.API
	failPut, failUpdate int
}

func (d *faultyDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if d.failPut--; d.failPut == 0 {
		return nil, context.DeadlineExceeded
	}
	return d.API.PutItem(ctx, in, opts...)
}

func (d *faultyDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if d.failUpdate--; d.failUpdate == 0 {
		return nil, context.DeadlineExceeded
	}
	return d.API.UpdateItem(ctx, in, opts...)
}

// TestRename_failureMidwayThenRepeat: a rename that fails midway (an S3
// copy, an old version's delete, or a table write fails after some images
// were copied) answers a retryable error; meanwhile the copies' events
// relabel their images without indexing anything; a rename of either name
// to a third one is refused (409 CONFLICT); repeating the request finishes
// the rename, with the same end state as one that never failed.
func TestRename_failureMidwayThenRepeat(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inject func(o *faultyObjects, db *faultyDB)
	}{
		{"second copy fails", func(o *faultyObjects, _ *faultyDB) { o.failCopy = 2 }},
		{"an old version's delete fails", func(o *faultyObjects, _ *faultyDB) { o.failDelete = 2 }},
		// UpdateItem calls: a.jpg's face, then b.jpg's.
		{"a face write fails", func(_ *faultyObjects, db *faultyDB) { db.failUpdate = 2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objects, db := &faultyObjects{}, &faultyDB{}
			h := newHarness(t, func(p *servicetest.Parts) {
				objects.ObjectGetter, p.Objects = p.Objects, objects
				db.API, p.DynamoDB = p.DynamoDB, db
			})
			personFixture(t, h)
			users, calls := userFaces(h), rekCalls(h)
			tc.inject(objects, db)
			_, err := h.Service.Rename(t.Context(), "Barack Obama", renamed)
			if err == nil || !kindOf(err).Temporary() {
				t.Fatalf("Rename with the fault: %v (kind %d), want a retryable error", err, kindOf(err))
			}
			// Another rename of either name waits for this one.
			for _, from := range []string{"Barack Obama", renamed} {
				if _, err := h.Service.Rename(t.Context(), from, "Someone Else"); service.AsError(err).Code != contract.CodeConflict {
					t.Errorf("Rename(%q, another name) midway: %v, want CONFLICT", from, err)
				}
			}
			// Both names name the one person meanwhile.
			for _, name := range []string{"Barack Obama", renamed} {
				if p, err := h.Service.Person(t.Context(), name); err != nil || p.UserID != service.UserID("Barack Obama") {
					t.Errorf("Person(%q) midway: %+v, %v", name, p, err)
				}
			}
			for _, key := range []string{"index/a.jpg", "index/b.jpg", "index/c.png"} {
				res, err := h.Service.Reconcile(t.Context(), h.Bucket, key)
				if err != nil || (res.Outcome != service.OutcomeUnchanged && res.Outcome != service.OutcomeRelabeled) {
					t.Errorf("Reconcile %s midway: %+v, %v; want unchanged or relabeled", key, res, err)
				}
			}
			if _, err := h.Service.Rename(t.Context(), "Barack Obama", renamed); err != nil {
				t.Fatalf("repeated Rename: %v", err)
			}
			wantRenamed(t, h, users, calls)
		})
	}
}

// TestRename_reconcileOfACopyRelabels: an image whose object already names
// the new name while its items still name the old one (the rename copied
// it and stopped) is relabelled by its reconcile, not indexed again.
func TestRename_reconcileOfACopyRelabels(t *testing.T) {
	objects := &faultyObjects{failDelete: 1}
	h := newHarness(t, func(p *servicetest.Parts) { objects.ObjectGetter, p.Objects = p.Objects, objects })
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	h.indexPhoto(t, "index/a.jpg", "obama_2.jpg", "Barack Obama") // a second version, to delete
	indexed := h.Rek.Calls("IndexFaces")
	if _, err := h.Service.Rename(t.Context(), "Barack Obama", renamed); err == nil {
		t.Fatal("Rename with a failing delete succeeded")
	}
	if got := h.itemValues(t, "FACE", "Person"); !slices.Equal(got, []string{"Barack Obama"}) {
		t.Fatalf("face items' persons before the reconcile = %q; the test needs the old name", got)
	}
	res, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg")
	if err != nil || res.Outcome != service.OutcomeRelabeled {
		t.Fatalf("Reconcile of the copy: %+v, %v; want relabeled", res, err)
	}
	if got := h.itemValues(t, "FACE", "Person"); !slices.Equal(got, []string{renamed}) {
		t.Errorf("face items' persons after the reconcile = %q", got)
	}
	if st := h.status(t, "a.jpg"); st.Status != contract.StatusIndexed || len(st.Faces) != 1 || st.Faces[0].Person != renamed {
		t.Errorf("status after the reconcile: %+v", st)
	}
	if n := h.Rek.Calls("IndexFaces"); n != indexed {
		t.Errorf("IndexFaces called %d times by the reconcile", n-indexed)
	}
}

// TestRename_namesAfterward: an upload under the new name joins the
// renamed person's user; one under the old name makes a new person with a
// user of its own (the old derived UserId stays the renamed person's),
// which can be searched, renamed and erased without touching the other;
// the renamed person can take its first name back once it is free.
func TestRename_namesAfterward(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	if _, err := h.Service.Rename(t.Context(), "Barack Obama", renamed); err != nil {
		t.Fatal(err)
	}
	oldID := service.UserID("Barack Obama")

	h.indexPhoto(t, "index/b.jpg", "obama_2.jpg", renamed)
	p, err := h.Service.Person(t.Context(), renamed)
	if err != nil || p.UserID != oldID || len(p.Faces) != 2 {
		t.Fatalf("after an upload under the new name: %+v, %v", p, err)
	}
	if got := userFaces(h)[oldID]; len(got) != 2 {
		t.Errorf("the user's faces = %v, want both images'", got)
	}

	h.indexPhoto(t, "index/c.jpg", "biden_2.jpg", "Barack Obama")
	again, err := h.Service.Person(t.Context(), "Barack Obama")
	if err != nil || again.UserID == oldID || len(again.Faces) != 1 {
		t.Fatalf("an upload under the old name: %+v, %v; want a new person with its own user", again, err)
	}
	if got := userFaces(h); len(got[again.UserID]) != 1 || len(got[oldID]) != 2 {
		t.Errorf("users' faces = %v", got)
	}
	if _, err := h.Service.Rename(t.Context(), renamed, "Barack Obama"); service.AsError(err).Code != contract.CodePersonExists {
		t.Errorf("renaming back onto the new person: %v, want PERSON_EXISTS", err)
	}
	res, err := h.Service.SearchPersons(t.Context(), photos.MustRead("biden_2.jpg"))
	if err != nil || len(res.Faces) != 1 || len(res.Faces[0].Persons) == 0 || res.Faces[0].Persons[0].Person != "Barack Obama" {
		t.Errorf("search by person for the new person: %+v, %v", res, err)
	}

	if _, err := h.Service.DeletePerson(t.Context(), "Barack Obama"); err != nil {
		t.Fatal(err)
	}
	if users := h.Rek.Users(h.Collection); !slices.Equal(users, []string{oldID}) {
		t.Errorf("users after erasing the new person = %v, want only the renamed one's", users)
	}
	back, err := h.Service.Rename(t.Context(), renamed, "Barack Obama")
	if err != nil || back.UserID != oldID || len(back.Faces) != 2 {
		t.Fatalf("renaming back: %+v, %v", back, err)
	}
	if aliases := h.Items(t, "ALIAS"); len(aliases) != 0 {
		t.Errorf("alias items after renaming back = %v, want none (the UserId is the derived one again)", aliases)
	}
}

// TestRename_thenErase: erasing a renamed person by its new name leaves
// neither name, nor its UserId, nor its alias item anywhere, and deletes
// its Rekognition user.
func TestRename_thenErase(t *testing.T) {
	h := newHarness(t)
	secrets := personFixture(t, h)
	if _, err := h.Service.Rename(t.Context(), "Barack Obama", renamed); err != nil {
		t.Fatal(err)
	}
	if len(h.Items(t, "ALIAS")) != 1 {
		t.Fatalf("alias items after the rename: %v, want the new name's", h.Items(t, "ALIAS"))
	}
	if _, err := h.Service.DeletePerson(t.Context(), renamed); err != nil {
		t.Fatalf("DeletePerson(new name): %v", err)
	}
	if found := leftovers(t, h, append(secrets, renamed, service.UserID(renamed))); len(found) > 0 {
		t.Errorf("after erasing the renamed person:\n%s", strings.Join(found, "\n"))
	}
	if users := h.Rek.Users(h.Collection); !slices.Equal(users, []string{service.UserID("biden")}) {
		t.Errorf("users = %v, want biden's only", users)
	}
	assertBidenIntact(t, h)
}

// TestRename_erasingTheOldNameSparesTheRenamedPerson: an image left under
// the old name after the rename (here a rejected upload, which makes no
// person) is erased by DELETE of the old name, which must not touch the
// renamed person: its derived UserId is the renamed person's user.
func TestRename_erasingTheOldNameSparesTheRenamedPerson(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	if _, err := h.Service.Rename(t.Context(), "Barack Obama", renamed); err != nil {
		t.Fatal(err)
	}
	h.PutObject(t, "index/tiny.png", servicetest.TinyPNG(t, 40, 40), map[string]string{contract.PersonMetadataKey: "Barack Obama"})
	h.reconcile(t, "index/tiny.png")
	res, err := h.Service.DeletePerson(t.Context(), "Barack Obama")
	if err != nil || !slices.Equal(res.DeletedImages, []string{"index/tiny.png"}) {
		t.Fatalf("DeletePerson(old name): %+v, %v; want the rejected image only", res, err)
	}
	p, err := h.Service.Person(t.Context(), renamed)
	if err != nil || p.UserID != service.UserID("Barack Obama") || len(p.Faces) != 1 {
		t.Errorf("the renamed person after erasing the old name: %+v, %v", p, err)
	}
	if users := h.Rek.Users(h.Collection); !slices.Equal(users, []string{service.UserID("Barack Obama")}) {
		t.Errorf("users = %v, want the renamed person's", users)
	}
}

// TestRename_stoppedBeforeThePersonItemSurvivesTheSweeper: a rename that
// relabelled every image but failed to write the person item leaves a
// person item with no faces under its (old) name, whose user still has
// the faces: the sweeper keeps it and its user, however long the rename
// waits, and the repeated rename finishes.
func TestRename_stoppedBeforeThePersonItemSurvivesTheSweeper(t *testing.T) {
	db := &faultyDB{}
	h := newHarness(t, func(p *servicetest.Parts) { db.API, p.DynamoDB = p.DynamoDB, db })
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	db.failPut = 4 // the person item's Renaming, the new name's alias, a.jpg's image item, then the person item
	if _, err := h.Service.Rename(t.Context(), "Barack Obama", renamed); err == nil {
		t.Fatal("Rename with a failing person item write succeeded")
	}
	if got := h.itemValues(t, "PERSON", "Person"); !slices.Equal(got, []string{"Barack Obama"}) {
		t.Fatalf("person items = %q; the test needs the old name there", got)
	}
	now := time.Now()
	for _, at := range []time.Time{now, now.Add(service.SweepGrace), now.Add(3 * service.SweepGrace)} {
		if res, err := h.Service.Sweep(t.Context(), at); err != nil || res.PersonsRemoved != 0 || res.UsersRemoved != 0 {
			t.Fatalf("sweep at %v: %+v, %v; want nothing removed", at.Sub(now), res, err)
		}
	}
	p, err := h.Service.Rename(t.Context(), "Barack Obama", renamed)
	if err != nil || p.UserID != service.UserID("Barack Obama") || len(p.Faces) != 1 {
		t.Fatalf("repeated Rename: %+v, %v", p, err)
	}
	if got := userFaces(h)[p.UserID]; len(got) != 1 {
		t.Errorf("the user's faces = %v", got)
	}
}

// TestRename_uploadUnderTheOldNameDuringTheRename: an image uploaded and
// indexed under the old name while the rename copies the others joins the
// person's user, and the rename renames it too (its second look, once the
// person item has the new name).
func TestRename_uploadUnderTheOldNameDuringTheRename(t *testing.T) {
	objects := &faultyObjects{}
	h := newHarness(t, func(p *servicetest.Parts) { objects.ObjectGetter, p.Objects = p.Objects, objects })
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	objects.beforeCopy = func() { h.indexPhoto(t, "index/b.jpg", "obama_2.jpg", "Barack Obama") }
	p, err := h.Service.Rename(t.Context(), "Barack Obama", renamed)
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID != service.UserID("Barack Obama") || !slices.Equal(p.Images, []string{"index/a.jpg", "index/b.jpg"}) || len(p.Faces) != 2 {
		t.Errorf("renamed person = %+v; want both images", p)
	}
	if person, _ := personOf(t, h, "index/b.jpg"); person != renamed {
		t.Errorf("b.jpg names %q", person)
	}
	if got := userFaces(h)[p.UserID]; len(got) != 2 {
		t.Errorf("the user's faces = %v, want both", got)
	}
	if _, err := h.Service.Person(t.Context(), "Barack Obama"); kindOf(err) != service.KindNotFound {
		t.Errorf("Person(old name): %v, want not found", err)
	}
}

// TestRename_erasingMidwayErasesBothNames: a rename that failed midway
// leaves some images under the old name and some under the new, all of
// the one user; erasing the person by either name erases them all (its
// faces, hashes, object versions and both names), and its user.
func TestRename_erasingMidwayErasesBothNames(t *testing.T) {
	for _, erase := range []string{"Barack Obama", renamed} {
		t.Run(erase, func(t *testing.T) {
			objects := &faultyObjects{failCopy: 2}
			h := newHarness(t, func(p *servicetest.Parts) { objects.ObjectGetter, p.Objects = p.Objects, objects })
			secrets := personFixture(t, h)
			if _, err := h.Service.Rename(t.Context(), "Barack Obama", renamed); err == nil {
				t.Fatal("Rename with a failing second copy succeeded")
			}
			if got := h.itemValues(t, "FACE", "Person"); !slices.Contains(got, renamed) || !slices.Contains(got, "Barack Obama") {
				t.Fatalf("face items' persons midway = %q; the test needs both names", got)
			}
			if _, err := h.Service.DeletePerson(t.Context(), erase); err != nil {
				t.Fatalf("DeletePerson(%q) midway: %v", erase, err)
			}
			if found := leftovers(t, h, append(secrets, renamed, service.UserID(renamed))); len(found) > 0 {
				t.Errorf("after erasing %q midway through the rename:\n%s", erase, strings.Join(found, "\n"))
			}
			if users := h.Rek.Users(h.Collection); !slices.Equal(users, []string{service.UserID("biden")}) {
				t.Errorf("users = %v, want biden's only", users)
			}
			assertBidenIntact(t, h)
		})
	}
}

// copyHook runs hook (if set) before each CopyObject, with the key to be
// copied and the keys copied before.
type copyHook struct {
	service.ObjectGetter
	copied []string
	hook   func(key string, copied []string)
}

func (o *copyHook) CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	if o.hook != nil {
		o.hook(aws.ToString(in.Key), o.copied)
	}
	o.copied = append(o.copied, aws.ToString(in.Key))
	return o.ObjectGetter.CopyObject(ctx, in, opts...)
}

// TestRename_reuploadOfARenamedKeyDuringTheRename: an image the rename
// already renamed, uploaded again under the old name (same key) while the
// rename copies the others, is renamed too (the second look), not left
// naming the old name while its faces are the renamed user's.
func TestRename_reuploadOfARenamedKeyDuringTheRename(t *testing.T) {
	objects := &copyHook{}
	h := newHarness(t, func(p *servicetest.Parts) { objects.ObjectGetter, p.Objects = p.Objects, objects })
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	h.indexPhoto(t, "index/b.jpg", "obama_2.jpg", "Barack Obama")
	objects.hook = func(key string, copied []string) {
		if len(copied) == 1 {
			objects.hook = nil
			h.indexPhoto(t, copied[0], "obama_2.jpg", "Barack Obama")
		}
	}
	p, err := h.Service.Rename(t.Context(), "Barack Obama", renamed)
	if err != nil {
		t.Fatal(err)
	}
	if objects.hook != nil {
		t.Fatal("the hook never ran; the test proves nothing")
	}
	for _, key := range []string{"index/a.jpg", "index/b.jpg"} {
		if person, _ := personOf(t, h, key); person != renamed {
			t.Errorf("%s names %q after the rename", key, person)
		}
	}
	if got := h.itemValues(t, "FACE", "Person"); !slices.Equal(got, []string{renamed, renamed}) {
		t.Errorf("face items' persons = %q", got)
	}
	if len(p.Faces) != 2 || !slices.Equal(p.Images, []string{"index/a.jpg", "index/b.jpg"}) {
		t.Errorf("renamed person = %+v; want both images", p)
	}
	if _, err := h.Service.Person(t.Context(), "Barack Obama"); kindOf(err) != service.KindNotFound {
		t.Errorf("Person(old name): %v, want not found", err)
	}
}

// noCopyResult copies as S3 does but answers no CopyObjectResult.
type noCopyResult struct{ service.ObjectGetter }

func (o noCopyResult) CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	if _, err := o.ObjectGetter.CopyObject(ctx, in, opts...); err != nil {
		return nil, err
	}
	return &s3.CopyObjectOutput{}, nil
}

// TestRename_copyWithoutETagIsAnError: a CopyObject answer without the
// copy's ETag is an internal error, not an image item with an empty ETag
// (which Status would report as pending for good); the copy's event
// relabels the image.
func TestRename_copyWithoutETagIsAnError(t *testing.T) {
	h := newHarness(t, func(p *servicetest.Parts) { p.Objects = noCopyResult{p.Objects} })
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	if _, err := h.Service.Rename(t.Context(), "Barack Obama", renamed); kindOf(err) != service.KindInternal {
		t.Fatalf("Rename with a CopyObject answer without ETag: %v, want an internal error", err)
	}
	// The copy's event relabels the image; a repeat then finishes.
	h.reconcile(t, "index/a.jpg")
	if st := h.status(t, "a.jpg"); st.Status != contract.StatusIndexed || len(st.Faces) != 1 || st.Faces[0].Person != renamed {
		t.Errorf("a.jpg after the copy's reconcile: %+v, want indexed under the new name", st)
	}
}

// TestRename_concurrentChangesAre409: the rename's writes of the person
// item are conditional on the name it read, and of the new name's alias
// on naming no other user: a person item changed meanwhile (here by a
// concurrent rename to a third name) or an alias of another user answers
// 409 CONFLICT rather than being overwritten.
func TestRename_concurrentChangesAre409(t *testing.T) {
	t.Run("person item changed", func(t *testing.T) {
		objects := &faultyObjects{}
		h := newHarness(t, func(p *servicetest.Parts) { objects.ObjectGetter, p.Objects = p.Objects, objects })
		h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
		tb := dynamotable.New(h.DynamoDB, h.Table)
		third := service.PersonItem{Person: "Someone Else", UserID: service.UserID("Barack Obama")}
		objects.beforeCopy = func() {
			if err := tb.PutPerson(t.Context(), third); err != nil {
				t.Fatal(err)
			}
		}
		_, err := h.Service.Rename(t.Context(), "Barack Obama", renamed)
		if kindOf(err) != service.KindConflict || service.AsError(err).Code != contract.CodeConflict {
			t.Fatalf("Rename while the person item changed: %v, want CONFLICT", err)
		}
		if got, err := tb.GetPersons(t.Context(), []string{third.UserID}); err != nil || !reflect.DeepEqual(got[third.UserID], third) {
			t.Errorf("person item = %v, %v; want the concurrent write kept: %v", got, err, third)
		}
	})
	t.Run("alias of another user", func(t *testing.T) {
		h := newHarness(t)
		h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
		tb := dynamotable.New(h.DynamoDB, h.Table)
		if err := tb.PutAlias(t.Context(), renamed, "another-user"); err != nil {
			t.Fatal(err)
		}
		_, err := h.Service.Rename(t.Context(), "Barack Obama", renamed)
		if kindOf(err) != service.KindConflict || service.AsError(err).Code != contract.CodeConflict {
			t.Fatalf("Rename onto an alias of another user: %v, want CONFLICT", err)
		}
		if got, err := tb.GetAlias(t.Context(), renamed); err != nil || got != "another-user" {
			t.Errorf("alias = %q, %v; want it kept", got, err)
		}
	})
}

// TestRename_oneWordName: a one-word name is in its derived UserId
// verbatim; after the rename it is nowhere else (no item, object version
// or log line holds it outside the UserId the person keeps).
func TestRename_oneWordName(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Obama")
	h.indexPhoto(t, "index/a.jpg", "obama_2.jpg", "Obama") // an older version, to delete
	oldID := service.UserID("Obama")
	if found := leftovers(t, h, []string{"Obama"}, oldID); len(found) == 0 {
		t.Fatal("the name is nowhere before the rename, so the search proves nothing")
	}
	p, err := h.Service.Rename(t.Context(), "Obama", "Barack")
	if err != nil || p.UserID != oldID {
		t.Fatalf("Rename: %+v, %v", p, err)
	}
	if found := leftovers(t, h, []string{"Obama"}, oldID); len(found) != 0 {
		t.Errorf("after the rename, outside the UserId:\n%s", strings.Join(found, "\n"))
	}
	if found := leftovers(t, h, []string{"Obama"}); len(found) == 0 {
		t.Error("the UserId no longer holds the first name; the exception above proves nothing")
	}
}

// deleteHook runs hook (if set) once, before the first DeleteObject.
type deleteHook struct {
	service.ObjectGetter
	hook func()
}

func (o *deleteHook) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	if hook := o.hook; hook != nil {
		o.hook = nil
		hook()
	}
	return o.ObjectGetter.DeleteObject(ctx, in, opts...)
}

// TestDeletePerson_renamedDuringTheErasure: a rename of the person that
// runs while DELETE /persons/{person} erases it (here, from its first S3
// delete) does not survive the erasure: the person item it changed makes
// the erasure go round again, by the person's UserId, so neither name, its
// alias, its user nor any image is left.
func TestDeletePerson_renamedDuringTheErasure(t *testing.T) {
	objects := &deleteHook{}
	h := newHarness(t, func(p *servicetest.Parts) { objects.ObjectGetter, p.Objects = p.Objects, objects })
	secrets := personFixture(t, h)
	renamedMeanwhile := false
	objects.hook = func() {
		_, err := h.Service.Rename(t.Context(), "Barack Obama", renamed)
		renamedMeanwhile = err == nil
	}
	if _, err := h.Service.DeletePerson(t.Context(), "Barack Obama"); err != nil {
		t.Fatalf("DeletePerson during a rename: %v", err)
	}
	if !renamedMeanwhile {
		t.Fatal("the rename during the erasure failed; the test needs it to succeed")
	}
	if found := leftovers(t, h, append(secrets, renamed, service.UserID(renamed))); len(found) > 0 {
		t.Errorf("after the erasure:\n%s", strings.Join(found, "\n"))
	}
	if users := h.Rek.Users(h.Collection); !slices.Equal(users, []string{service.UserID("biden")}) {
		t.Errorf("users = %v, want biden's only", users)
	}
	assertBidenIntact(t, h)
}
