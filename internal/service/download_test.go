package service_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service"
)

// fetch GETs link without credentials and returns the body of a 200.
func fetch(t *testing.T, link string) []byte {
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
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", link, resp.StatusCode, body)
	}
	return body
}

// currentVersion returns the VersionId of key's current version in the
// stand-in's bucket.
func (h *harness) currentVersion(t *testing.T, key string) string {
	t.Helper()
	head, err := h.S3.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(h.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.VersionId) == "" {
		t.Fatalf("%s has no VersionId: the stand-in's bucket should be versioned", key)
	}
	return aws.ToString(head.VersionId)
}

// TestDownload_presignsTheIndexedVersion downloads an indexed image: its
// status and faces (with Rekognition's ImageId and ExternalImageId) are
// Status's, and its link is an S3 presigned GetObject of the bucket, key
// and current version, expiring in contract.DownloadExpirySeconds, with
// S3's response-content-disposition an attachment named by the filename,
// whose GET answers the image's bytes. After another upload under the same
// filename, the old link still answers the old bytes (it is pinned to
// its version) and a new download answers the new version, pending.
func TestDownload_presignsTheIndexedVersion(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/group photo.jpg", "group_obama_biden.jpg", "Two People")
	version := h.currentVersion(t, "index/group photo.jpg")
	before := time.Now().UTC()
	d, err := h.Service.Download(t.Context(), "group photo.jpg")
	if err != nil {
		t.Fatal(err)
	}
	st := h.status(t, "group photo.jpg")
	if d.Status != contract.StatusIndexed || d.Key != st.Key || len(d.Faces) != 2 || d.IndexedAt == nil || !d.IndexedAt.Equal(*st.IndexedAt) {
		t.Fatalf("download %+v, want the status %+v", d.ImageStatus, st)
	}
	for i, f := range d.Faces {
		if f.FaceID != st.Faces[i].FaceID || f.ImageID == "" || f.ExternalImageID != service.ExternalImageID("index/group photo.jpg") ||
			f.Person != "Two People" || f.BoundingBox != st.Faces[i].BoundingBox || f.Confidence == 0 || f.Pose == nil || len(f.Landmarks) == 0 {
			t.Errorf("face %d = %+v, want the status's %+v with its ImageId and ExternalImageId", i, f, st.Faces[i])
		}
	}
	if d.Faces[0].ImageID != d.Faces[1].ImageID {
		t.Errorf("faces of one IndexFaces call have ImageIds %q and %q", d.Faces[0].ImageID, d.Faces[1].ImageID)
	}
	if d.VersionID != version || d.ExpiresIn != contract.DownloadExpirySeconds {
		t.Errorf("versionId %q, expiresIn %d; want %q, %d", d.VersionID, d.ExpiresIn, version, contract.DownloadExpirySeconds)
	}
	if lo, hi := before.Truncate(time.Second).Add(contract.DownloadExpirySeconds*time.Second), time.Now().Add(contract.DownloadExpirySeconds*time.Second); d.ExpiresAt.Before(lo) || d.ExpiresAt.After(hi) {
		t.Errorf("expiresAt %v, want between %v and %v", d.ExpiresAt, lo, hi)
	}

	u, err := url.Parse(d.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	// The stand-ins' client is path-style: /bucket/key.
	if u.Path != "/"+h.Bucket+"/index/group photo.jpg" || q.Get("versionId") != version {
		t.Errorf("link path %q, versionId %q; want /%s/index/group photo.jpg, %q", u.Path, q.Get("versionId"), h.Bucket, version)
	}
	if q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" || q.Get("X-Amz-Signature") == "" || !strings.Contains(q.Get("X-Amz-Credential"), "/s3/aws4_request") {
		t.Errorf("link %s is not a SigV4 presigned S3 URL", d.URL)
	}
	// A browser saves the bytes under the filename, even across origins
	// (where an <a download> is ignored), and never shows an uploaded page.
	if got, want := q.Get("response-content-disposition"), contract.AttachmentDisposition("index/group photo.jpg"); got != want {
		t.Errorf("response-content-disposition %q, want %q", got, want)
	}
	if q.Get("X-Amz-Expires") != strconv.Itoa(contract.DownloadExpirySeconds) {
		t.Errorf("X-Amz-Expires %q, want %d", q.Get("X-Amz-Expires"), contract.DownloadExpirySeconds)
	}
	signed, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil || signed.Add(contract.DownloadExpirySeconds*time.Second).Before(d.ExpiresAt) || signed.Before(before.Truncate(time.Second)) {
		t.Errorf("X-Amz-Date %q (%v): the link must be valid until expiresAt %v", q.Get("X-Amz-Date"), err, d.ExpiresAt)
	}
	if got := fetch(t, d.URL); string(got) != string(photos.MustRead("group_obama_biden.jpg")) {
		t.Errorf("the link answers %d bytes, not the image's", len(got))
	}

	// Another upload under the same filename: a new version.
	h.Put(t, "index/group photo.jpg", "obama_1.jpg", "")
	if got := fetch(t, d.URL); string(got) != string(photos.MustRead("group_obama_biden.jpg")) {
		t.Errorf("after another upload, the old link answers other bytes than its version's")
	}
	d2, err := h.Service.Download(t.Context(), "group photo.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if d2.Status != contract.StatusPending || len(d2.Faces) != 0 || d2.VersionID == version || d2.VersionID == "" {
		t.Errorf("after another upload: status %q, %d faces, version %q (was %q); want pending, none, a new version", d2.Status, len(d2.Faces), d2.VersionID, version)
	}
	if got := fetch(t, d2.URL); string(got) != string(photos.MustRead("obama_1.jpg")) {
		t.Errorf("the new link answers %d bytes, not the new upload's", len(got))
	}
}

