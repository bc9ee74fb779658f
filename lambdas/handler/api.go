package handler

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/imageio"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/lambdas/metrics"
)

// API serves the HTTP routes backed by Lambda proxy integrations.
type API struct {
	svc     *service.Service
	log     *slog.Logger
	metrics *metrics.Emitter
}

// NewAPI returns the API over svc, logging to log, with opts (WithMetrics).
func NewAPI(svc *service.Service, log *slog.Logger, opts ...Option) *API {
	return &API{svc: svc, log: log, metrics: emitterOf(svc, opts)}
}

// Search handles POST /search, POST /search?faces=all (FacesParam) and
// POST /search?by=person (ByParam; not with faces=all), each with optional
// threshold and maxFaces (ThresholdParam, MaxFacesParam) in place of the
// configured FaceMatchThreshold and MaxFaces.
// The body is the photo as raw bytes (API Gateway delivers binary media
// types with isBase64Encoded true), as base64 text, or as JSON {"image":
// "<base64>"}. It answers 200 with a contract.SearchResult, or an ErrorBody
// with the status of the error's kind: 400 bad body, faces, by, threshold or maxFaces value, 413
// too large, 415 not JPEG/PNG, 422 unusable image, 429 throttled (with
// Retry-After), 502/503 upstream, 500 ours.
func (a *API) Search(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	start := time.Now()
	counts := searchMetrics()
	defer emit(ctx, a.log, a.metrics, counts)
	v, all := req.QueryStringParameters[contract.FacesParam]
	if all && v != contract.FacesAll {
		return a.fail(ctx, &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidParameter,
			Message: fmt.Sprintf("the %s query parameter must be %q or absent, not %q", contract.FacesParam, contract.FacesAll, v)}), nil
	}
	by, byPerson := req.QueryStringParameters[contract.ByParam]
	switch {
	case byPerson && by != contract.ByPerson:
		return a.fail(ctx, &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidParameter,
			Message: fmt.Sprintf("the %s query parameter must be %q or absent, not %q", contract.ByParam, contract.ByPerson, by)}), nil
	case byPerson && all:
		return a.fail(ctx, &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidParameter,
			Message: fmt.Sprintf("%s=%s searches the largest face only; it cannot be combined with %s=%s", contract.ByParam, contract.ByPerson, contract.FacesParam, contract.FacesAll)}), nil
	}
	svc, err := a.searchService(req.QueryStringParameters)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	search := svc.Search
	switch {
	case all:
		search = svc.SearchAll
	case byPerson:
		search = svc.SearchPersons
	}
	img, err := imageFromBody(req)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	res, err := search(ctx, img)
	countSearch(counts, res, err)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	matches := counts.Total(contract.MetricMatches)
	a.log.InfoContext(ctx, "search", "status", http.StatusOK, "imageBytes", len(img), "allFaces", all, "byPerson", byPerson,
		"faces", len(res.Faces), "matches", matches, "ms", time.Since(start).Milliseconds())
	return a.respond(ctx, http.StatusOK, res, nil), nil
}

// Status handles GET /index/{filename}: 200 with a contract.ImageStatus,
// 400 for an invalid filename, 404 for an unknown one. REST API proxy
// events carry path parameters percent-encoded as in the request path
// ("Jane%20Doe.jpg"), so the filename is unescaped first.
func (a *API) Status(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	filename, err := filenameOf(req)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	st, err := a.svc.Status(ctx, filename)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	return a.respond(ctx, http.StatusOK, st, nil), nil
}

// Faces handles GET /faces and GET /faces/{faceId}, told apart by the
// faceId path parameter. GET /faces answers 200 with a contract.FaceList
// (400 for a limit that is not an integer from 1 to 100 or a nextToken
// that does not decode); a page may hold fewer faces than the limit while
// a nextToken follows. GET /faces/{faceId} answers 200 with a
// contract.Face, 404 for an unknown FaceId.
func (a *API) Faces(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	if id, ok := req.PathParameters[contract.FaceIDParam]; ok {
		f, err := a.svc.Face(ctx, id)
		if err != nil {
			return a.fail(ctx, err), nil
		}
		return a.respond(ctx, http.StatusOK, f, nil), nil
	}
	q := req.QueryStringParameters
	limit, err := limitOf(q)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	if p := q[contract.PersonParam]; p != "" {
		if err := contract.ValidatePerson(p); err != nil {
			return a.fail(ctx, &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidParameter, Message: err.Error()}), nil
		}
	}
	list, err := a.svc.ListFaces(ctx, q[contract.PersonParam], limit, q[contract.NextTokenParam])
	if err != nil {
		return a.fail(ctx, err), nil
	}
	return a.respond(ctx, http.StatusOK, list, nil), nil
}

