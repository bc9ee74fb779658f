package offline_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/offline"
)

// stopBound bounds every wait for a Server to stop in these tests.
const stopBound = time.Minute

// discardLog logs nothing.
var discardLog = slog.New(slog.DiscardHandler)

// quietOptions are the options of a service on dir that logs nothing.
func quietOptions(dir string) offline.Options {
	return offline.Options{DataDir: dir, Log: discardLog}
}

// waitStopped waits, for up to stopBound, until s has stopped, and returns
// Wait's error.
func waitStopped(t *testing.T, s *offline.Server) error {
	t.Helper()
	select {
	case <-s.Done():
		return s.Wait()
	case <-time.After(stopBound):
		t.Fatalf("the server on %s has not stopped after %v", s.URL, stopBound)
		return nil
	}
}

// TestStart_servesUntilClose starts the service with one call on a free
// loopback port, indexes a photo with a person and finds the person in
// another photo through the client; Close then stops it cleanly, closes
// the address and releases the data directory, which keeps the face.
func TestStart_servesUntilClose(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := offline.Start(ctx, quietOptions(dir), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") || strings.HasSuffix(s.URL, ":0") {
		t.Fatalf("URL %q, want http://127.0.0.1:PORT with the port chosen", s.URL)
	}
	c, err := client.New(s.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Index(ctx, "obama_1.jpg", photos.MustRead("obama_1.jpg"), "", "Barack Obama"); err != nil {
		t.Fatal(err)
	}
	if err := s.Local.Queue.Drain(ctx); err != nil {
		t.Fatalf("indexing not done: %v", err)
	}
	if st, err := c.Status(ctx, "obama_1.jpg"); err != nil || st.Status != contract.StatusIndexed || len(st.Faces) != 1 {
		t.Fatalf("status of obama_1.jpg: %+v %v, want indexed with one face", st, err)
	}
	res, err := c.Search(ctx, photos.MustRead("obama_2.jpg"), "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Faces) != 1 || len(res.Faces[0].Matches) == 0 || res.Faces[0].Matches[0].Person != "Barack Obama" {
		t.Fatalf("search obama_2.jpg: %+v, want Barack Obama first", res)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case <-s.Done():
	default:
		t.Error("Done is not closed after Close returned")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if resp, err := http.Get(s.URL + "/info"); err == nil {
		resp.Body.Close()
		t.Errorf("GET /info after Close: %s, want a refused connection", resp.Status)
	}
	// Close released the data directory (Open would fail on a directory
	// still held by another Local) and kept its data.
	l, err := offline.Open(quietOptions(dir))
	if err != nil {
		t.Fatalf("the data directory is still held after Close: %v", err)
	}
	defer l.Close()
	if n := l.Rekognition.Len(); n != 1 {
		t.Errorf("after Close, the collection holds %d faces, want 1", n)
	}
}

// TestStart_stopsWhenCtxEnds: the context given to Start bounds the
// service's life as Serve's does.
func TestStart_stopsWhenCtxEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := offline.Start(ctx, quietOptions(t.TempDir()), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	resp, err := http.Get(s.URL + "/info")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /info: %s", resp.Status)
	}
	cancel()
	if err := waitStopped(t, s); err != nil {
		t.Errorf("stopped with %v, want nil", err)
	}
}

// TestStart_addressInUse: Start fails on an address already listened on,
// and releases the data directory at once.
func TestStart_addressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	s, err := offline.Start(context.Background(), quietOptions(dir), ln.Addr().String())
	if err == nil {
		s.Close()
		t.Fatalf("Start on %s, which is in use, succeeded", ln.Addr())
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) || opErr.Op != "listen" {
		t.Errorf("Start on an address in use: %v, want the listen error", err)
	}
	l, err := offline.Open(quietOptions(dir))
	if err != nil {
		t.Fatalf("the data directory is held after Start failed: %v", err)
	}
	l.Close()
}
