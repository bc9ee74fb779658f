package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/offline"
)

const (
	photosDir = "../../examples/photos"
	casesDir  = "../../lambdas/handler/testdata/cases"
)

// server is a running `facerec serve`.
type server struct {
	url  string
	stop func() error
}

// startServe runs `facerec serve` on a free loopback port with the data
// directory dir and returns its URL, read from what it prints.
func startServe(t *testing.T, dir string, extra ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan error, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, extra...), w, &stderr)
		w.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("serve printed no URL: %v (stderr: %s)", err, stderr.String())
	}
	url := regexp.MustCompile(`http://\S+`).FindString(line)
	go io.Copy(io.Discard, out)
	var once sync.Once
	var stopErr error
	s := &server{url: url, stop: func() error {
		once.Do(func() { cancel(); stopErr = <-done })
		return stopErr
	}}
	t.Cleanup(func() { s.stop() })
	return s
}

// upload is a photo of examples/photos and the person named at its upload
// ("" for none).
type upload struct{ file, person string }

// serveAndUpload starts `facerec serve` on the data directory dir and
// uploads the photos, in order, through a client of it, which it returns
// with the server. It does not wait for the indexing.
func serveAndUpload(t *testing.T, dir string, uploads ...upload) (*server, *client.Client) {
	t.Helper()
	srv := startServe(t, dir)
	c, err := client.New(srv.url, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, up := range uploads {
		if _, err := c.Index(context.Background(), up.file, photos.MustRead(up.file), client.ContentType(up.file), up.person); err != nil {
			t.Fatalf("index %s: %v", up.file, err)
		}
	}
	return srv, c
}

// waitIndexed polls GET /index/{filename} until the image is no longer
// pending.
func waitIndexed(t *testing.T, c *client.Client, filename string) *contract.ImageStatus {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st, err := c.Status(context.Background(), filename)
		if err != nil {
			t.Fatalf("status of %s: %v", filename, err)
		}
		if st.Status != contract.StatusPending {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still pending", filename)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// doJSON sends req and decodes its 200 answer into out.
func doJSON(req *http.Request, out any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: %s", resp.Status, b)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// TestServe_endToEnd indexes and searches the sample photos over HTTP
// against `facerec serve`, then restarts it on the same data directory.
func TestServe_endToEnd(t *testing.T) {
	dir := t.TempDir()
	srv, c := serveAndUpload(t, dir, upload{"obama_1.jpg", "obama"}, upload{"biden_2.jpg", "biden"}, upload{"collins_1.png", ""})
	ctx := context.Background()
	for _, f := range []string{"obama_1.jpg", "biden_2.jpg", "collins_1.png"} {
		if st := waitIndexed(t, c, f); st.Status != contract.StatusIndexed || len(st.Faces) != 1 {
			t.Fatalf("%s: %+v, want indexed with one face", f, st)
		}
	}

	// A filename that needs escaping: the key holds it decoded, and API
	// Gateway passes it to the status function escaped, as in the path.
	const janePath = "/index/Jane%20Doe+1.jpg"
	req, _ := http.NewRequest(http.MethodPut, srv.url+janePath, bytes.NewReader(photos.MustRead("biden_2.jpg")))
	req.Header.Set("Content-Type", "image/jpeg")
	var put contract.PutResponse
	if err := doJSON(req, &put); err != nil || put.Key != "index/Jane Doe+1.jpg" {
		t.Fatalf("PUT %s: %+v %v, want key \"index/Jane Doe+1.jpg\"", janePath, put, err)
	}
	waitIndexed(t, c, "Jane Doe+1.jpg") // the client requests janePath too
	req, _ = http.NewRequest(http.MethodGet, srv.url+janePath, nil)
	var st contract.ImageStatus
	if err := doJSON(req, &st); err != nil || st.Status != contract.StatusIndexed || len(st.Faces) != 1 {
		t.Errorf("GET %s: %+v %v, want indexed with one face", janePath, st, err)
	}

	searchObama := func() string {
		t.Helper()
		res, err := c.Search(ctx, photos.MustRead("obama_2.jpg"), "image/jpeg")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Faces) != 1 || len(res.Faces[0].Matches) == 0 {
			t.Fatalf("search obama_2: %+v", res)
		}
		first := res.Faces[0].Matches[0]
		if first.Person != "obama" || first.Similarity < 80 || first.Key != "index/obama_1.jpg" {
			t.Errorf("first match = %+v, want obama with similarity >= 80", first)
		}
		for _, m := range res.Faces[0].Matches {
			if m.Person == "biden" && m.Similarity >= 80 {
				t.Errorf("biden matched obama_2 with similarity %.1f", m.Similarity)
			}
		}
		b, _ := json.Marshal(res)
		return string(b)
	}
	before := searchObama()

	res, err := c.Search(ctx, photos.MustRead("noface_rocket.jpg"), "image/jpeg")
	if err != nil || res.Faces == nil || len(res.Faces) != 0 {
		t.Errorf("search noface_rocket: %+v %v, want \"faces\": []", res, err)
	}

	if _, err := c.Index(ctx, "group_obama_biden.jpg", photos.MustRead("group_obama_biden.jpg"), "image/jpeg", ""); err != nil {
		t.Fatal(err)
	}
	if st := waitIndexed(t, c, "group_obama_biden.jpg"); len(st.Faces) != 2 {
		t.Errorf("group photo: %d faces detected, want 2", len(st.Faces))
	}
	// The group photo's faces now match too: remove them by replacing the
	// image with one without a face, which must leave the search as it was.
	if _, err := c.Index(ctx, "group_obama_biden.jpg", photos.MustRead("noface_rocket.jpg"), "image/jpeg", ""); err != nil {
		t.Fatal(err)
	}
	if st := waitIndexed(t, c, "group_obama_biden.jpg"); len(st.Faces) != 0 {
		t.Errorf("replaced group photo still has %d faces", len(st.Faces))
	}

	if err := srv.stop(); err != nil {
		t.Fatalf("serve stopped with %v", err)
	}
	srv = startServe(t, dir)
	if c, err = client.New(srv.url, ""); err != nil {
		t.Fatal(err)
	}
	if after := searchObama(); after != before {
		t.Errorf("after restart:\n%s\nbefore:\n%s", after, before)
	}
}

// TestServe_deleteImage indexes two photos against `facerec serve` and
// deletes one of them and a file never stored: the deleted image's status
// becomes 404 and searching it then finds no match; once the server has
// stopped, the local collection and table hold nothing of it, and the
// other photo, its object and its face are untouched.
func TestServe_deleteImage(t *testing.T) {
	dir := t.TempDir()
	srv, c := serveAndUpload(t, dir, upload{"collins_1.png", ""}, upload{"obama_1.jpg", ""})
	ctx := context.Background()
	for _, f := range []string{"collins_1.png", "obama_1.jpg"} {
		if st := waitIndexed(t, c, f); st.Status != contract.StatusIndexed || len(st.Faces) != 1 {
			t.Fatalf("%s: %+v, want indexed with one face", f, st)
		}
	}
	searchCollins := func() []contract.Match {
		t.Helper()
		res, err := c.Search(ctx, photos.MustRead("collins_1.png"), "image/png")
		if err != nil || len(res.Faces) != 1 {
			t.Fatalf("search collins_1.png: %+v %v, want one face", res, err)
		}
		return res.Faces[0].Matches
	}
	if m := searchCollins(); len(m) != 1 || m[0].Key != "index/collins_1.png" {
		t.Fatalf("before the delete, collins_1.png matches %+v, want itself only", m)
	}

	// Through the facerec delete command.
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"delete", "--endpoint", srv.url, "never_stored.jpg", "collins_1.png"}, &out, &errOut); err != nil {
		t.Fatalf("facerec delete: %v\n%s", err, errOut.String())
	}
	for _, f := range []string{"never_stored.jpg", "collins_1.png"} {
		if !strings.Contains(out.String(), "index/"+f+": erased") {
			t.Errorf("facerec delete printed %q, nothing about %s", out.String(), f)
		}
	}
	// An erasure: gone once the delete answered, faces included.
	_, err := c.Status(ctx, "collins_1.png")
	if apiErr := (*client.APIError)(nil); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("status of the deleted collins_1.png: %v, want 404", err)
	}
	if m := searchCollins(); len(m) != 0 {
		t.Errorf("after the delete, collins_1.png still matches %+v", m)
	}
	if _, err := c.Status(ctx, "never_stored.jpg"); err == nil {
		t.Error("never_stored.jpg has a status after its delete")
	}
	if st, err := c.Status(ctx, "obama_1.jpg"); err != nil || st.Status != contract.StatusIndexed || len(st.Faces) != 1 {
		t.Errorf("obama_1.jpg after the deletes: %+v %v, want indexed with one face", st, err)
	}
	if err := srv.stop(); err != nil {
		t.Fatalf("serve stopped with %v", err)
	}

	l, err := offline.Open(offline.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if n := l.Rekognition.Len(); n != 1 {
		t.Errorf("the collection holds %d faces, want obama_1.jpg's only", n)
	}
	const collins = "index/collins_1.png"
	if faces, err := l.Table.FacesOfObject(ctx, offline.BucketName, collins); err != nil || len(faces) != 0 {
		t.Errorf("face items of %s: %+v %v, want none", collins, faces, err)
	}
	if img, err := l.Table.GetImage(ctx, offline.BucketName, collins); err != nil || img == nil || img.Status != service.StatusRemoved || len(img.FaceIDs) != 0 {
		t.Errorf("image item of %s: %+v %v, want a tombstone", collins, img, err)
	}
	for key, stored := range map[string]bool{collins: false, "index/never_stored.jpg": false, "index/obama_1.jpg": true} {
		_, err := l.Objects.HeadObject(ctx, &s3.HeadObjectInput{Key: aws.String(key)})
		if (err == nil) != stored {
			t.Errorf("object %s: HeadObject error %v, want stored %v", key, err, stored)
		}
	}
}

// TestServe_apiKeyAndBadInput: the local API refuses what the deployed one
// refuses, with the same statuses and JSON error shape.
func TestServe_apiKeyAndBadInput(t *testing.T) {
	srv := startServe(t, t.TempDir(), "--api-key", "secret")
	do := func(method, path, key, contentType string, body []byte) (*http.Response, contract.ErrorBody) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.url+path, bytes.NewReader(body))
		if key != "" {
			req.Header.Set("x-api-key", key)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var eb contract.ErrorBody
		json.NewDecoder(resp.Body).Decode(&eb)
		return resp, eb
	}
	tests := []struct {
		name, method, path, key, ct string
		body                        []byte
		status                      int
		code                        string
	}{
		{"no key", "GET", "/info", "", "", nil, 403, contract.GatewayInvalidAPIKey},
		{"wrong key", "POST", "/search", "nope", "image/jpeg", photos.MustRead("obama_2.jpg"), 403, contract.GatewayInvalidAPIKey},
		{"info", "GET", "/info", "secret", "", nil, 200, ""},
		{"dot-dot filename", "PUT", "/index/..%2F..%2Fetc", "secret", "image/jpeg", photos.MustRead("obama_1.jpg"), 400, contract.CodeInvalidBody},
		{"unknown image", "GET", "/index/nothing.jpg", "secret", "", nil, 404, contract.CodeNotFound},
		{"PDF search", "POST", "/search", "secret", "application/pdf", []byte("%PDF-1.4\n"), 415, contract.CodeUnsupportedMedia},
		{"over 10 MB", "PUT", "/index/big.jpg", "secret", "image/jpeg", make([]byte, 10<<20+1), 413, contract.GatewayRequestTooLarge},
		{"bad base64 upload", "PUT", "/index/a.jpg", "secret", "text/plain", []byte("***"), 400, contract.GatewayBadRequestBody},
		{"form-encoded image", "PUT", "/index/a.jpg", "secret", "application/x-www-form-urlencoded", photos.MustRead("obama_1.jpg"), 400, contract.GatewayBadRequestBody},
		{"no content type", "PUT", "/index/a.jpg", "secret", "", photos.MustRead("obama_1.jpg"), 400, contract.GatewayBadRequestParameters},
		{"unknown route", "GET", "/nope", "secret", "", nil, 404, contract.GatewayResourceNotFound},
		{"person with a line break", "PUT", "/index/a.jpg?person=two%0Alines", "secret", "image/jpeg", photos.MustRead("obama_1.jpg"), 400, contract.CodeInvalidParameter},
		{"person of spaces", "PUT", "/index/a.jpg?person=%20%20", "secret", "image/jpeg", photos.MustRead("obama_1.jpg"), 400, contract.CodeInvalidParameter},
		{"person too long", "PUT", "/index/a.jpg?person=" + strings.Repeat("x", contract.MaxPersonBytes+1), "secret", "image/jpeg", photos.MustRead("obama_1.jpg"), 400, contract.CodeInvalidParameter},
		{"faces of an invalid person", "GET", "/faces?person=nul%00", "secret", "", nil, 400, contract.CodeInvalidParameter},
		{"invalid person", "GET", "/persons/a%0Ab", "secret", "", nil, 400, contract.CodeInvalidParameter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, eb := do(tc.method, tc.path, tc.key, tc.ct, tc.body)
			if resp.StatusCode != tc.status || eb.Error.Code != tc.code {
				t.Errorf("%d %q, want %d %q", resp.StatusCode, eb.Error.Code, tc.status, tc.code)
			}
			if resp.Header.Get("Access-Control-Allow-Origin") == "" {
				t.Error("no CORS header")
			}
		})
	}
	// A base64 text upload (CONVERT_TO_BINARY on AWS) stores the bytes.
	b64 := []byte(base64.StdEncoding.EncodeToString(photos.MustRead("biden_2.jpg")))
	if resp, _ := do("PUT", "/index/as%20text.jpg?person=Joe%20Biden", "secret", "text/plain", b64); resp.StatusCode != 200 {
		t.Fatalf("base64 upload: %d", resp.StatusCode)
	}
	c, _ := client.New(srv.url, "secret")
	if st := waitIndexed(t, c, "as text.jpg"); st.Status != contract.StatusIndexed || len(st.Faces) != 1 || st.Faces[0].Person != "Joe Biden" {
		t.Errorf("base64 upload status: %+v", st)
	}
}

