package service_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/awstest"
	"github.com/facerec/facerec-cdk/internal/dynamotable"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// barrierRekognition holds every IndexFaces call until n calls have
// arrived, so that n runs overlap exactly where races hurt.
type barrierRekognition struct {
	service.Rekognition
	arrived sync.WaitGroup
}

func (b *barrierRekognition) IndexFaces(ctx context.Context, in *rekognition.IndexFacesInput, opts ...func(*rekognition.Options)) (*rekognition.IndexFacesOutput, error) {
	b.arrived.Done()
	b.arrived.Wait()
	return b.Rekognition.IndexFaces(ctx, in, opts...)
}

// TestReconcile_concurrentRunsKeepOneConsistentVersion: two runs on the
// same new object overlap at IndexFaces; one commits, the other removes
// the faces it indexed, starts over and finds nothing to do.
func TestReconcile_concurrentRunsKeepOneConsistentVersion(t *testing.T) {
	barrier := &barrierRekognition{}
	barrier.arrived.Add(2)
	h := newHarness(t, func(p *servicetest.Parts) { barrier.Rekognition = p.Rekognition; p.Rekognition = barrier })
	h.Put(t, "index/a.jpg", "obama_1.jpg", "")
	results := make([]service.IndexResult, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { results[i], errs[i] = h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg") })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("run failed: %v", err)
		}
	}
	if n := h.Rek.Calls("IndexFaces"); n != 2 {
		t.Errorf("IndexFaces called %d times, want 2 (both runs overlapped)", n)
	}
	if !slices.ContainsFunc(results, func(r service.IndexResult) bool { return r.Outcome == service.OutcomeUnchanged }) {
		t.Errorf("the losing run did not start over: results %+v", results)
	}
	assertConsistent(t, h, "index/a.jpg", 1)
}

// hookRekognition runs hook once, at the first IndexFaces call, before
// passing the call on: a way to run other work inside a run.
type hookRekognition struct {
	service.Rekognition
	hook func()
}

func (r *hookRekognition) IndexFaces(ctx context.Context, in *rekognition.IndexFacesInput, opts ...func(*rekognition.Options)) (*rekognition.IndexFacesOutput, error) {
	if h := r.hook; h != nil {
		r.hook = nil
		h()
	}
	return r.Rekognition.IndexFaces(ctx, in, opts...)
}

// TestReconcile_deleteDuringIndexingWins: the object is deleted, and
// reconciled as its delete event would, while a run indexes it; the run
// cannot commit, and nothing of the image stays searchable.
func TestReconcile_deleteDuringIndexingWins(t *testing.T) {
	rek := &hookRekognition{}
	h := newHarness(t, func(p *servicetest.Parts) { rek.Rekognition = p.Rekognition; p.Rekognition = rek })
	h.Put(t, "index/a.jpg", "obama_1.jpg", "")
	rek.hook = func() {
		if _, err := h.S3.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(h.Bucket), Key: aws.String("index/a.jpg")}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg"); err != nil {
			t.Fatalf("delete run: %v", err)
		}
	}
	if _, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg"); err != nil {
		t.Fatalf("create run: %v", err)
	}
	if img := h.ImageItem(t, "index/a.jpg"); img["Status"] != service.StatusRemoved {
		t.Errorf("image item = %v, want the tombstone", img)
	}
	if n, m := len(h.Rek.Faces()), len(h.FaceItems(t)); n+m != 0 {
		t.Errorf("%d collection faces and %d face items left for a deleted object", n, m)
	}
}

// lostAnswerDB applies the first conditional PutItem and then answers as
// the SDK's retry of a write whose answer was lost would: condition failed.
type lostAnswerDB struct {
	dynamotable.API
	done bool
}

func (d *lostAnswerDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	out, err := d.API.PutItem(ctx, in, opts...)
	if err != nil || d.done || in.ConditionExpression == nil {
		return out, err
	}
	d.done = true
	return d.API.PutItem(ctx, in, opts...)
}

