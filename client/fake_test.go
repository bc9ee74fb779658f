package client

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/contract"
)

// fakeAPI is an in-memory face API under the stage path /v1 requiring the
// API key "secret". An image body "faces:N" is indexed with N faces at
// its second status request, any other body is rejected; a search body
// "noface" finds no face, any other matches every stored image.
type fakeAPI struct {
	// neverIndex keeps every image pending.
	neverIndex bool

	mux      *http.ServeMux
	mu       sync.Mutex
	failures []failure // answered first, in order, to any request
	requests []string  // method and request URI, in order
	types    []string  // Content-Type of every request
	images   map[string]*fakeImage
}

type fakeImage struct {
	person string
	body   string
	polls  int
}

// failure is a canned error answer: a contract.ErrorBody, or text when
// not empty.
type failure struct {
	status     int
	code       string
	requestID  string
	retryAfter string
	text       string
}

// newFake starts a fakeAPI and returns it with a Client on it whose
// waits are 1 ms to 20 ms.
func newFake(t *testing.T) (*fakeAPI, *Client) {
	t.Helper()
	f := &fakeAPI{mux: http.NewServeMux(), images: map[string]*fakeImage{}}
	f.mux.HandleFunc("PUT /v1/index/{filename}", f.put)
	f.mux.HandleFunc("GET /v1/index/{filename}", f.status)
	f.mux.HandleFunc("DELETE /v1/index/{filename}", f.delete)
	f.mux.HandleFunc("POST /v1/search", f.search)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/v1/", "secret")
	if err != nil {
		t.Fatal(err)
	}
	c.MinBackoff, c.MaxBackoff = time.Millisecond, 20*time.Millisecond
	return f, c
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.RequestURI)
	f.types = append(f.types, r.Header.Get("Content-Type"))
	var fail *failure
	if len(f.failures) > 0 {
		fail = &f.failures[0]
		f.failures = f.failures[1:]
	}
	f.mu.Unlock()
	switch {
	case fail != nil && fail.text != "":
		w.WriteHeader(fail.status)
		_, _ = io.WriteString(w, fail.text)
	case fail != nil:
		if fail.retryAfter != "" {
			w.Header().Set("Retry-After", fail.retryAfter)
		}
		writeJSON(w, fail.status, contract.ErrorBody{Error: contract.ErrorDetail{Code: fail.code, Message: "canned " + fail.code}, RequestID: fail.requestID})
	case r.Header.Get("x-api-key") != "secret":
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "Forbidden"})
	default:
		f.mux.ServeHTTP(w, r)
	}
}

func (f *fakeAPI) put(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	name := r.PathValue("filename")
	f.mu.Lock()
	f.images[name] = &fakeImage{person: r.URL.Query().Get("person"), body: string(body)}
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"key": "index/" + name, "status": "pending"})
}

func (f *fakeAPI) delete(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("filename")
	f.mu.Lock()
	delete(f.images, name)
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"key": "index/" + name, "deletedFaces": 0, "deletedVersions": 1})
}

func (f *fakeAPI) status(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("filename")
	f.mu.Lock()
	defer f.mu.Unlock()
	img, ok := f.images[name]
	if !ok {
		writeJSON(w, http.StatusNotFound, contract.ErrorBody{Error: contract.ErrorDetail{Code: contract.CodeNotFound, Message: "no image"}, RequestID: "req-404"})
		return
	}
	img.polls++
	st := contract.ImageStatus{Key: "index/" + name, Status: contract.StatusPending, Faces: []contract.StatusFace{}}
	n, isFaces := strings.CutPrefix(img.body, "faces:")
	switch {
	case f.neverIndex || img.polls < 2:
	case isFaces:
		st.Status = contract.StatusIndexed
		count, _ := strconv.Atoi(n)
		for range count {
			st.Faces = append(st.Faces, contract.StatusFace{FaceID: "f", Person: img.person})
		}
	default:
		st.Status, st.Reason = contract.StatusRejected, "no face in the image"
	}
	writeJSON(w, http.StatusOK, st)
}

func (f *fakeAPI) search(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	res := contract.SearchResult{Faces: []contract.SearchedFace{}}
	if string(body) != "noface" {
		f.mu.Lock()
		names := make([]string, 0, len(f.images))
		for name := range f.images {
			names = append(names, name)
		}
		sort.Strings(names)
		face := contract.SearchedFace{Confidence: 99.9, Matches: []contract.Match{}}
		for _, name := range names {
			face.Matches = append(face.Matches, contract.Match{FaceID: "id-" + name, Similarity: 97.25, Person: f.images[name].person, Key: "index/" + name})
		}
		f.mu.Unlock()
		res.Faces = append(res.Faces, face)
	}
	writeJSON(w, http.StatusOK, res)
}

// fail queues canned error answers.
func (f *fakeAPI) fail(fs ...failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, fs...)
}

// sent returns the requests received so far.
func (f *fakeAPI) sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// contentTypes returns the Content-Type of the requests received so far.
func (f *fakeAPI) contentTypes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.types...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
