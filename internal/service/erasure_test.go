package service_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/dynamotable"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// hashOf is the hex SHA-256 of b, as the table records image contents.
func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// leftovers searches everything the stand-ins hold (every collection
// face, every user, every table item, every object version's bytes and
// metadata) and the service's logs for each of secrets, and returns where
// each was found. Occurrences of except (strings allowed to stay, which
// may hold a secret) are cut out of the text before the search.
func leftovers(t *testing.T, h *harness, secrets []string, except ...string) []string {
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
	for _, f := range h.Rek.Faces() {
		b, _ := json.Marshal(f)
		look("collection face", string(b))
	}
	for _, u := range h.Rek.Users(h.Collection) {
		look("Rekognition user", u)
	}
	for _, it := range h.DB.Items(h.Table) {
		var m map[string]any
		if err := attributevalue.UnmarshalMap(it, &m); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(m)
		look("table item", string(b))
	}
	versions, err := h.S3.ListObjectVersions(t.Context(), &s3.ListObjectVersionsInput{Bucket: aws.String(h.Bucket)})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range versions.Versions {
		obj, err := h.S3.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(h.Bucket), Key: v.Key, VersionId: v.VersionId})
		if err != nil {
			t.Fatalf("GetObject %s@%s: %v", *v.Key, *v.VersionId, err)
		}
		body, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		meta, _ := json.Marshal(obj.Metadata)
		look("object version "+*v.Key, hashOf(body)+" "+string(meta))
	}
	look("logs", h.Logs.String())
	return found
}

// personFixture indexes, for person "Barack Obama": a.jpg in two
// versions, b.jpg, and c.png, which is too small to index; and, for
// biden, d.jpg. It returns what must not survive the person's erasure:
// the name, its UserId, its FaceIds and the hashes of its images.
func personFixture(t *testing.T, h *harness) []string {
	t.Helper()
	const person = "Barack Obama"
	h.indexPhoto(t, "index/a.jpg", "obama_2.jpg", person)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", person)
	h.indexPhoto(t, "index/b.jpg", "obama_2.jpg", person)
	tiny := servicetest.TinyPNG(t, 40, 40)
	h.PutObject(t, "index/c.png", tiny, map[string]string{contract.PersonMetadataKey: person})
	h.reconcile(t, "index/c.png")
	h.indexPhoto(t, "index/d.jpg", "biden_2.jpg", "biden")
	secrets := []string{person, service.UserID(person), hashOf(photos.MustRead("obama_1.jpg")), hashOf(photos.MustRead("obama_2.jpg")), hashOf(tiny)}
	for _, f := range h.FaceItems(t) {
		if f["Person"] == person {
			secrets = append(secrets, f["FaceId"].(string))
		}
	}
	if len(secrets) != 7 {
		t.Fatalf("fixture: %d secrets, want the name, the UserId, 3 hashes and 2 FaceIds", len(secrets))
	}
	if found := leftovers(t, h, secrets); len(found) == 0 {
		t.Fatal("fixture: the secrets are nowhere before the erasure, so the search proves nothing")
	}
	return secrets
}

// assertBidenIntact checks that the other person's image is untouched.
func assertBidenIntact(t *testing.T, h *harness) {
	t.Helper()
	if st := h.status(t, "d.jpg"); st.Status != contract.StatusIndexed || len(st.Faces) != 1 {
		t.Errorf("the other person's image: %+v", st)
	}
	if res := h.search(t, photos.MustRead("biden_2.jpg")); len(res.Faces) != 1 || len(res.Faces[0].Matches) != 1 {
		t.Errorf("search for the other person = %+v", res)
	}
}

// erasureRecords returns the table's erasure records.
func erasureRecords(t *testing.T, h *harness) []map[string]any {
	t.Helper()
	return h.Items(t, "ERASURE")
}