// TestReconcile_commitWithLostAnswerKeepsFaces: a commit that was applied
// but reported as a conflict is recognized as the run's own.
func TestReconcile_commitWithLostAnswerKeepsFaces(t *testing.T) {
	h := newHarness(t, func(p *servicetest.Parts) { p.DynamoDB = &lostAnswerDB{API: p.DynamoDB} })
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "")
	assertConsistent(t, h, "index/a.jpg", 1)
	if st := h.status(t, "a.jpg"); len(st.Faces) != 1 {
		t.Errorf("status = %+v, want its face", st)
	}
}

// TestReconcile_failedRunsFacesAreRemovedByTheWinner: a run that fails
// after writing its faces (its commit errors) leaves them; the run that
// commits removes them, and redeliveries change nothing.
func TestReconcile_failedRunsFacesAreRemovedByTheWinner(t *testing.T) {
	rek := &hookRekognition{}
	h := newHarness(t, func(p *servicetest.Parts) { rek.Rekognition = p.Rekognition; p.Rekognition = rek })
	h.Put(t, "index/a.jpg", "obama_1.jpg", "")
	rek.hook = func() {
		h.DB.FailNext("PutItem", 1, "InternalServerError", http.StatusInternalServerError)
		if _, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg"); err == nil {
			t.Error("the inner run's commit failed, but it reported success")
		}
	}
	h.reconcile(t, "index/a.jpg")
	assertConsistent(t, h, "index/a.jpg", 1)
	for range 2 {
		h.reconcile(t, "index/a.jpg")
	}
	assertConsistent(t, h, "index/a.jpg", 1)
}

// assertConsistent checks that the image item of key, its face items and
// the collection agree, with faces faces.
func assertConsistent(t *testing.T, h *harness, key string, faces int) {
	t.Helper()
	img := h.ImageItem(t, key)
	items := h.FaceItems(t)
	stored := h.Rek.Faces()
	ids, _ := img["FaceIds"].([]string)
	if img == nil || len(ids) != faces || len(items) != faces || len(stored) != faces {
		t.Fatalf("image item %v, %d face items, %d collection faces; want %d of each", img, len(items), len(stored), faces)
	}
	for i, id := range ids {
		if items[i]["FaceId"] != id && !slices.Contains(servicetest.FaceIDs(items), id) {
			t.Errorf("image item names %s, which has no face item", id)
		}
	}
	for _, f := range stored {
		if !slices.Contains(ids, f.FaceID) {
			t.Errorf("collection face %s is not in the image item", f.FaceID)
		}
	}
}

// TestReconcile_failureAfterIndexFacesLeavesNoFaces: when the table write
// fails after IndexFaces, the run removes the faces it indexed, and the
// retry indexes the image once.
func TestReconcile_failureAfterIndexFacesLeavesNoFaces(t *testing.T) {
	h := newHarness(t)
	h.Put(t, "index/a.jpg", "obama_1.jpg", "")
	h.DB.FailNext("BatchWriteItem", 1, "InternalServerError", http.StatusInternalServerError)
	if _, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg"); err == nil {
		t.Fatal("the run succeeded despite the failed table write")
	}
	if n := len(h.Rek.Faces()); n != 0 {
		t.Errorf("%d faces left in the collection by the failed run", n)
	}
	h.reconcile(t, "index/a.jpg")
	assertConsistent(t, h, "index/a.jpg", 1)
}

// etagObjects reports every object with ETag etag, as a multipart upload
// of the same bytes would.
type etagObjects struct {
	service.ObjectGetter
	etag string
}

func (o etagObjects) GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	out, err := o.ObjectGetter.GetObject(ctx, in, opts...)
	if err == nil && o.etag != "" {
		out.ETag = aws.String(`"` + o.etag + `"`)
	}
	return out, err
}

func (o etagObjects) HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	out, err := o.ObjectGetter.HeadObject(ctx, in, opts...)
	if err == nil && o.etag != "" {
		out.ETag = aws.String(`"` + o.etag + `"`)
	}
	return out, err
}

