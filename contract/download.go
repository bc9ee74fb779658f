package contract

import (
	"mime"
	"path"
	"time"
)

// Image downloads, as GET /images/{filename} answers them.
const (
	// DownloadExpirySeconds is how long the link of an ImageDownload
	// stays valid, in seconds: 300, long enough to fetch an image of
	// MaxS3ImageBytes on a slow line, short enough that a link that leaks
	// (a log, a browser history) soon stops giving the biometric data
	// away. Deployed, the link is an S3 presigned URL, which also stops
	// working when the credentials that signed it expire (see
	// ImageDownload.URL).
	DownloadExpirySeconds = 300
	// DownloadsPath is the path under which the offline server answers
	// the links it gives (GET /downloads/{token}): it stands in for S3's
	// presigned URLs, so it is in no function's Routes and not in the
	// OpenAPI document's operations.
	DownloadsPath = "/downloads/"
)

// ImageDownload is the answer of GET /images/{filename}: the image's state
// and faces as GET /index/{filename} tells them (ImageStatus: Key, Status,
// Reason, Faces with their FaceId, ImageId, ExternalImageId, BoundingBox,
// Confidence, Person and attributes, IndexedAt), and a short-lived link
// to the bytes of the very version of the image those faces were indexed
// from. An image still pending or rejected is answered too, with its
// status and no faces; its link is to the version stored now.
type ImageDownload struct {
	ImageStatus
	// VersionID is the S3 VersionId of the version the link gets;
	// absent offline, whose bucket keeps one version of each object.
	VersionID string `json:"versionId,omitempty"`
	// URL gets the image's bytes with a plain GET, without the API's
	// credentials, until ExpiresAt. Deployed it is an S3 presigned
	// GetObject URL pinned to VersionID, so a later upload under the same
	// filename is never served under these faces; it carries the
	// function's session credentials and stops working at ExpiresAt or
	// when that session expires, whichever comes first. Offline it is the
	// server's own DownloadsPath with a signed token, which answers 403
	// once expired and 404 once the image was replaced or erased.
	URL string `json:"url"`
	// ExpiresAt is when URL stops working (RFC 3339, UTC).
	ExpiresAt time.Time `json:"expiresAt"`
	// ExpiresIn is the seconds from the answer to ExpiresAt
	// (DownloadExpirySeconds).
	ExpiresIn int `json:"expiresIn"`
}

// AttachmentDisposition is the Content-Disposition with which a download
// link answers the object key: "attachment", so that a browser saves the
// bytes instead of showing them (an upload's own Content-Type may be
// text/html or image/svg+xml), named by the key's last path segment; an
// ASCII name is a quoted filename, any other a UTF-8 filename* (RFC 6266,
// section 4.3; RFC 8187).
func AttachmentDisposition(key string) string {
	if d := mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(key)}); d != "" {
		return d
	}
	return "attachment"
}