// TestDeletePerson_leavesNothing: once DeletePerson answers, the name, the
// UserId, the FaceIds and the images' hashes are nowhere: not in the
// collection, its users, any table item, any object version (the bucket is
// versioned) or the logs; an erasure record counts what went; the other
// person's image stays.
func TestDeletePerson_leavesNothing(t *testing.T) {
	h := newHarness(t)
	secrets := personFixture(t, h)
	out, err := h.Service.DeletePerson(t.Context(), "Barack Obama")
	if err != nil {
		t.Fatalf("DeletePerson: %v", err)
	}
	if want := []string{"index/a.jpg", "index/b.jpg", "index/c.png"}; out.DeletedFaces != 2 || !slices.Equal(out.DeletedImages, want) {
		t.Errorf("answer %+v, want 2 faces and images %v", out, want)
	}
	if found := leftovers(t, h, secrets); len(found) > 0 {
		t.Errorf("after the erasure:\n%s", strings.Join(found, "\n"))
	}
	recs := erasureRecords(t, h)
	if len(recs) != 1 {
		t.Fatalf("%d erasure records, want 1", len(recs))
	}
	r := recs[0]
	if r["Kind"] != contract.ErasurePerson || r["Faces"] != 2.0 || r["Versions"] != 4.0 || r["Users"] != 1.0 || len(r["Keys"].([]any)) != 3 {
		t.Errorf("erasure record %v, want 2 faces, 4 versions, 1 user, 3 keys", r)
	}
	for _, key := range []string{"index/a.jpg", "index/b.jpg", "index/c.png"} {
		img := h.ImageItem(t, key)
		if img["Status"] != service.StatusRemoved || img["ExpiresAt"] == nil {
			t.Errorf("%s: item %v, want a tombstone with a time to live", key, img)
		}
	}
	assertBidenIntact(t, h)
	if _, err := h.Service.DeletePerson(t.Context(), "Barack Obama"); kindOf(err) != service.KindNotFound {
		t.Errorf("erasing again: %v, want not found", err)
	}
}

// TestDeleteImage_erasesEveryVersion: DeleteImage deletes every version
// and delete marker of the object, its faces and its item's name and hash,
// and records the erasure; a filename never stored is erased too (zero
// counts).
func TestDeleteImage_erasesEveryVersion(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_2.jpg", "Barack Obama")
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	faceID := servicetest.FaceIDs(h.FaceItems(t))[0]
	if _, err := h.S3.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(h.Bucket), Key: aws.String("index/a.jpg")}); err != nil {
		t.Fatal(err) // a plain delete: a delete marker over two versions
	}
	out, err := h.Service.DeleteImage(t.Context(), "a.jpg")
	if err != nil {
		t.Fatalf("DeleteImage: %v", err)
	}
	if *out != (contract.DeletedImage{Key: "index/a.jpg", DeletedFaces: 1, DeletedVersions: 3}) {
		t.Errorf("answer %+v, want 1 face and 3 versions (2 and a delete marker)", out)
	}
	// The person item stays (the person is not erased; the sweeper
	// removes it once no face is left): the name is not searched for.
	secrets := []string{faceID, hashOf(photos.MustRead("obama_1.jpg")), hashOf(photos.MustRead("obama_2.jpg"))}
	if found := leftovers(t, h, secrets); len(found) > 0 {
		t.Errorf("after the erasure:\n%s", strings.Join(found, "\n"))
	}
	v, err := h.S3.ListObjectVersions(t.Context(), &s3.ListObjectVersionsInput{Bucket: aws.String(h.Bucket)})
	if err != nil || len(v.Versions)+len(v.DeleteMarkers) != 0 {
		t.Errorf("versions left: %+v, %v", v, err)
	}
	if out, err := h.Service.DeleteImage(t.Context(), "never.jpg"); err != nil || out.DeletedFaces+out.DeletedVersions != 0 {
		t.Errorf("erasing a filename never stored: %+v, %v", out, err)
	}
	if n := len(erasureRecords(t, h)); n != 2 {
		t.Errorf("%d erasure records, want 2", n)
	}
}

// refusingRekognition refuses to delete every face while refuse is set,
// as Rekognition answers for a face of a user, whatever was
// disassociated.
type refusingRekognition struct {
	service.Rekognition
	refuse bool
}

func (r *refusingRekognition) DeleteFaces(ctx context.Context, in *rekognition.DeleteFacesInput, opts ...func(*rekognition.Options)) (*rekognition.DeleteFacesOutput, error) {
	if !r.refuse {
		return r.Rekognition.DeleteFaces(ctx, in, opts...)
	}
	out := &rekognition.DeleteFacesOutput{}
	for _, id := range in.FaceIds {
		out.UnsuccessfulFaceDeletions = append(out.UnsuccessfulFaceDeletions, rtypes.UnsuccessfulFaceDeletion{
			FaceId: aws.String(id), UserId: aws.String(service.UserID("Barack Obama")),
			Reasons: []rtypes.UnsuccessfulFaceDeletionReason{rtypes.UnsuccessfulFaceDeletionReasonAssociatedToAnExistingUser},
		})
	}
	return out, nil
}

