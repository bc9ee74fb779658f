package contract

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestDocument_imageDownloadLinks checks the ImageDownload schema, with
// format validation on, against the answers of both modes: a link is an
// absolute URL deployed (S3's presigned URLs, the offline server's links
// to itself) but a path alone from `facerec invoke`, so url is a
// uri-reference (RFC 3986, section 4.1), not a uri.
func TestDocument_imageDownloadLinks(t *testing.T) {
	schema := load(t).Components.Schemas["ImageDownload"].Value
	uri := openapi3.NewCallbackValidator(func(s string) error {
		if u, err := url.Parse(s); err != nil || !u.IsAbs() {
			return errors.New("not an absolute URI")
		}
		return nil
	})
	uriReference := openapi3.NewCallbackValidator(func(s string) error {
		_, err := url.Parse(s)
		return err
	})
	for _, link := range []string{
		"https://bucket.s3.us-east-1.amazonaws.com/index/a.jpg?versionId=v1&X-Amz-Signature=abc",
		"http://127.0.0.1:8080" + DownloadsPath + "body.sig",
		DownloadsPath + "body.sig",
	} {
		d := ImageDownload{
			ImageStatus: ImageStatus{Key: "index/a.jpg", Status: StatusPending, Faces: []StatusFace{}},
			URL:         link, ExpiresAt: time.Now().UTC(), ExpiresIn: DownloadExpirySeconds,
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var body any
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		if err := schema.VisitJSON(body, openapi3.EnableFormatValidation(),
			openapi3.WithStringFormatValidator("uri", uri), openapi3.WithStringFormatValidator("uri-reference", uriReference)); err != nil {
			t.Errorf("url %s: %v", link, err)
		}
	}
}