// TestReconcile_sameBytesNewETagStaysIndexed: the same bytes uploaded again
// with another ETag are not re-indexed, and the status is not left pending.
func TestReconcile_sameBytesNewETagStaysIndexed(t *testing.T) {
	objects := &etagObjects{}
	h := newHarness(t, func(p *servicetest.Parts) { objects.ObjectGetter = p.Objects; p.Objects = objects })
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "")
	objects.etag = "0123456789abcdef0123456789abcdef-2"
	h.reconcile(t, "index/a.jpg")
	if n := h.Rek.Calls("IndexFaces"); n != 1 {
		t.Errorf("IndexFaces called %d times, want 1", n)
	}
	if st := h.status(t, "a.jpg"); st.Status != contract.StatusIndexed || len(st.Faces) != 1 {
		t.Errorf("status = %+v, want indexed with its face", st)
	}
}

// TestReconcile_largeImagesGoThroughS3: images over Rekognition's 5 MB
// inline limit and up to 15 MB are indexed from S3.
func TestReconcile_largeImagesGoThroughS3(t *testing.T) {
	h := newHarness(t)
	big := append(append([]byte{}, photos.MustRead("biden_2.jpg")...), bytes.Repeat([]byte{0}, 6<<20)...)
	h.Rek.SetFaces(big, servicetest.PhotoFaces["biden_2.jpg"]...)
	h.PutObject(t, "index/big.jpg", big, nil)
	h.reconcile(t, "index/big.jpg")
	assertConsistent(t, h, "index/big.jpg", 1)
}

// TestReconcile_permanentRekognitionErrorRejects: an image Rekognition
// refuses is recorded as rejected, not retried.
func TestReconcile_permanentRekognitionErrorRejects(t *testing.T) {
	h := newHarness(t)
	h.Put(t, "index/a.jpg", "obama_1.jpg", "")
	h.Rek.FailNext("IndexFaces", 1, "InvalidImageFormatException", http.StatusBadRequest)
	h.reconcile(t, "index/a.jpg")
	if img := h.ImageItem(t, "index/a.jpg"); img["Status"] != contract.StatusRejected || !strings.Contains(img["Reason"].(string), "JPEG or PNG") {
		t.Errorf("image item = %v", img)
	}
}

// TestReconcile_unprocessedBatchesEndInRetry: DynamoDB leaving a batch
// unprocessed on every attempt makes Reconcile fail (so the message is
// retried), with the cause in its error, and leaves no faces behind.
func TestReconcile_unprocessedBatchesEndInRetry(t *testing.T) {
	h := newHarness(t)
	h.Put(t, "index/a.jpg", "obama_1.jpg", "")
	h.DB.UnprocessedNext("BatchWriteItem", 100)
	_, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg")
	if err == nil {
		t.Fatal("Reconcile succeeded, want the run failed for a retry")
	}
	if !strings.Contains(err.Error(), "unprocessed") {
		t.Errorf("the cause is not in the error: %v", err)
	}
	if n := len(h.Rek.Faces()); n != 0 {
		t.Errorf("%d faces left in the collection", n)
	}
}

// hookPutDB runs hook once, before the first conditional PutItem (a
// commit), to interleave other work with a run.
type hookPutDB struct {
	dynamotable.API
	hook func()
}

func (d *hookPutDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if h := d.hook; h != nil && in.ConditionExpression != nil {
		d.hook = nil
		h()
	}
	return d.API.PutItem(ctx, in, opts...)
}

// assertIndexedAs checks that key's image is indexed, consistent, with the
// one face of identity (per the Rekognition stand-in).
func assertIndexedAs(t *testing.T, h *harness, key, identity string) {
	t.Helper()
	assertConsistent(t, h, key, 1)
	if st := h.status(t, strings.TrimPrefix(key, "index/")); st.Status != contract.StatusIndexed || len(st.Faces) != 1 {
		t.Errorf("status = %+v, want indexed with one face", st)
	}
	if got := h.Rek.Faces()[0].Identity; got != identity {
		t.Errorf("the collection holds %s's face, want %s's", got, identity)
	}
}

