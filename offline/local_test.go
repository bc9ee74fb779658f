package offline

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/faceengine"
)

// testEngine loads the face engine, with its embedded model, once for all
// the tests that need it.
var testEngine = sync.OnceValues(func() (*faceengine.Engine, error) {
	return faceengine.New("")
})

// testLocal returns a Local on a new data directory with the shared
// engine and a quiet log, closed when the test ends.
func testLocal(t *testing.T) *Local {
	t.Helper()
	return testLocalLogging(t, quietLog())
}

// testLocalLogging is testLocal with the logger log.
func testLocalLogging(t *testing.T, log *slog.Logger) *Local {
	t.Helper()
	engine, err := testEngine()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db, err := openDB(filepath.Join(dir, "facerec.db"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := assemble(Options{DataDir: dir, Log: log}, db, engine)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestObjects_anyKeyStaysInsideTheDirectory(t *testing.T) {
	dir := t.TempDir()
	o, err := newObjects(filepath.Join(dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../../escape.jpg", "index/Jane Doe+1.jpg", "index/日本.png", "/abs"} {
		if _, err := o.Put(key, []byte("data:"+key), "image/jpeg", map[string]string{"person": "p"}); err != nil {
			t.Fatalf("put %q: %v", key, err)
		}
		out, err := o.GetObject(context.Background(), &s3.GetObjectInput{Key: aws.String(key)})
		if err != nil {
			t.Fatalf("get %q: %v", key, err)
		}
		b, _ := io.ReadAll(out.Body)
		if string(b) != "data:"+key || out.Metadata["person"] != "p" || aws.ToString(out.ETag) == "" {
			t.Errorf("get %q = %q %v", key, b, out.Metadata)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "escape.jpg")); err == nil {
		t.Error("a ../ key was written outside the objects directory")
	}
	assertNoObject(t, o, "missing")
}

// assertNoObject wants GetObject of key to fail with S3's NoSuchKey and
// HeadObject with NotFound, as S3 answers for a missing or deleted key.
func assertNoObject(t *testing.T, o *Objects, key string) {
	t.Helper()
	_, err := o.GetObject(context.Background(), &s3.GetObjectInput{Key: aws.String(key)})
	var nsk *s3types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Errorf("GetObject of %q: %v, want *types.NoSuchKey", key, err)
	}
	_, err = o.HeadObject(context.Background(), &s3.HeadObjectInput{Key: aws.String(key)})
	var nf *s3types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("HeadObject of %q: %v, want *types.NotFound", key, err)
	}
}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestQueue_retriesThenDeadLetters: a message that keeps failing is tried
// MaxReceives times and then kept in the dead-letter directory.
func TestQueue_retriesThenDeadLetters(t *testing.T) {
	dir := t.TempDir()
	var calls atomic.Int32
	q, err := newQueue(dir, func(context.Context, json.RawMessage) (*events.SQSEventResponse, error) {
		calls.Add(1)
		return &events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "x"}}}, nil
	}, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	q.MaxReceives, q.Backoff = 3, time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := q.Start(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := q.Send([]byte(`{"Records":[]}`)); err != nil {
		t.Fatal(err)
	}
	dctx, dcancel := context.WithTimeout(ctx, time.Minute)
	defer dcancel()
	if err := q.Drain(dctx); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("handled %d times, want 3", n)
	}
	dead, _ := os.ReadDir(filepath.Join(dir, "dead-letter"))
	queued, _ := os.ReadDir(filepath.Join(dir, "queue"))
	if len(dead) != 1 || len(queued) != 0 {
		t.Errorf("dead-letter holds %d, queue %d; want 1 and 0", len(dead), len(queued))
	}
}

// TestQueue_keepsMessagesAcrossRestart: messages sent while no worker ran
// are processed by the next start.
func TestQueue_keepsMessagesAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	first, err := newQueue(dir, nil, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := first.Send([]byte(`{"Records":[]}`)); err != nil {
			t.Fatal(err)
		}
	}
	var got atomic.Int32
	second, err := newQueue(dir, func(_ context.Context, raw json.RawMessage) (*events.SQSEventResponse, error) {
		var ev events.SQSEvent
		if err := json.Unmarshal(raw, &ev); err != nil || len(ev.Records) != 1 || ev.Records[0].Body != `{"Records":[]}` {
			t.Errorf("event = %s", raw)
		}
		got.Add(1)
		return &events.SQSEventResponse{}, nil
	}, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := second.Start(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := second.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got.Load() != 3 {
		t.Errorf("processed %d messages after restart, want 3", got.Load())
	}
}

// TestOpenDB_refusesADirectoryInUse: a second opener of the database (as
// facerec invoke on the data directory of a running facerec serve) gets a
// clear error instead of waiting forever for the file lock.
func TestOpenDB_refusesADirectoryInUse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "facerec.db")
	db, err := openDB(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	errc := make(chan error, 1)
	go func() {
		second, err := openDB(path)
		if err == nil {
			second.Close()
		}
		errc <- err
	}()
	select {
	case err = <-errc:
	case <-time.After(time.Minute):
		t.Fatal("the second openDB is still waiting for the lock after a minute")
	}
	want := "the data directory " + dir + " is in use by another facerec process (is facerec serve running?)"
	if err == nil || err.Error() != want {
		t.Errorf("second openDB: %v, want %q", err, want)
	}
}

