package client

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/facerec/facerec-cdk/contract"
)

// Defaults of the Client fields; a field that is zero or negative takes
// its default.
const (
	// DefaultMaxAttempts is the default number of attempts per call,
	// the first one included.
	DefaultMaxAttempts = 5
	// DefaultMinBackoff is the default wait before the first retry; the
	// wait doubles at each retry, with ±50% jitter.
	DefaultMinBackoff = 200 * time.Millisecond
	// DefaultMaxBackoff is the default longest wait between two
	// attempts.
	DefaultMaxBackoff = 20 * time.Second
	// DefaultTimeout is the timeout of the HTTP client New makes, per
	// attempt.
	DefaultTimeout = 60 * time.Second
)

// maxResponseBytes bounds how much of a response body is read.
const maxResponseBytes = 8 << 20

// Client calls the face-recognition API. Its methods are safe for
// concurrent use as long as its fields are not changed meanwhile.
//
// Every call is retried on 429, 502, 503 and 504 answers and on transport
// errors, up to MaxAttempts attempts, waiting MinBackoff before the first
// retry and doubling the wait at each retry, with ±50% jitter, never more
// than MaxBackoff. A Retry-After header (seconds or an HTTP date) sets the
// next wait, still capped at MaxBackoff. Other answers are not retried.
type Client struct {
	// Endpoint is the API base URL, stage path included (for example
	// https://abc.execute-api.us-east-1.amazonaws.com/v1/); the routes are
	// joined onto its path.
	Endpoint *url.URL
	// APIKey is sent as the x-api-key header when not empty.
	APIKey string
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
	// MaxAttempts bounds the attempts per call, the first one included;
	// default DefaultMaxAttempts (5).
	MaxAttempts int
	// MinBackoff is the wait before the first retry; default
	// DefaultMinBackoff (200 ms).
	MinBackoff time.Duration
	// MaxBackoff caps every wait between attempts, Retry-After included;
	// default DefaultMaxBackoff (20 s).
	MaxBackoff time.Duration
	// OnRetry, when not nil, is called before each wait with the error
	// of the failed attempt (an *APIError or a transport error) and the
	// wait. It may be called from several goroutines at once.
	OnRetry func(err error, wait time.Duration)
}

// New returns a Client for the API at endpoint (an absolute http or https
// URL, stage path included) sending apiKey (may be empty), with an HTTP
// client timing out each attempt after DefaultTimeout and the default
// retry settings. It fails when endpoint is not such a URL; the error of
// an endpoint without a scheme (such as "127.0.0.1:8080") says to add one.
func New(endpoint, apiKey string) (*Client, error) {
	if endpoint != "" && !strings.HasPrefix(endpoint, "/") && !strings.Contains(endpoint, "://") {
		return nil, fmt.Errorf("client: invalid endpoint %q: it has no scheme; add http:// or https://, as in http://%s", endpoint, endpoint)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("client: invalid endpoint: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: invalid endpoint %q: want an http:// or https:// URL with a host", endpoint)
	}
	return &Client{
		Endpoint:    u,
		APIKey:      apiKey,
		HTTP:        &http.Client{Timeout: DefaultTimeout},
		MaxAttempts: DefaultMaxAttempts,
		MinBackoff:  DefaultMinBackoff,
		MaxBackoff:  DefaultMaxBackoff,
	}, nil
}

// APIError is a non-2xx answer of the API.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is the service's stable error code (for example
	// "IMAGE_TOO_SMALL"); empty when the body is not a service error,
	// such as an API Gateway refusal. For a download link S3 refused, S3's
	// error code (for example "AccessDenied").
	Code string
	// Message is the error message, or the status text when the body
	// has none.
	Message string
	// RequestID identifies the request in the service logs; may be
	// empty.
	RequestID string
}

// Error returns "facerec API: STATUS CODE: MESSAGE (request ID)".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "facerec API: %d", e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	b.WriteString(": " + e.Message)
	if e.RequestID != "" {
		b.WriteString(" (request " + e.RequestID + ")")
	}
	return b.String()
}