// TestDownload_rejectedMissingErasedAndInvalid: a rejected image is
// answered with its reason, no faces and a link to its bytes; a filename
// never stored, an erased image and invalid filenames are errors; a
// service without an ImageLinker answers an internal error.
func TestDownload_rejectedMissingErasedAndInvalid(t *testing.T) {
	h := newHarness(t)
	h.PutObject(t, "index/notes.txt", []byte("hello"), nil)
	h.reconcile(t, "index/notes.txt")
	d, err := h.Service.Download(t.Context(), "notes.txt")
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != contract.StatusRejected || d.Reason == "" || len(d.Faces) != 0 || string(fetch(t, d.URL)) != "hello" {
		t.Errorf("rejected image: %+v", d)
	}

	h.indexPhoto(t, "index/erased.jpg", "obama_1.jpg", "Someone")
	if _, err := h.Service.DeleteImage(t.Context(), "erased.jpg"); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]service.Kind{
		"erased.jpg": service.KindNotFound, "missing.jpg": service.KindNotFound,
		"..": service.KindBadRequest, "": service.KindBadRequest, "a//b": service.KindBadRequest, "\xff.jpg": service.KindBadRequest,
	} {
		if _, err := h.Service.Download(t.Context(), name); kindOf(err) != want {
			t.Errorf("filename %q: error %v (kind %d), want kind %d", name, err, kindOf(err), want)
		}
	}

	h.Service.SetImageLinker(nil)
	if _, err := h.Service.Download(t.Context(), "notes.txt"); kindOf(err) != service.KindInternal {
		t.Errorf("without a linker: error %v, want an internal error", err)
	}
}

// TestNotFound_leavesTheFilenameOut: the 404 of Status and Download,
// whose message is logged, does not repeat the filename, which may hold a
// person's name; neither does Download's 404 for an erased image.
func TestNotFound_leavesTheFilenameOut(t *testing.T) {
	h := newHarness(t)
	h.indexPhoto(t, "index/Jane Roe.jpg", "obama_1.jpg", "")
	if _, err := h.Service.DeleteImage(t.Context(), "Jane Roe.jpg"); err != nil {
		t.Fatal(err)
	}
	for what, call := range map[string]func(string) error{
		"Status":   func(f string) error { _, err := h.Service.Status(t.Context(), f); return err },
		"Download": func(f string) error { _, err := h.Service.Download(t.Context(), f); return err },
	} {
		for _, filename := range []string{"John Doe.jpg", "Jane Roe.jpg"} {
			err := call(filename)
			if e := service.AsError(err); kindOf(err) != service.KindNotFound || strings.Contains(e.Message, "Doe") || strings.Contains(e.Message, "Roe") {
				t.Errorf("%s(%q): %v, want a 404 whose message leaves the filename out", what, filename, err)
			}
		}
	}
}
