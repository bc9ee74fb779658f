package client

import (
	"cmp"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"text/tabwriter"

	"github.com/facerec/facerec-cdk/contract"
)

// Download returns the image uploaded as filename with its faces, as GET
// /index/{filename} tells them (each with its FaceId, ImageId and
// ExternalImageId), and a link to its bytes valid until ExpiresAt, with
// GET /images/{filename}. A pending or rejected image is answered too, its
// Status saying so and its Faces empty. Errors: *APIError with Status 404
// for a filename not stored (or erased), 400 for an invalid one; transport
// or context errors otherwise.
func (c *Client) Download(ctx context.Context, filename string) (*contract.ImageDownload, error) {
	if filename == "" {
		return nil, errors.New("client: empty filename")
	}
	var d contract.ImageDownload
	if err := c.do(ctx, http.MethodGet, c.route(nil, "images", filename), nil, "", &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// DownloadImage is Download, and then writes the image's bytes to w from
// the answer's link: deployed an S3 presigned URL, offline the server's
// own link; a relative link is taken relative to Endpoint. The link is
// fetched once, without the API key (it is its own credential, and it may
// point at another host), and streamed to w. Errors: those of Download;
// for the link, *APIError with its status (403 once it expired, 404 once
// the image was replaced or erased offline) and, from S3, the code,
// message and request ID of its XML error body, transport or context errors,
// and w's write errors, after which w may hold part of the image.
func (c *Client) DownloadImage(ctx context.Context, filename string, w io.Writer) (*contract.ImageDownload, error) {
	d, err := c.Download(ctx, filename)
	if err != nil {
		return nil, err
	}
	link, err := url.Parse(d.URL)
	if err != nil {
		return nil, fmt.Errorf("client: the answer's url: %w", err)
	}
	link = c.Endpoint.ResolveReference(link)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link.String(), nil)
	if err != nil {
		return nil, err
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		// The link is a credential: keep it out of the error.
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = "(the link of " + d.Key + ")"
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		return nil, newLinkError(resp, data)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return nil, fmt.Errorf("client: downloading %s: %w", d.Key, err)
	}
	return d, nil
}

// s3Error is the XML body of an S3 error answer, as S3 refuses a
// presigned URL (S3 API reference, "Error responses": Code, Message,
// RequestId, and fields that vary with the code).
type s3Error struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
}

// newLinkError returns the *APIError of a link's answer other than 200:
// S3's code, message and request ID from its XML error body; otherwise
// (the offline server's JSON errors, anything else) as newAPIError.
func newLinkError(resp *http.Response, data []byte) *APIError {
	var x s3Error
	if xml.Unmarshal(data, &x) != nil || x.Code == "" {
		return newAPIError(resp, data)
	}
	return &APIError{
		Status: resp.StatusCode, Code: x.Code,
		Message:   cmp.Or(x.Message, http.StatusText(resp.StatusCode)),
		RequestID: cmp.Or(x.RequestID, resp.Header.Get("X-Amz-Request-Id")),
	}
}

// PrintImage writes an image's state and faces as text: a line with its
// key (as SafeText gives it), status and reason, then "no faces", or a
// table of its faces, one a line: face ID, Rekognition's image ID, person
// ("-" when none), bounding box (left, top, width and height as
// percentages of the image) and detection confidence in percent with one
// decimal.
func PrintImage(w io.Writer, st *contract.ImageStatus) {
	line := SafeText(st.Key) + ": " + st.Status
	if st.Reason != "" {
		line += " (" + SafeText(st.Reason) + ")"
	}
	fmt.Fprintln(w, line)
	if len(st.Faces) == 0 {
		fmt.Fprintln(w, "no faces")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FACE ID\tIMAGE ID\tPERSON\tLEFT\tTOP\tWIDTH\tHEIGHT\tCONFIDENCE")
	for _, f := range st.Faces {
		b := f.BoundingBox
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f%%\t%.1f%%\t%.1f%%\t%.1f%%\t%.1f%%\n", f.FaceID, cmp.Or(f.ImageID, "-"), cmp.Or(SafeText(f.Person), "-"),
			b.Left*100, b.Top*100, b.Width*100, b.Height*100, f.Confidence)
	}
	_ = tw.Flush()
}