// failingObjects fails the next fail versioned deletes with S3's 503.
type failingObjects struct {
	service.ObjectGetter
	fail int
}

func (o *failingObjects) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	if o.fail > 0 && in.VersionId != nil {
		o.fail--
		return nil, context.DeadlineExceeded
	}
	return o.ObjectGetter.DeleteObject(ctx, in, opts...)
}

// TestDeletePerson_faultsNeverAnswerWithLeftovers: when Rekognition keeps
// refusing a delete, DynamoDB leaves batch writes unprocessed, Rekognition
// throttles or S3 fails, DeletePerson fails with a retryable error (never
// success with something left), and repeating it finishes the erasure.
func TestDeletePerson_faultsNeverAnswerWithLeftovers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inject func(h *harness, rek *refusingRekognition, objects *failingObjects)
		heal   func(h *harness, rek *refusingRekognition, objects *failingObjects)
		want   service.Kind
	}{
		{"DeleteFaces refuses", func(_ *harness, rek *refusingRekognition, _ *failingObjects) { rek.refuse = true },
			func(_ *harness, rek *refusingRekognition, _ *failingObjects) { rek.refuse = false }, service.KindUnavailable},
		// 8 answers with unprocessed items: all the table's retries of one
		// batch.
		{"UnprocessedItems", func(h *harness, _ *refusingRekognition, _ *failingObjects) { h.DB.UnprocessedNext("BatchWriteItem", 8) },
			func(*harness, *refusingRekognition, *failingObjects) {}, service.KindThrottled},
		{"DeleteFaces throttled", func(h *harness, _ *refusingRekognition, _ *failingObjects) {
			h.Rek.FailNext("DeleteFaces", 1, "ThrottlingException", http.StatusBadRequest)
		}, func(*harness, *refusingRekognition, *failingObjects) {}, service.KindThrottled},
		{"DisassociateFaces fails", func(h *harness, _ *refusingRekognition, _ *failingObjects) {
			h.Rek.FailNext("DisassociateFaces", 1, "InternalServerError", http.StatusInternalServerError)
		}, func(*harness, *refusingRekognition, *failingObjects) {}, service.KindUpstream},
		{"S3 delete fails", func(_ *harness, _ *refusingRekognition, o *failingObjects) { o.fail = 1 },
			func(*harness, *refusingRekognition, *failingObjects) {}, service.KindUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rek := &refusingRekognition{}
			objects := &failingObjects{}
			h := newHarness(t, func(p *servicetest.Parts) {
				rek.Rekognition, p.Rekognition = p.Rekognition, rek
				objects.ObjectGetter, p.Objects = p.Objects, objects
			})
			secrets := personFixture(t, h)
			tc.inject(h, rek, objects)
			_, err := h.Service.DeletePerson(t.Context(), "Barack Obama")
			if kindOf(err) != tc.want || !kindOf(err).Temporary() {
				t.Fatalf("DeletePerson with the fault: %v (kind %d), want retryable kind %d", err, kindOf(err), tc.want)
			}
			if e := service.AsError(err); e.Kind == service.KindUnavailable && e.Service == "Rekognition" && e.RetryAfter <= 0 {
				t.Errorf("no Retry-After for faces left: %+v", e)
			}
			tc.heal(h, rek, objects)
			if _, err := h.Service.DeletePerson(t.Context(), "Barack Obama"); err != nil {
				t.Fatalf("repeated DeletePerson: %v", err)
			}
			if found := leftovers(t, h, secrets); len(found) > 0 {
				t.Errorf("after the repeated erasure:\n%s", strings.Join(found, "\n"))
			}
			assertBidenIntact(t, h)
		})
	}
}