// TestObjects_concurrentPutsOfOneKeyNeverMix: while Puts of two contents
// race on one key, every GetObject returns bytes whose MD5 is its ETag.
// The writers run until the reads are done.
func TestObjects_concurrentPutsOfOneKeyNeverMix(t *testing.T) {
	o, err := newObjects(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const key = "index/race.jpg"
	contents := [][]byte{bytes.Repeat([]byte("a"), 64<<10), bytes.Repeat([]byte("b"), 32<<10)}
	if _, err := o.Put(key, contents[0], "image/jpeg", nil); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var writers sync.WaitGroup
	defer writers.Wait()
	defer stop.Store(true)
	for _, c := range contents {
		writers.Go(func() {
			for !stop.Load() {
				if _, err := o.Put(key, c, "image/jpeg", nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 50 {
		out, err := o.GetObject(context.Background(), &s3.GetObjectInput{Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(out.Body)
		sum := md5.Sum(b)
		if etag := strings.Trim(aws.ToString(out.ETag), `"`); etag != hex.EncodeToString(sum[:]) {
			t.Fatalf("read %d bytes with ETag %s, which is not their MD5", len(b), etag)
		}
	}
}

// TestQueue_deadLettersUnreadableMessages: a corrupt message file does not
// stop the queue from starting; it is moved to the dead-letter directory
// and the other messages are processed.
func TestQueue_deadLettersUnreadableMessages(t *testing.T) {
	dir := t.TempDir()
	first, err := newQueue(dir, nil, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Send([]byte(`{"Records":[]}`)); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"0-corrupt.json": "{not json", "1-misnamed.json": `{"id":"other","body":{}}`} {
		if err := os.WriteFile(filepath.Join(dir, "queue", name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var got atomic.Int32
	second, err := newQueue(dir, func(context.Context, json.RawMessage) (*events.SQSEventResponse, error) {
		got.Add(1)
		return &events.SQSEventResponse{}, nil
	}, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := second.Start(ctx, 1); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if err := second.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got.Load() != 1 {
		t.Errorf("processed %d messages, want 1", got.Load())
	}
	queued, _ := os.ReadDir(filepath.Join(dir, "queue"))
	for _, name := range []string{"0-corrupt.json", "1-misnamed.json"} {
		if _, err := os.Stat(filepath.Join(dir, "dead-letter", name)); err != nil {
			t.Errorf("%s not dead-lettered: %v", name, err)
		}
	}
	if len(queued) != 0 {
		t.Errorf("queue still holds %d files", len(queued))
	}
}

// TestPutImage_unqueuedUploadStaysStored: when the notification cannot be
// queued, the upload answers 500 but stays stored (an earlier version may
// still be indexed), for the next start to queue it.
func TestPutImage_unqueuedUploadStaysStored(t *testing.T) {
	l := testLocal(t)
	if err := os.RemoveAll(l.Queue.dir); err != nil { // makes Send fail
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPut, "/index/obama_1.jpg", bytes.NewReader(photos.MustRead("obama_1.jpg")))
	req.Header.Set("Content-Type", "image/jpeg")
	rec := httptest.NewRecorder()
	l.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("PUT answered %d, want 500", rec.Code)
	}
	if objects, err := l.Objects.list(); err != nil || len(objects) != 1 {
		t.Errorf("objects stored: %+v %v, want the upload", objects, err)
	}
}

// TestDeleteImage_erases: DELETE is answered by the delete-image
// function: the stored object is erased (200 with the counts); an unknown
// file is erased all the same (zero counts), and an invalid filename is
// refused.
func TestDeleteImage_erases(t *testing.T) {
	l := testLocal(t)
	if _, err := l.Objects.Put("index/obama_1.jpg", photos.MustRead("obama_1.jpg"), "image/jpeg", nil); err != nil {
		t.Fatal(err)
	}
	del := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		l.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, path, nil))
		return rec
	}
	for _, c := range []struct {
		path string
		want contract.DeletedImage
	}{
		{"/index/obama_1.jpg", contract.DeletedImage{Key: "index/obama_1.jpg", DeletedVersions: 1}},
		{"/index/never%20stored.jpg", contract.DeletedImage{Key: "index/never stored.jpg"}},
	} {
		rec := del(c.path)
		var got contract.DeletedImage
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK ||
			got != c.want || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("DELETE %s: %d %s, want 200 %+v and CORS", c.path, rec.Code, rec.Body, c.want)
		}
	}
	if objects, err := l.Objects.list(); err != nil || len(objects) != 0 {
		t.Errorf("objects left: %+v %v", objects, err)
	}
	if rec := del("/index/..%2F..%2Fetc"); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), contract.CodeInvalidBody) {
		t.Errorf("DELETE of an invalid filename: %d %s, want 400 %s", rec.Code, rec.Body, contract.CodeInvalidBody)
	}
}

// queuedNotifications returns the event name and key of each S3
// notification waiting in l's queue, sorted.
func queuedNotifications(t *testing.T, l *Local) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(l.Queue.dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var queued []string
	for _, f := range files {
		var m message
		var ev events.S3Event
		b, _ := os.ReadFile(f)
		if err := json.Unmarshal(b, &m); err != nil || json.Unmarshal(m.Body, &ev) != nil || len(ev.Records) != 1 {
			t.Fatalf("queued message %s: %s", f, b)
		}
		queued = append(queued, ev.Records[0].EventName+" "+ev.Records[0].S3.Object.Key)
	}
	slices.Sort(queued)
	return queued
}

// TestObjects_DeleteObjectQueuesTheNotification: the service's
// DeleteObject (DELETE /persons/{person}) deletes the object and queues
// its ObjectRemoved notification, as the bucket does on AWS.
func TestObjects_DeleteObjectQueuesTheNotification(t *testing.T) {
	l := testLocal(t)
	if _, err := l.Objects.Put("index/obama_1.jpg", photos.MustRead("obama_1.jpg"), "image/jpeg", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Objects.DeleteObject(context.Background(), &s3.DeleteObjectInput{Key: aws.String("index/obama_1.jpg")}); err != nil {
		t.Fatal(err)
	}
	if objects, err := l.Objects.list(); err != nil || len(objects) != 0 {
		t.Errorf("objects left: %+v %v", objects, err)
	}
	if queued, want := queuedNotifications(t, l), []string{"ObjectRemoved:DeleteMarkerCreated index/obama_1.jpg"}; !slices.Equal(queued, want) {
		t.Errorf("queued notifications %q, want %q", queued, want)
	}
}

// TestObjects_deleteRemovesAndIgnoresMissingKeys: a deleted object is gone
// for GetObject and HeadObject; deleting it again, or a key never stored,
// is no error.
func TestObjects_deleteRemovesAndIgnoresMissingKeys(t *testing.T) {
	o, err := newObjects(filepath.Join(t.TempDir(), "objects"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Put("index/a.jpg", []byte("a"), "image/jpeg", nil); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"index/a.jpg", "index/a.jpg", "never"} {
		if err := o.Delete(key); err != nil {
			t.Errorf("Delete(%q): %v", key, err)
		}
	}
	assertNoObject(t, o, "index/a.jpg")
	if entries, err := os.ReadDir(o.dir); err != nil || len(entries) != 0 {
		t.Errorf("objects directory after deletes: %v %v, want empty", entries, err)
	}
}

// TestProxy_passesTheFilenameEscaped: the filename path parameter is the
// request path's segment still percent-encoded, as API Gateway REST
// passes it.
func TestProxy_passesTheFilenameEscaped(t *testing.T) {
	var got string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /index/{filename}", (&Local{}).proxy(contract.Route{Method: http.MethodGet, Path: "/index/{filename}"}, func(_ context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		got = req.PathParameters["filename"]
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
	}))
	for _, name := range []string{"Jane%20Doe+1.jpg", "a%2Fb%25c%2B.jpg", "plain.jpg"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/index/"+name, nil))
		if rec.Code != http.StatusOK || got != name {
			t.Errorf("GET /index/%s: %d, filename %q; want 200, %q", name, rec.Code, got, name)
		}
	}
}

// TestServe_indexesUploadsStoredButNeverQueued: an object stored without
// its notification (the server stopped between the two) is indexed once
// the server starts.
func TestServe_indexesUploadsStoredButNeverQueued(t *testing.T) {
	l := testLocal(t)
	const key = "index/obama_1.jpg"
	etag, err := l.Objects.Put(key, photos.MustRead("obama_1.jpg"), "image/jpeg", nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- l.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		img, err := l.Table.GetImage(ctx, BucketName, key)
		if err != nil {
			t.Fatal(err)
		}
		if img != nil && img.ETag == etag {
			if img.Status != contract.StatusIndexed || img.FaceCount != 1 {
				t.Errorf("image item %+v, want indexed with one face", img)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the stored upload was not indexed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRoutes_storageRouteWithoutHandlerPanics: a route of
// contract.StorageRoutes whose method the local bucket does not answer
// stops the server from being built, with a panic naming the route, rather
// than registering a nil handler.
func TestRoutes_storageRouteWithoutHandlerPanics(t *testing.T) {
	l := testLocal(t)
	saved := contract.StorageRoutes
	contract.StorageRoutes = append(slices.Clone(saved), contract.Route{Method: http.MethodPatch, Path: "/index/{filename}"})
	t.Cleanup(func() { contract.StorageRoutes = saved })
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "PATCH /index/{filename}") {
			t.Errorf("routes panicked with %q, want a message naming PATCH /index/{filename}", msg)
		}
	}()
	l.routes()
}
