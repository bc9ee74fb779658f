package offline

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/facerec/facerec-cdk/console"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

// maxRequestBytes is API Gateway's payload limit for REST APIs: 10 MB
// (API Gateway quotas).
const maxRequestBytes = 10 * 1024 * 1024

// routes returns the local API: the deployed API's routes, served at the
// root of the address, and the web console (package console) at "/". The routes of contract.Functions are each turned
// into the API Gateway proxy event the deployed function receives and
// answered by the same handler (l.Handlers); those of
// contract.StorageRoutes are answered over the local bucket as S3 answers
// them (putImage). Requests of the Rekognition protocol are answered
// first (withRekognition), without the API key, and so are the links of
// GET /images/{filename} (GET /downloads/{token}, serveDownload), which
// stand in for S3's presigned URLs and are in no function's routes.
func (l *Local) routes() http.Handler {
	mux := http.NewServeMux()
	for _, f := range contract.Functions {
		for _, r := range f.Routes {
			h, ok := l.Handlers[f.Name]
			if !ok { // handler.Handlers has every API function (its tests check)
				panic("offline: no handler for function " + f.Name)
			}
			mux.HandleFunc(r.Method+" "+r.Path, l.proxy(r, h))
		}
	}
	storage := map[string]http.HandlerFunc{http.MethodPut: l.putImage}
	for _, r := range contract.StorageRoutes {
		h, ok := storage[r.Method]
		if !ok {
			panic("offline: contract.StorageRoutes has " + r.Method + " " + r.Path + ", which the local bucket does not answer")
		}
		mux.HandleFunc(r.Method+" "+r.Path, h)
	}
	mux.HandleFunc("GET /openapi.json", l.openAPIDocument)
	mux.HandleFunc("OPTIONS /", func(w http.ResponseWriter, r *http.Request) {
		l.cors(w)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		l.gatewayError(w, r, http.StatusNotFound, contract.GatewayResourceNotFound, "no route "+r.Method+" "+r.URL.Path)
	})
	// The web console (GET and HEAD of "/" and its assets) needs no API
	// key: it holds no data, and asks for the key to call the API. The
	// Rekognition protocol (POST / with X-Amz-Target) is answered first.
	site := http.NewServeMux()
	console.Register(site, console.Config{})
	// The links of GET /images/{filename} (see LinkImage) are their own
	// credential, as S3's presigned URLs are: no API key.
	site.HandleFunc("GET "+contract.DownloadsPath+"{token}", l.serveDownload)
	site.Handle("/", l.withAPIKey(mux))
	return l.withRekognition(l.withPlainPath(site))
}

// withAPIKey refuses requests without the configured x-api-key, with 403
// as API Gateway does. Preflight requests need no key.
func (l *Local) withAPIKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l.apiKey != "" && r.Method != http.MethodOptions &&
			subtle.ConstantTimeCompare([]byte(r.Header.Get("x-api-key")), []byte(l.apiKey)) != 1 {
			l.gatewayError(w, r, http.StatusForbidden, contract.GatewayInvalidAPIKey, "Forbidden")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (l *Local) cors(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", l.svc.Config().AllowedOrigin)
	h.Set("Access-Control-Allow-Headers", contract.CORSAllowHeaders)
	h.Set("Access-Control-Allow-Methods", contract.CORSAllowMethods)
}

// gatewayError answers like the deployed API's gateway responses, with
// the error shape of the functions.
func (l *Local) gatewayError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	id := uuid.NewString()
	// The path's first segment only: the rest may hold a person's name.
	resource, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	l.log.Warn("request refused", "requestId", id, "method", r.Method, "resource", "/"+resource, "status", status, "code", code)
	l.cors(w)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Request-Id", id)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(contract.ErrorBody{Error: contract.ErrorDetail{Code: code, Message: msg}, RequestID: id})
}

// readBody reads at most maxRequestBytes of the request body; a larger
// body is answered with 413 and ok false.
func (l *Local) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		l.gatewayError(w, r, http.StatusRequestEntityTooLarge, contract.GatewayRequestTooLarge, "the request is larger than 10 MB")
		return nil, false
	case err != nil:
		l.gatewayError(w, r, http.StatusBadRequest, contract.GatewayBadRequestBody, "the request body could not be read")
		return nil, false
	}
	return body, true
}

// binaryMediaType reports whether the API delivers bodies of this
// Content-Type to functions base64-encoded (the API's binaryMediaTypes).
func binaryMediaType(contentType string) bool {
	return contract.MatchesMediaType(contentType, contract.BinaryMediaTypes)
}