// TestSweep_crashBetweenIndexFacesAndTableWrite: a run indexes a face and
// crashes before recording it (its table write and its cleanup both
// fail). The sweeper leaves the face alone within the grace period, then
// removes it; the retried run indexes the image once, and a later sweep
// finds nothing to remove.
func TestSweep_crashBetweenIndexFacesAndTableWrite(t *testing.T) {
	h := newHarness(t)
	h.Put(t, "index/a.jpg", "obama_1.jpg", "")
	h.DB.FailNext("BatchWriteItem", 1, "InternalServerError", http.StatusInternalServerError)
	h.Rek.FailNext("DeleteFaces", 1, "InternalServerError", http.StatusInternalServerError)
	if _, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg"); err == nil {
		t.Fatal("the crashed run reported success")
	}
	if n, m := len(h.Rek.Faces()), len(h.FaceItems(t)); n != 1 || m != 0 {
		t.Fatalf("%d collection faces and %d face items after the crash, want 1 and 0", n, m)
	}
	now := time.Now()
	for _, at := range []time.Time{now, now.Add(service.SweepGrace - time.Minute)} {
		if res, err := h.Service.Sweep(t.Context(), at); err != nil || res.FacesRemoved != 0 {
			t.Fatalf("sweep within the grace period: %+v, %v; want nothing removed", res, err)
		}
	}
	res, err := h.Service.Sweep(t.Context(), now.Add(service.SweepGrace))
	if err != nil || res.FacesRemoved != 1 {
		t.Fatalf("sweep after the grace period: %+v, %v; want the face removed", res, err)
	}
	if n := len(h.Rek.Faces()); n != 0 {
		t.Errorf("%d faces without a record after the sweep", n)
	}
	h.reconcile(t, "index/a.jpg")
	assertConsistent(t, h, "index/a.jpg", 1)
	for _, at := range []time.Time{now.Add(2 * service.SweepGrace), now.Add(3 * service.SweepGrace)} {
		if res, err := h.Service.Sweep(t.Context(), at); err != nil || res != (service.SweepResult{}) {
			t.Errorf("sweep of a consistent service: %+v, %v; want nothing done", res, err)
		}
	}
	assertConsistent(t, h, "index/a.jpg", 1)
}

// TestReconcile_failedAssociationStaysPending: an image whose faces could
// not be associated with its person is pending, not indexed; the sweeper
// (after an index run's longest time) associates them and commits it
// indexed, without the queue.
func TestReconcile_failedAssociationStaysPending(t *testing.T) {
	h := newHarness(t)
	h.Put(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	h.Rek.FailNext("AssociateFaces", 1, "ThrottlingException", http.StatusBadRequest)
	if _, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg"); kindOf(err) != service.KindThrottled {
		t.Fatalf("Reconcile with AssociateFaces throttled: %v, want throttled", err)
	}
	if st := h.status(t, "a.jpg"); st.Status != contract.StatusPending {
		t.Errorf("status %+v, want pending", st)
	}
	now := time.Now()
	if res, err := h.Service.Sweep(t.Context(), now); err != nil || res.AssociationsRetried != 0 {
		t.Errorf("sweep while the run may still be running: %+v, %v; want nothing", res, err)
	}
	res, err := h.Service.Sweep(t.Context(), now.Add(contract.MaxIndexRunSeconds*time.Second))
	if err != nil || res.AssociationsRetried != 1 {
		t.Fatalf("sweep: %+v, %v; want one association retried", res, err)
	}
	if st := h.status(t, "a.jpg"); st.Status != contract.StatusIndexed {
		t.Errorf("status after the sweep %+v, want indexed", st)
	}
	if f := h.Rek.Faces(); len(f) != 1 || f[0].UserID != service.UserID("Barack Obama") {
		t.Errorf("collection %+v, want the face associated with the person's user", f)
	}
	assertConsistent(t, h, "index/a.jpg", 1)
}

// TestSweep_personWithoutFaces: a person whose last face was deleted
// stays listed until the sweeper, after the grace period, removes its
// item and its user.
func TestSweep_personWithoutFaces(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	if _, err := h.Service.DeleteFace(t.Context(), servicetest.FaceIDs(h.FaceItems(t))[0]); err != nil {
		t.Fatal(err)
	}
	if n := len(h.Items(t, "PERSON")); n != 1 {
		t.Fatalf("%d person items after the face's deletion, want 1 until the sweep", n)
	}
	h.indexPhoto(t, "index/a.jpg", "biden_2.jpg", "biden") // the image no longer names the person
	now := time.Now()
	if res, err := h.Service.Sweep(t.Context(), now); err != nil || res.PersonsRemoved != 0 {
		t.Fatalf("first sweep: %+v, %v; want nothing removed", res, err)
	}
	res, err := h.Service.Sweep(t.Context(), now.Add(service.SweepGrace))
	if err != nil || res.PersonsRemoved != 1 || res.UsersRemoved != 1 {
		t.Fatalf("sweep after the grace period: %+v, %v; want the person and its user removed", res, err)
	}
	if p, u := h.Items(t, "PERSON"), h.Rek.Users(h.Collection); len(p) != 1 || p[0]["Person"] != "biden" || !slices.Equal(u, []string{service.UserID("biden")}) {
		t.Errorf("person items %v and users %v left, want biden's only", p, u)
	}
	if recs := erasureRecords(t, h); len(recs) != 1 || recs[0]["Kind"] != contract.ErasureFace {
		t.Errorf("erasure records %v, want the face's", recs)
	}
}

