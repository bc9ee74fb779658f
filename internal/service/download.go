package service

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
)

// ObjectVersion names one stored version of an object, as an ImageLinker
// links it.
type ObjectVersion struct {
	// Bucket and Key name the object.
	Bucket, Key string
	// VersionID is S3's VersionId of the version; empty where the bucket
	// does not give one (the offline bucket, which keeps one version).
	VersionID string
	// ETag is the version's ETag, without quotes: what tells versions
	// apart where there is no VersionID.
	ETag string
}

// ImageLinker makes the links of GET /images/{filename}. Deployed it is
// an S3Presigner; offline, the local server's signed links.
type ImageLinker interface {
	// LinkImage returns a URL whose plain GET answers the bytes of obj,
	// and nothing else, until expires from now.
	LinkImage(ctx context.Context, obj ObjectVersion, expires time.Duration) (string, error)
}

// SetImageLinker gives the service the ImageLinker behind Download. Call
// it before the service is used.
func (s *Service) SetImageLinker(l ImageLinker) { s.linker = l }

// Download returns the image stored as filename with its faces, as Status
// tells them, and a link to the bytes of the version they describe, valid
// for contract.DownloadExpirySeconds. An image that is pending or rejected
// is answered too: its status says so, its faces are empty, and the link
// gets the version stored now. The person's name is never logged.
//
// Errors: KindBadRequest for an invalid filename; KindNotFound when no
// such object is stored (never uploaded, or erased) or its image item is
// a tombstone; KindInternal if the service has no ImageLinker; mapped AWS
// errors otherwise (presigning itself calls no AWS service, but may fail
// to get the function's credentials).
func (s *Service) Download(ctx context.Context, filename string) (*contract.ImageDownload, error) {
	st, head, err := s.status(ctx, filename)
	if err != nil {
		return nil, err
	}
	if st.Status == StatusRemoved {
		// The stored bytes are the erased version's (restored under a
		// tombstone): not an image of the service any more.
		return nil, noImage()
	}
	if s.linker == nil {
		return nil, newError(KindInternal, contract.CodeInternal, "downloads are not configured")
	}
	expires := contract.DownloadExpirySeconds * time.Second
	// The link's validity starts when it is signed, after now: ExpiresAt
	// is at most that early, never late. Whole seconds, as the
	// signature's time.
	at := s.now().Truncate(time.Second).Add(expires)
	obj := ObjectVersion{
		Bucket: s.cfg.BucketName, Key: st.Key,
		VersionID: aws.ToString(head.VersionId), ETag: strings.Trim(aws.ToString(head.ETag), `"`),
	}
	link, err := s.linker.LinkImage(ctx, obj, expires)
	if err != nil {
		return nil, fromAWS("S3", err)
	}
	return &contract.ImageDownload{
		ImageStatus: *st, VersionID: obj.VersionID,
		URL: link, ExpiresAt: at, ExpiresIn: contract.DownloadExpirySeconds,
	}, nil
}

// S3Presigner is the deployed ImageLinker: an S3 presigned GetObject URL
// of the object's version (VersionId; without one, the object's current
// version at the time of the GET), signed with the client's credentials.
//
// A presigned URL carries the credentials that signed it: in a Lambda
// function, the role's session credentials, with their session token. S3
// refuses it after its expiry or once that session has expired, whichever
// comes first, so a link may stop working before its ExpiresAt when the
// function's session ends sooner (Amazon S3 User Guide, "Sharing objects
// with presigned URLs", on URLs signed with temporary credentials). Whoever holds
// the link gets the object as the role: the role needs
// s3:GetObjectVersion on it for a link with a VersionId (s3:GetObject
// without one), and kms:Decrypt on the bucket's key if it has one.
type S3Presigner struct {
	client *s3.PresignClient
}

// NewS3Presigner returns the S3Presigner signing with client's
// configuration (region, credentials, endpoint).
func NewS3Presigner(client *s3.Client) *S3Presigner {
	return &S3Presigner{client: s3.NewPresignClient(client)}
}

// LinkImage implements ImageLinker with a presigned GetObject, answered
// as an attachment named by the filename (contract.AttachmentDisposition).
func (p *S3Presigner) LinkImage(ctx context.Context, obj ObjectVersion, expires time.Duration) (string, error) {
	// S3 answers the link with this Content-Disposition: a browser saves
	// the bytes under the filename (an <a download> is ignored for another
	// origin's URL) instead of showing them.
	in := &s3.GetObjectInput{
		Bucket: aws.String(obj.Bucket), Key: aws.String(obj.Key),
		ResponseContentDisposition: aws.String(contract.AttachmentDisposition(obj.Key)),
	}
	if obj.VersionID != "" {
		in.VersionId = aws.String(obj.VersionID)
	}
	req, err := p.client.PresignGetObject(ctx, in, s3.WithPresignExpires(expires))
	if err != nil {
		return "", err
	}
	return req.URL, nil
}
