package offline

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// The offline links of GET /images/{filename} stand in for S3's presigned
// URLs: GET /downloads/{token} on the server itself, where the token is a
// reference to one object version (its key and ETag: the local bucket
// keeps one version of each object, told apart by its ETag) and its
// expiry, signed with HMAC-SHA256 under a key drawn when the data directory
// is opened. Like a presigned URL, the link is its own credential: the
// route needs no API key, and the link stops working when it expires, when
// the server restarts (a new key), and when the image is replaced or
// erased (the local bucket cannot serve the old version: 404).

// downloadToken is the signed content of a link's token.
type downloadToken struct {
	// Key is the object key.
	Key string `json:"k"`
	// ETag is the linked version's ETag, without quotes.
	ETag string `json:"e"`
	// Expires is when the link stops working, in seconds since the Unix
	// epoch.
	Expires int64 `json:"x"`
}

// downloadKeyBytes is the size of the links' HMAC-SHA256 key: the hash's
// size (RFC 2104 recommends at least the output length).
const downloadKeyBytes = sha256.Size

// newDownloadKey draws the key that signs the links.
func newDownloadKey() ([]byte, error) {
	key := make([]byte, downloadKeyBytes)
	_, err := rand.Read(key)
	return key, err
}

// baseURLKey is the context key of the base URL of the request being
// answered ("http://" and its Host), which the proxy sets so that
// LinkImage links to the address the client used.
type baseURLKey struct{}

// withBaseURL returns ctx carrying the base URL of r.
func withBaseURL(ctx context.Context, r *http.Request) context.Context {
	return context.WithValue(ctx, baseURLKey{}, "http://"+r.Host)
}

// LinkImage implements service.ImageLinker: the server's own
// contract.DownloadsPath with a token signed for obj's key and ETag,
// valid for expires, on the address of the request being answered. Without
// a request (`facerec invoke`), the link is the path alone. The bucket and
// VersionID are ignored: one local bucket, one version per object.
func (l *Local) LinkImage(ctx context.Context, obj service.ObjectVersion, expires time.Duration) (string, error) {
	payload, err := json.Marshal(downloadToken{Key: obj.Key, ETag: obj.ETag, Expires: time.Now().Add(expires).Unix()})
	if err != nil {
		return "", err
	}
	body := base64.RawURLEncoding.EncodeToString(payload)
	base, _ := ctx.Value(baseURLKey{}).(string)
	return base + contract.DownloadsPath + body + "." + l.signDownload(body), nil
}

// signDownload returns the signature of a token's body.
func (l *Local) signDownload(body string) string {
	mac := hmac.New(sha256.New, l.downloadKey)
	mac.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// serveDownload answers GET /downloads/{token} as S3 answers a presigned
// GetObject: the object's bytes with its Content-Type, as an attachment
// (contract.AttachmentDisposition) with nosniff and a sandbox CSP (ranges and
// conditional requests as http.ServeContent answers them); 403
// ACCESS_DENIED for a token this server did not sign or that has expired;
// 404 NOT_FOUND once the object was replaced (another ETag) or erased.
func (l *Local) serveDownload(w http.ResponseWriter, r *http.Request) {
	body, sig, _ := strings.Cut(r.PathValue("token"), ".")
	var tok downloadToken
	payload, err := base64.RawURLEncoding.DecodeString(body)
	if !hmac.Equal([]byte(sig), []byte(l.signDownload(body))) || err != nil || json.Unmarshal(payload, &tok) != nil {
		l.gatewayError(w, r, http.StatusForbidden, contract.CodeAccessDenied, "the link is not valid: it was not made by this server, or before it restarted")
		return
	}
	if time.Now().Unix() >= tok.Expires {
		l.gatewayError(w, r, http.StatusForbidden, contract.CodeAccessDenied, "the link has expired")
		return
	}
	f, obj, err := l.Objects.open(tok.Key)
	var nsk *s3types.NoSuchKey
	switch {
	case errors.As(err, &nsk):
		l.gatewayError(w, r, http.StatusNotFound, contract.CodeNotFound, "the image was erased since the link was made")
		return
	case err != nil:
		l.log.Error("download failed", "err", err)
		l.gatewayError(w, r, http.StatusInternalServerError, contract.CodeInternal, "internal error")
		return
	}
	defer f.Close()
	if obj.ETag != tok.ETag {
		l.gatewayError(w, r, http.StatusNotFound, contract.CodeNotFound, "the image was replaced since the link was made")
		return
	}
	l.cors(w)
	h := w.Header()
	h.Set("Content-Type", obj.ContentType)
	h.Set("ETag", `"`+obj.ETag+`"`)
	h.Set("Cache-Control", "private, no-store")
	// The bytes are the uploader's, with the uploader's Content-Type, on
	// the console's origin: saved, never sniffed, and sandboxed if shown.
	h.Set("Content-Disposition", contract.AttachmentDisposition(tok.Key))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	// Streamed from the file (ranges as http.ServeContent answers them):
	// a download holds a copy buffer, never the object.
	http.ServeContent(w, r, "", obj.LastModified, f)
}