// TestDeletePerson_removesItsSweepMark: a sweep that once found the person
// empty wrote a sweep mark keyed by its UserId, which holds the name; the
// erasure of the person (once it has faces again) leaves no item that
// holds the UserId.
func TestDeletePerson_removesItsSweepMark(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	if _, err := h.Service.DeleteFace(t.Context(), servicetest.FaceIDs(h.FaceItems(t))[0]); err != nil {
		t.Fatal(err)
	}
	h.indexPhoto(t, "index/a.jpg", "biden_2.jpg", "biden")
	if _, err := h.Service.Sweep(t.Context(), time.Now()); err != nil {
		t.Fatal(err)
	}
	userID := service.UserID("Barack Obama")
	holding := func() []string {
		var ids []string
		for _, it := range h.DB.Items(h.Config.TableName) {
			b, err := json.Marshal(it)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), userID) {
				ids = append(ids, string(b))
			}
		}
		return ids
	}
	if len(holding()) < 2 {
		t.Fatalf("before the erasure, items holding the UserId: %v; want the person item and its sweep mark", holding())
	}
	h.indexPhoto(t, "index/b.jpg", "obama_2.jpg", "Barack Obama")
	if _, err := h.Service.DeletePerson(t.Context(), "Barack Obama"); err != nil {
		t.Fatal(err)
	}
	if left := holding(); len(left) > 0 {
		t.Errorf("after the erasure, items still hold the UserId: %v", left)
	}
}

// TestSweep_leavesOtherApplicationsFaces: in a shared collection
// (ExistingCollectionId), a face another application indexed has no
// record in this service's table, and its ExternalImageId does not start
// with the image prefix: the sweeper never removes it, while an
// unrecorded face of the service's own goes after the grace period.
func TestSweep_leavesOtherApplicationsFaces(t *testing.T) {
	h := newHarness(t)
	photo, err := photos.Read("obama_1.jpg")
	if err != nil {
		t.Fatal(err)
	}
	index := func(externalImageID string) string {
		out, err := h.Rekognition.IndexFaces(t.Context(), &rekognition.IndexFacesInput{
			CollectionId: aws.String(h.Collection), ExternalImageId: aws.String(externalImageID),
			Image: &rtypes.Image{Bytes: photo}, MaxFaces: aws.Int32(1),
		})
		if err != nil || len(out.FaceRecords) != 1 {
			t.Fatalf("IndexFaces %s: %v", externalImageID, err)
		}
		return aws.ToString(out.FaceRecords[0].Face.FaceId)
	}
	theirs := index("holiday-photos.jpg")
	ours := index(service.ExternalImageID(h.Config.ImagePrefix + "crashed.jpg"))
	now := time.Now()
	for _, at := range []time.Time{now, now.Add(service.SweepGrace)} {
		if _, err := h.Service.Sweep(t.Context(), at); err != nil {
			t.Fatal(err)
		}
	}
	var left []string
	for _, f := range h.Rek.Faces() {
		left = append(left, f.FaceID)
	}
	if !slices.Contains(left, theirs) || slices.Contains(left, ours) {
		t.Errorf("faces left %v; want the other application's %s kept and the service's unrecorded %s removed", left, theirs, ours)
	}
}

// missingUsers answers ListFaces of a UserId with Rekognition's
// ResourceNotFoundException, as for a user that does not exist.
type missingUsers struct{ service.Rekognition }

func (r missingUsers) ListFaces(ctx context.Context, in *rekognition.ListFacesInput, opts ...func(*rekognition.Options)) (*rekognition.ListFacesOutput, error) {
	if in.UserId != nil {
		return nil, &rtypes.ResourceNotFoundException{Message: aws.String("The user does not exist")}
	}
	return r.Rekognition.ListFaces(ctx, in, opts...)
}