// Index uploads body as the image filename (stored as key
// "index/<filename>") for person (may be empty), with PUT
// /index/{filename}, and returns the object key. contentType empty means
// ContentType(filename). Indexing is asynchronous: poll Status for the
// outcome. The person must pass contract.ValidatePerson; otherwise Index
// returns its error without sending anything. An upload without a person
// indexes the image without one, even if an earlier upload named one.
// Errors: *APIError for refusals (400 invalid filename, 413 too large, 415
// not JPEG/PNG...), transport or context errors otherwise.
func (c *Client) Index(ctx context.Context, filename string, body []byte, contentType, person string) (string, error) {
	if filename == "" {
		return "", errors.New("client: empty filename")
	}
	if contentType == "" {
		contentType = ContentType(filename)
	}
	var query url.Values
	if person != "" {
		if err := contract.ValidatePerson(person); err != nil {
			return "", fmt.Errorf("client: %w", err)
		}
		query = url.Values{contract.UploadPersonParam: {person}}
	}
	var out contract.PutResponse
	if err := c.do(ctx, http.MethodPut, c.route(query, "index", filename), body, contentType, &out); err != nil {
		return "", err
	}
	return out.Key, nil
}

// Status returns the indexing state of the image uploaded as filename,
// with GET /index/{filename}. Errors: *APIError with Status 404 for an
// unknown filename, 400 for an invalid one; transport or context errors
// otherwise.
func (c *Client) Status(ctx context.Context, filename string) (*contract.ImageStatus, error) {
	if filename == "" {
		return nil, errors.New("client: empty filename")
	}
	var st contract.ImageStatus
	if err := c.do(ctx, http.MethodGet, c.route(nil, "index", filename), nil, "", &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Delete erases the image uploaded as filename (key "index/<filename>"),
// with DELETE /index/{filename}, and returns the object key: once it
// returns, every version of the image and its faces are gone. Erasing a
// filename that is not stored succeeds too. Errors: *APIError for refusals
// (400 invalid filename; 503 when the erasure must be repeated), transport
// or context errors otherwise.
func (c *Client) Delete(ctx context.Context, filename string) (string, error) {
	if filename == "" {
		return "", errors.New("client: empty filename")
	}
	var out contract.DeletedImage
	if err := c.do(ctx, http.MethodDelete, c.route(nil, "index", filename), nil, "", &out); err != nil {
		return "", err
	}
	return out.Key, nil
}

// ListFaces returns one page of the indexed faces, of person if it is not
// empty, with GET /faces: limit is the page size (0 for the service's
// default of 50), token the NextToken of the previous page ("" for the
// first). A page may hold fewer faces than limit while a NextToken
// follows. Errors: *APIError for refusals (400 bad limit or token),
// transport or context errors otherwise.
func (c *Client) ListFaces(ctx context.Context, person string, limit int, token string) (*contract.FaceList, error) {
	q := pageQuery(limit, token)
	if person != "" {
		q.Set(contract.PersonParam, person)
	}
	var list contract.FaceList
	if err := c.do(ctx, http.MethodGet, c.route(q, "faces"), nil, "", &list); err != nil {
		return nil, err
	}
	return &list, nil
}

// AllFaces follows ListFaces's pages from the first to the last and
// returns their faces.
func (c *Client) AllFaces(ctx context.Context, person string, limit int) ([]contract.Face, error) {
	faces := []contract.Face{}
	token := ""
	for {
		page, err := c.ListFaces(ctx, person, limit, token)
		if err != nil {
			return nil, err
		}
		faces = append(faces, page.Faces...)
		if token = page.NextToken; token == "" {
			return faces, nil
		}
	}
}

// pageQuery returns the query of one page of a list: limit unless 0 (the
// service's default), token unless "" (the first page).
func pageQuery(limit int, token string) url.Values {
	q := url.Values{}
	if limit != 0 {
		q.Set(contract.LimitParam, strconv.Itoa(limit))
	}
	if token != "" {
		q.Set(contract.NextTokenParam, token)
	}
	return q
}

// AllPersons follows the pages of GET /persons (limit persons a page, 0
// for the service's default) from the first to the last and returns
// their persons. Errors: *APIError for refusals (400 bad limit or token),
// transport or context errors otherwise.
func (c *Client) AllPersons(ctx context.Context, limit int) ([]contract.PersonSummary, error) {
	persons := []contract.PersonSummary{}
	token := ""
	for {
		var page contract.PersonList
		if err := c.do(ctx, http.MethodGet, c.route(pageQuery(limit, token), "persons"), nil, "", &page); err != nil {
			return nil, err
		}
		persons = append(persons, page.Persons...)
		if token = page.NextToken; token == "" {
			return persons, nil
		}
	}
}

// DeleteFace removes the indexed face faceID from the collection, the
// table and its image, with DELETE /faces/{faceId}; the image and its
// other faces stay. Errors: *APIError with Status 404 for an unknown
// FaceId, transport or context errors otherwise.
func (c *Client) DeleteFace(ctx context.Context, faceID string) error {
	if faceID == "" {
		return errors.New("client: empty FaceId")
	}
	var out contract.DeletedFace
	return c.do(ctx, http.MethodDelete, c.route(nil, "faces", faceID), nil, "", &out)
}

// DeletePerson erases the person named person with DELETE
// /persons/{person}: its faces, the images holding only its faces and its
// Rekognition user. Errors: *APIError with Status 404 for an unknown
// person, transport or context errors otherwise.
func (c *Client) DeletePerson(ctx context.Context, person string) (*contract.DeletedPerson, error) {
	if person == "" {
		return nil, errors.New("client: empty person")
	}
	var out contract.DeletedPerson
	if err := c.do(ctx, http.MethodDelete, c.route(nil, "persons", person), nil, "", &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Thumbnail returns the thumbnail of the indexed face faceID, with GET
// /thumbnails/{faceId}: the face's crop as JPEG bytes
// (contract.ThumbnailMediaType), at most contract.ThumbnailMaxSide pixels a
// side. It sends Accept: image/jpeg, which the deployed API needs to answer
// bytes. Errors: *APIError with Status 404 for an unknown FaceId or a
// deleted image, transport or context errors otherwise.
func (c *Client) Thumbnail(ctx context.Context, faceID string) ([]byte, error) {
	if faceID == "" {
		return nil, errors.New("client: empty FaceId")
	}
	out := &rawBody{accept: contract.ThumbnailMediaType}
	if err := c.do(ctx, http.MethodGet, c.route(nil, "thumbnails", faceID), nil, "", out); err != nil {
		return nil, err
	}
	return out.data, nil
}

// rawBody is the out of do for an answer that is not JSON: do asks for
// the media type accept and keeps the body of a 2xx answer in data.
type rawBody struct {
	accept string
	data   []byte
}

// Search looks for the faces of the collection most similar to the
// largest face in image (JPEG or PNG bytes), with POST /search.
// contentType empty means application/octet-stream. An empty Faces in the
// result means the photo has no face. Errors: *APIError for refusals (413
// too large, 415 not JPEG/PNG, 422 unusable image...), transport or
// context errors otherwise.
func (c *Client) Search(ctx context.Context, image []byte, contentType string) (*contract.SearchResult, error) {
	return c.search(ctx, nil, image, contentType)
}

// SearchAll is Search for every face of the photo, not only the largest,
// with POST /search?faces=all: Faces holds one entry per face, left to
// right, and a face that could not be searched has a Reason and no
// matches.
func (c *Client) SearchAll(ctx context.Context, image []byte, contentType string) (*contract.SearchResult, error) {
	return c.search(ctx, url.Values{contract.FacesParam: {contract.FacesAll}}, image, contentType)
}

// search sends image to POST /search with query.
func (c *Client) search(ctx context.Context, query url.Values, image []byte, contentType string) (*contract.SearchResult, error) {
	if contentType == "" {
		contentType = octetStream
	}
	var res contract.SearchResult
	if err := c.do(ctx, http.MethodPost, c.route(query, "search"), image, contentType, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// route returns the URL of the route made of segments, each path-escaped,
// under the endpoint's path, with query.
func (c *Client) route(query url.Values, segments ...string) *url.URL {
	escaped := make([]string, len(segments))
	for i, s := range segments {
		escaped[i] = url.PathEscape(s)
	}
	u := *c.Endpoint
	u.RawPath = strings.TrimSuffix(c.Endpoint.EscapedPath(), "/") + "/" + strings.Join(escaped, "/")
	u.Path, _ = url.PathUnescape(u.RawPath) // cannot fail: made of escaped parts
	u.RawQuery = query.Encode()
	u.Fragment, u.RawFragment = "", ""
	return &u
}

// do sends the request, retrying as the Client documents, and decodes a
// 2xx JSON answer into out.
func (c *Client) do(ctx context.Context, method string, u *url.URL, body []byte, contentType string, out any) error {
	maxWait := orDefault(c.MaxBackoff, DefaultMaxBackoff)
	b := &retryBackOff{
		ExponentialBackOff: backoff.ExponentialBackOff{
			InitialInterval:     orDefault(c.MinBackoff, DefaultMinBackoff),
			RandomizationFactor: 0.5,
			Multiplier:          2,
			MaxInterval:         maxWait,
		},
		max: maxWait,
	}
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		return struct{}{}, c.attempt(ctx, method, u, body, contentType, out, b)
	},
		backoff.WithBackOff(b),
		backoff.WithMaxTries(uint(orDefault(c.MaxAttempts, DefaultMaxAttempts))),
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(c.OnRetry),
	)
	return err
}

// attempt sends the request once. It returns a backoff.Permanent error
// for answers not worth retrying, and records a retryable answer's
// Retry-After in b.
func (c *Client) attempt(ctx context.Context, method string, u *url.URL, body []byte, contentType string, out any, b *retryBackOff) error {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return backoff.Permanent(err)
	}
	raw, isRaw := out.(*rawBody)
	if isRaw {
		req.Header.Set("Accept", raw.accept)
	} else {
		req.Header.Set("Accept", "application/json")
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.APIKey != "" {
		req.Header.Set("x-api-key", c.APIKey)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("%s %s: reading the response: %w", method, u.Redacted(), err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if isRaw {
			raw.data = data
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return backoff.Permanent(fmt.Errorf("%s %s: decoding the %d response: %w", method, u.Redacted(), resp.StatusCode, err))
		}
		return nil
	}
	apiErr := newAPIError(resp, data)
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		b.retryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
		return apiErr
	}
	return backoff.Permanent(apiErr)
}

// newAPIError reads an error answer: a contract.ErrorBody, or API
// Gateway's {"message": ...}, or anything else (its text becomes the
// message).
func newAPIError(resp *http.Response, data []byte) *APIError {
	var doc struct {
		contract.ErrorBody
		Message string `json:"message"`
	}
	e := &APIError{Status: resp.StatusCode}
	if json.Unmarshal(data, &doc) == nil {
		e.Code, e.Message, e.RequestID = doc.Error.Code, doc.Error.Message, doc.RequestID
		if e.Message == "" {
			e.Message = doc.Message
		}
	} else if text := strings.TrimSpace(string(data)); text != "" && len(text) <= 200 {
		e.Message = text
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	if e.RequestID == "" {
		e.RequestID = cmp.Or(resp.Header.Get("X-Request-Id"), resp.Header.Get("X-Amzn-Requestid"))
	}
	return e
}

// retryAfter parses a Retry-After value, delay seconds or an HTTP date,
// into a wait from now; 0 when it is absent, invalid or past.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		return max(time.Duration(s)*time.Second, 0)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// retryBackOff is an exponential backoff whose next wait is raised to a
// Retry-After, and capped at max.
type retryBackOff struct {
	backoff.ExponentialBackOff
	max        time.Duration
	retryAfter time.Duration
}

// NextBackOff returns the next wait and forgets the Retry-After.
func (b *retryBackOff) NextBackOff() time.Duration {
	d := max(b.ExponentialBackOff.NextBackOff(), b.retryAfter)
	b.retryAfter = 0
	return min(d, b.max)
}

// orDefault returns v when positive, def otherwise.
func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}