// TestCases_sameStatusLocallyAndThroughTheHandler sends every search case's
// body over local HTTP and invokes the search handler with the case's event
// on the same local parts: the statuses must agree. Each S3 case runs
// through `facerec invoke index` with its objects put first.
func TestCases_sameStatusLocallyAndThroughTheHandler(t *testing.T) {
	dirs, err := os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	// The objects that the S3 cases' events name, from case.md.
	s3Objects := map[string][]string{
		"s3-event-delivered-twice": {"dup/obama_1.jpg=obama_1.jpg"},
		"s3-key-url-encoded":       {"uploads/Jane Doe+1.jpg=biden_2.jpg"},
		"s3-multipart-upload":      {"big/obama_2.jpg=obama_2.jpg"},
		"s3-several-records":       {"a/obama_1.jpg=obama_1.jpg", "a/biden_2.jpg=biden_2.jpg", "a/collins_1.png=collins_1.png"},
		"s3-test-event":            {},
	}
	wantStatus := map[string]int{
		"search-base64-text-body": 200, "search-empty-body": 400, "search-no-face": 200,
		"search-not-an-image": 415, "search-tiny-image": 422,
		"search-truncated-jpeg": 422, "search-corrupt-png": 422, "search-too-many-pixels": 413,
	}
	data := t.TempDir()
	l, err := offline.Open(offline.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	srv := httpTestServer(t, l)
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		name := d.Name()
		eventFile := filepath.Join(casesDir, name, "event.json")
		t.Run(name, func(t *testing.T) {
			if strings.HasPrefix(name, "s3-") {
				objects, ok := s3Objects[name]
				if !ok {
					t.Fatalf("no objects listed for S3 case %s", name)
				}
				invokeIndexCase(t, eventFile, objects)
				return
			}
			want, ok := wantStatus[name]
			if !ok {
				t.Fatalf("no expected status for case %s", name)
			}
			raw, _ := os.ReadFile(eventFile)
			var ev events.APIGatewayProxyRequest
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Fatal(err)
			}
			direct, err := l.Handlers[contract.FunctionSearch](context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			body := []byte(ev.Body)
			if ev.IsBase64Encoded {
				body, _ = base64.StdEncoding.DecodeString(ev.Body)
			}
			resp, err := http.Post(srv+"/search", ev.Headers["Content-Type"], bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if direct.StatusCode != want || resp.StatusCode != want {
				t.Errorf("handler %d, local HTTP %d, want %d (%s)", direct.StatusCode, resp.StatusCode, want, direct.Body)
			}
			if want == http.StatusOK || want == http.StatusBadRequest {
				return
			}
			// A refused image is refused by every search route alike.
			for _, query := range []string{"?by=person", "?faces=all"} {
				resp, err := http.Post(srv+"/search"+query, ev.Headers["Content-Type"], bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != want {
					t.Errorf("%s: local HTTP %d, want %d", query, resp.StatusCode, want)
				}
			}
		})
	}
}

// invokeIndexCase runs `facerec invoke index` on an S3 case twice (the
// second time as a redelivery) and checks every record was indexed once.
func invokeIndexCase(t *testing.T, eventFile string, objects []string) {
	t.Helper()
	data := t.TempDir()
	args := []string{"invoke", "index", "--event", eventFile, "--data", data}
	for _, o := range objects {
		key, file, _ := strings.Cut(o, "=")
		args = append(args, "--put", key+"="+filepath.Join(photosDir, file))
	}
	for range 2 {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, &out, &errOut); err != nil {
			t.Fatalf("invoke: %v\n%s", err, errOut.String())
		}
	}
	l, err := offline.Open(offline.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, o := range objects {
		key, _, _ := strings.Cut(o, "=")
		var bucket string
		raw, _ := os.ReadFile(eventFile)
		var ev events.S3Event
		json.Unmarshal(raw, &ev)
		bucket = ev.Records[0].S3.Bucket.Name
		img, err := l.Table.GetImage(context.Background(), bucket, key)
		if err != nil || img == nil || img.Status != contract.StatusIndexed || img.FaceCount != 1 {
			t.Errorf("%s: image item %+v, %v", key, img, err)
		}
	}
	if n := l.Rekognition.Len(); n != len(objects) {
		t.Errorf("collection holds %d faces after two deliveries, want %d", n, len(objects))
	}
}