// TestSweep_personWhoseUserIsMissing: a person item without faces whose
// Rekognition user does not exist (ListFaces of it answers
// ResourceNotFoundException) is swept like one whose user has no faces;
// the sweep does not stop there.
func TestSweep_personWhoseUserIsMissing(t *testing.T) {
	h := newHarness(t, func(p *servicetest.Parts) { p.Rekognition = missingUsers{p.Rekognition} })
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	if _, err := h.Service.DeleteImage(t.Context(), "a.jpg"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Rekognition.DeleteUser(t.Context(), &rekognition.DeleteUserInput{CollectionId: aws.String(h.Collection), UserId: aws.String(service.UserID("Barack Obama"))}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := h.Service.Sweep(t.Context(), now); err != nil {
		t.Fatalf("first sweep: %v", err)
	}
	res, err := h.Service.Sweep(t.Context(), now.Add(service.SweepGrace))
	if err != nil || res.PersonsRemoved != 1 || res.UsersRemoved != 0 {
		t.Fatalf("sweep after the grace period: %+v, %v; want the person removed (its user was gone)", res, err)
	}
	if p := h.Items(t, "PERSON"); len(p) != 0 {
		t.Errorf("person items left: %v", p)
	}
}

// TestDeletePerson_erasesEveryFaceOfItsUser: a face of the person's
// Rekognition user whose items name another name (PersonIndex did not
// show it yet, or a rename relabelled it before the person item recorded
// the rename) is found through the user (ListFaces of its UserId) and
// erased with its image.
func TestDeletePerson_erasesEveryFaceOfItsUser(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	h.indexPhoto(t, "index/b.jpg", "obama_2.jpg", "Barack Obama")
	tb := dynamotable.New(h.DynamoDB, h.Table)
	ctx := t.Context()
	faces, err := tb.FacesOfObject(ctx, h.Bucket, "index/b.jpg")
	if err != nil || len(faces) != 1 {
		t.Fatalf("b.jpg's faces: %v, %v", faces, err)
	}
	stray := faces[0]
	stray.Person = "Elsewhere"
	if err := tb.RelabelFaces(ctx, []service.FaceItem{stray}, "Barack Obama"); err != nil {
		t.Fatal(err)
	}
	img, err := tb.GetImage(ctx, h.Bucket, "index/b.jpg")
	if err != nil || img == nil {
		t.Fatalf("b.jpg's image item: %v, %v", img, err)
	}
	next := *img
	next.Person, next.Version = "Elsewhere", img.Version+1
	if err := tb.PutImage(ctx, next, img.Version); err != nil {
		t.Fatal(err)
	}
	res, err := h.Service.DeletePerson(ctx, "Barack Obama")
	if err != nil || !slices.Equal(res.DeletedImages, []string{"index/a.jpg", "index/b.jpg"}) || res.DeletedFaces != 2 {
		t.Fatalf("DeletePerson = %+v, %v; want both images and both faces", res, err)
	}
	secrets := []string{stray.FaceID, hashOf(photos.MustRead("obama_2.jpg")), "Elsewhere", service.UserID("Barack Obama")}
	if found := leftovers(t, h, secrets); len(found) > 0 {
		t.Errorf("after the erasure:\n%s", strings.Join(found, "\n"))
	}
}

// TestSweep_leavesAnUnfinishedRename: a person item whose rename stopped
// midway (Renaming set), with no face or image under either name, is not
// swept: the sweep would remove the user and the person item but not the
// other name's alias; the rename's repeat or an erasure finishes it.
func TestSweep_leavesAnUnfinishedRename(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "Barack Obama")
	if _, err := h.Service.DeleteImage(t.Context(), "a.jpg"); err != nil {
		t.Fatal(err)
	}
	tb := dynamotable.New(h.DynamoDB, h.Table)
	userID := service.UserID("Barack Obama")
	if err := tb.PutPerson(t.Context(), service.PersonItem{Person: "Barack Obama", UserID: userID, Renaming: "Barack H. Obama"}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, at := range []time.Time{now, now.Add(service.SweepGrace)} {
		if res, err := h.Service.Sweep(t.Context(), at); err != nil || res.PersonsRemoved != 0 {
			t.Fatalf("sweep at %v: %+v, %v; want no person removed", at, res, err)
		}
	}
	if p := h.Items(t, "PERSON"); len(p) != 1 {
		t.Errorf("person items: %v, want the renaming one", p)
	}
}
