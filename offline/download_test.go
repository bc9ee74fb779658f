package offline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand"
	"mime"
	"net/http"
	"path"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/offline"
)

// get GETs link without an API key and returns the answer and its body.
func get(t *testing.T, link string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// wantError checks that an answer is the JSON error status/code.
func wantError(t *testing.T, what string, resp *http.Response, body []byte, status int, code string) {
	t.Helper()
	var eb contract.ErrorBody
	if resp.StatusCode != status || json.Unmarshal(body, &eb) != nil || eb.Error.Code != code {
		t.Errorf("%s: %d %s, want %d %s", what, resp.StatusCode, body, status, code)
	}
}

// TestDownload_linksToTheServerItself downloads an indexed image from
// `facerec serve` behind an API key: the answer has the image's faces (as
// GET /index/{filename}, with ImageIds and ExternalImageIds) and a link
// to the server's own /downloads/, which answers the bytes with the
// image's Content-Type without the key, and Client.DownloadImage writes
// the same bytes. A forged or tampered token, and an expired link, are
// 403 ACCESS_DENIED; once the image is replaced, the old link is 404 and
// a new download links to the new bytes; once erased, the link and the
// route are 404.
func TestDownload_linksToTheServerItself(t *testing.T) {
	ctx := context.Background()
	opts := quietOptions(t.TempDir())
	opts.APIKey = "secret"
	srv, err := offline.Start(ctx, opts, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := client.New(srv.URL, "secret")
	if err != nil {
		t.Fatal(err)
	}
	photo := photos.MustRead("collins_1.png")
	if _, err := c.Index(ctx, "my photo.png", photo, "image/png", "Collins"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Local.Queue.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := c.Download(ctx, "my photo.png")
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(ctx, "my photo.png")
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != contract.StatusIndexed || len(d.Faces) != 1 || len(st.Faces) != 1 || d.Faces[0].FaceID != st.Faces[0].FaceID ||
		d.Faces[0].ImageID == "" || d.Faces[0].ExternalImageID != service.ExternalImageID("index/my photo.png") || d.Faces[0].Person != "Collins" {
		t.Fatalf("download %+v, want the status %+v with ImageIds", d.ImageStatus, st)
	}
	if d.ExpiresIn != contract.DownloadExpirySeconds || d.ExpiresAt.Before(time.Now().Add(contract.DownloadExpirySeconds*time.Second-time.Minute)) || d.VersionID != "" {
		t.Errorf("expiresIn %d, expiresAt %v, versionId %q", d.ExpiresIn, d.ExpiresAt, d.VersionID)
	}
	if !strings.HasPrefix(d.URL, srv.URL+contract.DownloadsPath) {
		t.Fatalf("url %s, want one under %s%s", d.URL, srv.URL, contract.DownloadsPath)
	}
	resp, body := get(t, d.URL)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(body, photo) {
		t.Errorf("GET url: %d %q, %d bytes; want 200 image/png with the image's bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
	var buf bytes.Buffer
	if _, err := c.DownloadImage(ctx, "my photo.png", &buf); err != nil || !bytes.Equal(buf.Bytes(), photo) {
		t.Errorf("DownloadImage: %v, %d bytes; want the image's bytes", err, buf.Len())
	}

	token := strings.TrimPrefix(d.URL, srv.URL+contract.DownloadsPath)
	body64, sig, _ := strings.Cut(token, ".")
	for what, link := range map[string]string{
		"a forged signature": srv.URL + contract.DownloadsPath + body64 + "." + strings.Repeat("A", len(sig)),
		"no signature":       srv.URL + contract.DownloadsPath + body64,
		"a tampered body":    srv.URL + contract.DownloadsPath + "x" + body64 + "." + sig,
		"garbage":            srv.URL + contract.DownloadsPath + "garbage",
	} {
		resp, body := get(t, link)
		wantError(t, what, resp, body, http.StatusForbidden, contract.CodeAccessDenied)
	}
	expired, err := srv.Local.LinkImage(ctx, service.ObjectVersion{Key: "index/my photo.png", ETag: mustETag(t, srv, "index/my photo.png")}, -time.Second)
	if err != nil {
		t.Fatal(err)
	}
	resp, body = get(t, srv.URL+expired)
	wantError(t, "an expired link", resp, body, http.StatusForbidden, contract.CodeAccessDenied)

	// Replaced: the old link never serves the new bytes.
	replacement := photos.MustRead("obama_1.jpg")
	if _, err := c.Index(ctx, "my photo.png", replacement, "image/jpeg", ""); err != nil {
		t.Fatal(err)
	}
	resp, body = get(t, d.URL)
	wantError(t, "the link of a replaced image", resp, body, http.StatusNotFound, contract.CodeNotFound)
	if err := srv.Local.Queue.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	d2, err := c.Download(ctx, "my photo.png")
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := get(t, d2.URL); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" || !bytes.Equal(body, replacement) {
		t.Errorf("new link: %d %q, %d bytes; want the replacement", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}

	// Erased.
	if _, err := c.Delete(ctx, "my photo.png"); err != nil {
		t.Fatal(err)
	}
	resp, body = get(t, d2.URL)
	wantError(t, "the link of an erased image", resp, body, http.StatusNotFound, contract.CodeNotFound)
	var apiErr *client.APIError
	if _, err := c.Download(ctx, "my photo.png"); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("download of an erased image: %v, want 404", err)
	}
}

// mustETag returns the ETag, without quotes, of the local object key.
func mustETag(t *testing.T, srv *offline.Server, key string) string {
	t.Helper()
	head, err := srv.Local.Objects.HeadObject(context.Background(), &s3.HeadObjectInput{Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Trim(aws.ToString(head.ETag), `"`)
}

// downloadedObjectBytes is the size of the object the streaming test and
// benchmark download: large enough that a copy of it stands out from the
// few KiB a streamed answer allocates.
const downloadedObjectBytes = 8 << 20

// startWithObject starts a server whose bucket holds an object of
// downloadedObjectBytes random bytes, and returns the server, the bytes
// and a link to them.
func startWithObject(tb testing.TB) (*offline.Server, []byte, string) {
	tb.Helper()
	srv, err := offline.Start(context.Background(), quietOptions(tb.TempDir()), "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	data := make([]byte, downloadedObjectBytes)
	rand.New(rand.NewSource(1)).Read(data)
	etag, err := srv.Local.Objects.Put("index/big.bin", data, "application/octet-stream", nil)
	if err != nil {
		tb.Fatal(err)
	}
	link, err := srv.Local.LinkImage(context.Background(), service.ObjectVersion{Key: "index/big.bin", ETag: etag}, time.Minute)
	if err != nil {
		tb.Fatal(err)
	}
	return srv, data, srv.URL + link
}

// download GETs link with the header Range if rng is not empty, and
// returns the answer and its body's size, which it reads to io.Discard.
func download(tb testing.TB, link, rng string) (*http.Response, int64) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, link, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, n
}

// TestDownload_streams checks that GET /downloads/{token} streams the
// object from its file instead of holding it in memory: the bytes the
// process allocates per download (server and client, as
// runtime.MemStats.TotalAlloc counts them) stay under a quarter of the
// object's size (a copy of the object would be at least its size), and a
// Range request answers 206 with the range's bytes.
func TestDownload_streams(t *testing.T) {
	_, data, link := startWithObject(t)
	if resp, n := download(t, link, ""); resp.StatusCode != http.StatusOK || n != int64(len(data)) {
		t.Fatalf("GET: %d, %d bytes; want 200, %d bytes", resp.StatusCode, n, len(data))
	}
	const runs = 4
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		download(t, link, "")
	}
	runtime.ReadMemStats(&after)
	if perRun := (after.TotalAlloc - before.TotalAlloc) / runs; perRun > downloadedObjectBytes/4 {
		t.Errorf("a download of %d bytes allocates %d bytes, want under %d", downloadedObjectBytes, perRun, downloadedObjectBytes/4)
	}

	req, _ := http.NewRequest(http.MethodGet, link, nil)
	req.Header.Set("Range", "bytes=100-199")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, data[100:200]) {
		t.Errorf("GET with Range bytes=100-199: %d, %d bytes; want 206 with the range's bytes", resp.StatusCode, len(body))
	}
}

// BenchmarkDownload measures a download of downloadedObjectBytes through
// GET /downloads/{token}; -benchmem's B/op is what a download allocates,
// server and client.
func BenchmarkDownload(b *testing.B) {
	_, data, link := startWithObject(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if resp, n := download(b, link, ""); resp.StatusCode != http.StatusOK || n != int64(len(data)) {
			b.Fatalf("GET: %d, %d bytes", resp.StatusCode, n)
		}
	}
}

// TestDownload_servesAnAttachment checks that a link never lets an
// uploaded page run as the server's own: whatever the upload's
// Content-Type (here text/html), the answer is an attachment named by the
// filename (RFC 6266, filename* for a non-ASCII name), with nosniff and a
// sandboxing Content-Security-Policy.
func TestDownload_servesAnAttachment(t *testing.T) {
	srv, err := offline.Start(context.Background(), quietOptions(t.TempDir()), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, filename := range []string{"page.html", "album/résumé 1.html"} {
		key := contract.DefaultImagePrefix + filename
		etag, err := srv.Local.Objects.Put(key, []byte("<script>alert(1)</script>"), "text/html", nil)
		if err != nil {
			t.Fatal(err)
		}
		link, err := srv.Local.LinkImage(context.Background(), service.ObjectVersion{Key: key, ETag: etag}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		resp, _ := get(t, srv.URL+link)
		h := resp.Header
		disposition, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
		if resp.StatusCode != http.StatusOK || err != nil || disposition != "attachment" || params["filename"] != path.Base(filename) {
			t.Errorf("%s: %d, Content-Disposition %q; want 200, attachment with the filename %q", filename, resp.StatusCode, h.Get("Content-Disposition"), path.Base(filename))
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Security-Policy") != "sandbox" {
			t.Errorf("%s: X-Content-Type-Options %q, Content-Security-Policy %q; want nosniff, sandbox", filename, h.Get("X-Content-Type-Options"), h.Get("Content-Security-Policy"))
		}
	}
}