// limitOf returns the LimitParam of a list request's query parameters
// (contract.DefaultFaceListLimit if absent); the service checks its range.
func limitOf(q map[string]string) (int, error) {
	v, ok := q[contract.LimitParam]
	if !ok {
		return contract.DefaultFaceListLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidParameter,
			Message: fmt.Sprintf("the %s query parameter must be an integer from 1 to %d, not %q", contract.LimitParam, contract.MaxFaceListLimit, v)}
	}
	return n, nil
}

// Persons handles GET /persons and GET /persons/{person}, told apart by
// the person path parameter. GET /persons answers 200 with a
// contract.PersonList (400 for a bad limit or nextToken, as GET /faces).
// GET /persons/{person} answers 200 with a contract.Person, 404 for an
// unknown person; the name arrives percent-encoded (see Status) and is
// unescaped first.
func (a *API) Persons(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	if raw, ok := req.PathParameters[contract.PersonNameParam]; ok {
		person, err := personOf(raw)
		if err != nil {
			return a.fail(ctx, err), nil
		}
		p, err := a.svc.Person(ctx, person)
		if err != nil {
			return a.fail(ctx, err), nil
		}
		return a.respond(ctx, http.StatusOK, p, nil), nil
	}
	q := req.QueryStringParameters
	limit, err := limitOf(q)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	list, err := a.svc.ListPersons(ctx, limit, q[contract.NextTokenParam])
	if err != nil {
		return a.fail(ctx, err), nil
	}
	return a.respond(ctx, http.StatusOK, list, nil), nil
}

// DeleteFace handles DELETE /faces/{faceId}: 200 with a
// contract.DeletedFace once the face is gone from the collection, the table
// and its image's item; 404 for an unknown FaceId. The image stays.
func (a *API) DeleteFace(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	res, err := a.svc.DeleteFace(ctx, req.PathParameters[contract.FaceIDParam])
	if err != nil {
		return a.fail(ctx, err), nil
	}
	a.log.InfoContext(ctx, "face deleted")
	return a.respond(ctx, http.StatusOK, res, nil), nil
}

// personOf unescapes the percent-encoded person path parameter and checks
// it against contract.ValidatePerson (400 INVALID_PARAMETER).
func personOf(raw string) (string, error) {
	person, err := url.PathUnescape(raw)
	if err != nil {
		return "", &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidParameter, Message: "invalid person: bad percent-encoding"}
	}
	if err := contract.ValidatePerson(person); err != nil {
		return "", &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidParameter, Message: err.Error()}
	}
	return person, nil
}

// DeletePerson handles DELETE /persons/{person}: 200 with a
// contract.DeletedPerson once the person is erased (service.DeletePerson:
// its images whole, every version, its faces, its Rekognition user and its
// items); 404 for an unknown person; 503 with Retry-After when Rekognition
// keeps refusing a delete (repeat the request to finish the erasure). The
// name arrives percent-encoded, as in Persons.
func (a *API) DeletePerson(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	person, err := personOf(req.PathParameters[contract.PersonNameParam])
	if err != nil {
		return a.fail(ctx, err), nil
	}
	res, err := a.svc.DeletePerson(ctx, person)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	// Neither the name nor its UserId (which holds the name) is logged.
	a.log.InfoContext(ctx, "person deleted", "deletedFaces", res.DeletedFaces, "deletedImages", len(res.DeletedImages))
	return a.respond(ctx, http.StatusOK, res, nil), nil
}

// Info handles GET /info with an InfoBody.
func (a *API) Info(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	c := a.svc.Config()
	return a.respond(ctx, http.StatusOK, contract.InfoBody{
		CollectionID:        c.CollectionID,
		FaceMatchThreshold:  c.FaceMatchThreshold,
		MaxFaces:            c.MaxFaces,
		QualityFilter:       c.QualityFilter,
		ImagePrefix:         c.ImagePrefix,
		SearchMaxImageBytes: c.SearchMaxImageBytes,
		IndexMaxImageBytes:  contract.MaxS3ImageBytes,
		MinImageDimension:   contract.MinImageDimension,
		MaxImagePixels:      maxImagePixels(c),
		AcceptedFormats:     contract.AcceptedMediaTypes,
		Version:             contract.Version,
	}, nil), nil
}

// maxImagePixels is the most pixels the service decodes with c:
// c.MaxDecodedPixels when set and under the decoder's own limit, otherwise
// that limit (imageio.MaxImagePixels).
func maxImagePixels(c contract.Config) int {
	if c.MaxDecodedPixels > 0 && c.MaxDecodedPixels < imageio.MaxImagePixels {
		return c.MaxDecodedPixels
	}
	return imageio.MaxImagePixels
}

func withProxyRequestID(ctx context.Context, req events.APIGatewayProxyRequest) context.Context {
	if id := req.RequestContext.RequestID; id != "" {
		return WithRequestID(ctx, id)
	}
	return ctx
}