// proxy serves route with a Lambda proxy handler.
func (l *Local) proxy(route contract.Route, h handler.ProxyHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, ok := l.readBody(w, r)
		if !ok {
			return
		}
		ctx, release, ok := l.reserveDecode(w, r, body)
		if !ok {
			return
		}
		defer release()
		ctx = withBaseURL(ctx, r)
		req := events.APIGatewayProxyRequest{
			Resource: route.Path, Path: r.URL.Path, HTTPMethod: r.Method,
			Headers: map[string]string{}, MultiValueHeaders: map[string][]string(r.Header),
			QueryStringParameters: map[string]string{}, MultiValueQueryStringParameters: map[string][]string(r.URL.Query()),
			PathParameters: map[string]string{},
		}
		for k, v := range r.Header {
			req.Headers[k] = v[0]
		}
		for k, v := range r.URL.Query() {
			req.QueryStringParameters[k] = v[0]
		}
		if prefix, param, ok := route.PathParam(); ok {
			// API Gateway REST passes path parameters percent-encoded as
			// in the request path; the handlers decode them.
			req.PathParameters[param] = strings.TrimPrefix(r.URL.EscapedPath(), prefix)
		}
		if binaryMediaType(r.Header.Get("Content-Type")) {
			req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		} else {
			req.Body = string(body)
		}
		req.RequestContext = events.APIGatewayProxyRequestContext{
			RequestID: uuid.NewString(), Stage: "local", ResourcePath: route.Path, HTTPMethod: r.Method, Path: r.URL.Path,
			Identity: events.APIGatewayRequestIdentity{SourceIP: r.RemoteAddr},
		}
		resp, err := h(ctx, req)
		if err != nil {
			// API Gateway answers a failed invocation with 502.
			l.log.Error("handler failed", "requestId", req.RequestContext.RequestID, "err", err)
			l.gatewayError(w, r, http.StatusBadGateway, contract.GatewayInternalServerError, "Internal server error")
			return
		}
		out := []byte(resp.Body)
		if resp.IsBase64Encoded {
			if out, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
				l.gatewayError(w, r, http.StatusBadGateway, contract.GatewayInternalServerError, "Internal server error")
				return
			}
		}
		for k, v := range resp.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(out)
	}
}

// putImage stores an upload as the deployed API's S3 integration does —
// the decoded filename in the key, Content-Type required, bodies of the
// binary media types as they are, any other body decoded from base64
// (CONVERT_TO_BINARY), the person query parameter as x-amz-meta-person —
// and then sends the S3 notification to the queue, as the bucket does. If
// the notification cannot be queued, the answer is 500 and the upload stays
// stored; the next start of the server queues it.
func (l *Local) putImage(w http.ResponseWriter, r *http.Request) {
	filename := r.PathValue(contract.FilenameParam)
	if err := service.ValidateFilename(l.svc.Config().ImagePrefix, filename); err != nil {
		l.gatewayError(w, r, http.StatusBadRequest, err.Code, err.Message)
		return
	}
	body, ok := l.readBody(w, r)
	if !ok {
		return
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		l.gatewayError(w, r, http.StatusBadRequest, contract.GatewayBadRequestParameters, "Missing required request parameters: [Content-Type]")
		return
	}
	if !binaryMediaType(ct) {
		decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(body)))
		if err != nil {
			l.gatewayError(w, r, http.StatusBadRequest, contract.GatewayBadRequestBody, "a body that is not an image (image/*) or application/octet-stream must be base64 text")
			return
		}
		body = decoded
	}
	var meta map[string]string
	if p := r.URL.Query().Get(contract.UploadPersonParam); p != "" {
		// Deployed, S3 stores any name and the index function rejects the
		// image; here the upload is refused at once.
		if err := contract.ValidatePerson(p); err != nil {
			l.gatewayError(w, r, http.StatusBadRequest, contract.CodeInvalidParameter, err.Error())
			return
		}
		meta = map[string]string{contract.PersonMetadataKey: p}
	}
	key := l.svc.Config().ImagePrefix + filename
	if _, err := l.Objects.Put(key, body, ct, meta); err != nil {
		l.log.Error("store upload", "key", key, "err", err)
		l.gatewayError(w, r, http.StatusInternalServerError, contract.CodeInternal, "the image could not be stored")
		return
	}
	if err := l.Queue.Send(s3Notification(l.svc.Config().BucketName, "ObjectCreated:Put", key, int64(len(body)))); err != nil {
		// The upload stays stored (deleting it could remove an earlier
		// version that is still indexed, or a concurrent upload): the next
		// start queues every stored upload that was not processed.
		l.log.Error("enqueue upload", "key", key, "err", err)
		l.gatewayError(w, r, http.StatusInternalServerError, contract.CodeInternal, "the image was stored but not queued for indexing; it is indexed when facerec serve restarts")
		return
	}
	l.cors(w)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(contract.PutResponse{Key: key, Status: contract.StatusPending})
}

// s3Notification is the S3 event notification the bucket sends for key,
// with the key URL-encoded form-style as S3 does ("+" for a space, "/"
// kept).
func s3Notification(bucket, eventName, key string, size int64) []byte {
	var r events.S3EventRecord
	r.EventVersion, r.EventSource, r.AWSRegion, r.EventName = "2.1", "aws:s3", "local", eventName
	r.S3.SchemaVersion, r.S3.ConfigurationID = "1.0", "IndexFaces"
	r.S3.Bucket.Name, r.S3.Bucket.Arn = bucket, "arn:aws:s3:::"+bucket
	r.S3.Object.Key, r.S3.Object.Size = strings.ReplaceAll(url.QueryEscape(key), "%2F", "/"), size
	b, _ := json.Marshal(events.S3Event{Records: []events.S3EventRecord{r}})
	return b
}