// TestReconcile_deleteThenSameBytesAgain: the delete run sees the object
// gone; before it commits, the same bytes are uploaded again and their run
// decides "unchanged". That decision commits, so the delete run loses.
func TestReconcile_deleteThenSameBytesAgain(t *testing.T) {
	db := &hookPutDB{}
	h := newHarness(t, func(p *servicetest.Parts) { db.API = p.DynamoDB; p.DynamoDB = db })
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "")
	if _, err := h.S3.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(h.Bucket), Key: aws.String("index/a.jpg")}); err != nil {
		t.Fatal(err)
	}
	db.hook = func() {
		h.Put(t, "index/a.jpg", "obama_1.jpg", "")
		if _, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg"); err != nil {
			t.Errorf("upload run: %v", err)
		}
	}
	if _, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg"); err != nil {
		t.Fatalf("delete run: %v", err)
	}
	assertIndexedAs(t, h, "index/a.jpg", "obama")
}

// TestReconcile_ABA: A is indexed; B is uploaded and its run indexes it;
// meanwhile A is uploaded again and its run decides "unchanged". B's run
// must not commit over the newer decision.
func TestReconcile_ABA(t *testing.T) {
	rek := &hookRekognition{}
	h := newHarness(t, func(p *servicetest.Parts) { rek.Rekognition = p.Rekognition; p.Rekognition = rek })
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "")
	h.Put(t, "index/a.jpg", "biden_2.jpg", "")
	rek.hook = func() {
		h.Put(t, "index/a.jpg", "obama_1.jpg", "")
		if _, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg"); err != nil {
			t.Errorf("A run: %v", err)
		}
	}
	if _, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg"); err != nil {
		t.Fatalf("B run: %v", err)
	}
	assertIndexedAs(t, h, "index/a.jpg", "obama")
}

// lostAnswerGetFailsDB applies the first commit, answers it as a lost
// answer would (condition failed), and fails the read-back once.
type lostAnswerGetFailsDB struct {
	dynamotable.API
	fake *awstest.FakeDynamoDB
	done bool
}

func (d *lostAnswerGetFailsDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	out, err := d.API.PutItem(ctx, in, opts...)
	if err != nil || d.done || in.ConditionExpression == nil {
		return out, err
	}
	d.done = true
	d.fake.FailNext("GetItem", 1, "InternalServerError", http.StatusInternalServerError)
	return d.API.PutItem(ctx, in, opts...)
}

// TestReconcile_unknownCommitOutcomeKeepsFaces: when a commit's answer is
// lost and reading it back fails too, the run keeps its faces and asks for
// a retry, which finds them committed.
func TestReconcile_unknownCommitOutcomeKeepsFaces(t *testing.T) {
	db := &lostAnswerGetFailsDB{}
	h := newHarness(t, func(p *servicetest.Parts) { db.API = p.DynamoDB; p.DynamoDB = db })
	db.fake = h.DB
	h.Put(t, "index/a.jpg", "obama_1.jpg", "")
	if _, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg"); err == nil {
		t.Error("a run whose commit could not be confirmed reported success")
	}
	h.reconcile(t, "index/a.jpg")
	assertIndexedAs(t, h, "index/a.jpg", "obama")
}

// TestReconcile_failedRunThenRevert: a run for B fails to commit and leaves
// its faces; the object goes back to A; the next run removes B's faces.
func TestReconcile_failedRunThenRevert(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/a.jpg", "obama_1.jpg", "")
	h.Put(t, "index/a.jpg", "biden_2.jpg", "")
	h.DB.FailNext("PutItem", 1, "InternalServerError", http.StatusInternalServerError)
	h.Rek.FailNext("DeleteFaces", 1, "InternalServerError", http.StatusInternalServerError) // its cleanup fails too
	if _, err := h.Service.Reconcile(t.Context(), h.Bucket, "index/a.jpg"); err == nil {
		t.Fatal("the failed run reported success")
	}
	if n := len(h.Rek.Faces()); n != 2 {
		t.Fatalf("%d collection faces after the failed run, want its face left beside A's", n)
	}
	h.Put(t, "index/a.jpg", "obama_1.jpg", "")
	h.reconcile(t, "index/a.jpg")
	assertIndexedAs(t, h, "index/a.jpg", "obama")
	if res := h.search(t, photos.MustRead("biden_2.jpg")); len(res.Faces) != 1 || len(res.Faces[0].Matches) != 0 {
		t.Errorf("search for biden = %+v, want no match", res)
	}
}