// statusOf maps each service error kind to its HTTP status.
var statusOf = map[service.Kind]int{
	service.KindInternal:         http.StatusInternalServerError,
	service.KindBadRequest:       http.StatusBadRequest,
	service.KindNotFound:         http.StatusNotFound,
	service.KindTooLarge:         http.StatusRequestEntityTooLarge,
	service.KindUnsupportedMedia: http.StatusUnsupportedMediaType,
	service.KindUnprocessable:    http.StatusUnprocessableEntity,
	service.KindThrottled:        http.StatusTooManyRequests,
	service.KindUpstream:         http.StatusBadGateway,
	service.KindUnavailable:      http.StatusServiceUnavailable,
	service.KindConflict:         http.StatusConflict,
}

// fail logs err and turns it into an error response. Client errors are
// logged at WARN, server errors at ERROR with their cause; the body never
// carries the cause.
func (a *API) fail(ctx context.Context, err error) events.APIGatewayProxyResponse {
	e := service.AsError(err)
	status := statusOf[e.Kind]
	var headers map[string]string
	if e.RetryAfter > 0 {
		headers = map[string]string{"Retry-After": strconv.Itoa(int((e.RetryAfter + time.Second - 1) / time.Second))}
	}
	if status >= 500 {
		a.log.ErrorContext(ctx, "request failed", "status", status, "code", e.Code, "err", err)
	} else {
		a.log.WarnContext(ctx, "request refused", "status", status, "code", e.Code, "message", e.Message)
	}
	return a.respond(ctx, status, contract.ErrorBody{Error: contract.ErrorDetail{Code: e.Code, Message: e.Message}, RequestID: RequestID(ctx)}, headers)
}

// respond encodes body as the JSON response, with CORS headers and the
// request id in X-Request-Id.
func (a *API) respond(ctx context.Context, status int, body any, extra map[string]string) events.APIGatewayProxyResponse {
	b, err := json.Marshal(body)
	if err != nil {
		a.log.ErrorContext(ctx, "encode response", "err", err)
		status = http.StatusInternalServerError
		b, _ = json.Marshal(contract.ErrorBody{Error: contract.ErrorDetail{Code: contract.CodeInternal, Message: "internal error"}, RequestID: RequestID(ctx)})
	}
	h := map[string]string{
		"Content-Type":                 "application/json; charset=utf-8",
		"Access-Control-Allow-Origin":  a.svc.Config().AllowedOrigin,
		"Access-Control-Allow-Headers": contract.CORSAllowHeaders,
		"Access-Control-Allow-Methods": contract.CORSAllowMethods,
		"X-Request-Id":                 RequestID(ctx),
	}
	for k, v := range extra {
		h[k] = v
	}
	a.log.DebugContext(ctx, "response", "status", status, "bytes", len(b))
	return events.APIGatewayProxyResponse{StatusCode: status, Headers: h, Body: string(b)}
}

// rawBody returns the bytes of req's body: decoded when API Gateway marks
// it base64-encoded (binary media types), as they are otherwise. A body
// marked base64 that is not is a 400 INVALID_BODY.
func rawBody(req events.APIGatewayProxyRequest) ([]byte, error) {
	if !req.IsBase64Encoded {
		return []byte(req.Body), nil
	}
	body, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, badBody("the body is marked base64-encoded but is not valid base64")
	}
	return body, nil
}

// imageFromBody returns the image bytes a search request carries, whatever
// the encoding: raw bytes, base64 text (with or without a data: URL
// prefix), or JSON {"image": "<base64>"}. Bodies that are none of these are
// returned as they are, for ValidateImage to refuse.
func imageFromBody(req events.APIGatewayProxyRequest) ([]byte, error) {
	body, err := rawBody(req)
	if err != nil {
		return nil, err
	}
	if service.SniffFormat(body) != "" {
		return body, nil
	}
	text := bytes.TrimSpace(body)
	if len(text) == 0 {
		return nil, nil // ValidateImage: an image is required
	}
	if text[0] == '{' {
		var doc struct {
			Image string `json:"image"`
		}
		if err := json.Unmarshal(text, &doc); err != nil {
			return nil, &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidBody, Message: "the body is not valid JSON; send {\"image\": \"<base64>\"} or the image bytes"}
		}
		if doc.Image == "" {
			return nil, nil // ValidateImage: an image is required
		}
		img, ok := decodeBase64Text(doc.Image)
		if !ok {
			return nil, &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidBody, Message: "the \"image\" field is not valid base64"}
		}
		return img, nil
	}
	if img, ok := decodeBase64Text(string(text)); ok {
		return img, nil
	}
	return body, nil
}

// decodeBase64Text decodes standard or URL-safe base64, padded or not,
// ignoring white space and a leading data: URL prefix.
func decodeBase64Text(s string) ([]byte, bool) {
	if strings.HasPrefix(s, "data:") {
		if i := strings.Index(s, ","); i >= 0 {
			s = s[i+1:]
		}
	}
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if s == "" {
		return nil, false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}
