package offline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/smithy-go"
	"github.com/google/uuid"
)

// The Amazon Rekognition protocol: AWS JSON 1.1, every operation a POST
// to / naming it in X-Amz-Target.
const (
	// RekognitionTargetPrefix starts the X-Amz-Target header of a
	// Rekognition request; the operation's name follows.
	RekognitionTargetPrefix = "RekognitionService."
	// RekognitionContentType is the Content-Type of Rekognition's
	// requests and answers.
	RekognitionContentType = "application/x-amz-json-1.1"
	// sigV4MaxSkew is how far a request's X-Amz-Date may be from the
	// clock when signatures are checked: 15 minutes, as AWS allows.
	sigV4MaxSkew = 15 * time.Minute
)

// rekognitionOp answers one operation: it decodes the JSON request body
// and returns the output to encode.
type rekognitionOp func(ctx context.Context, body []byte) (any, error)

// wireOp adapts a method of Rekognition (the SDK's input and output types)
// to a rekognitionOp. Request bodies decode with encoding/json: the SDK's
// input types have the protocol's member names, blobs are base64 in both
// and no input of these operations holds a timestamp. A body that does not
// decode is a SerializationException; members the operation does not know
// are ignored.
func wireOp[In, Out any](call func(context.Context, *In, ...func(*rekognition.Options)) (*Out, error)) rekognitionOp {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, in); err != nil {
				return nil, &smithy.GenericAPIError{Code: "SerializationException", Message: "the request body does not decode: " + err.Error(), Fault: smithy.FaultClient}
			}
		}
		return call(ctx, in)
	}
}

// rekognitionOps are the operations the local Rekognition answers on the
// protocol, by name.
func rekognitionOps(r *Rekognition) map[string]rekognitionOp {
	return map[string]rekognitionOp{
		"CreateCollection":   wireOp(r.CreateCollection),
		"DeleteCollection":   wireOp(r.DeleteCollection),
		"DescribeCollection": wireOp(r.DescribeCollection),
		"ListCollections":    wireOp(r.ListCollections),
		"IndexFaces":         wireOp(r.IndexFaces),
		"ListFaces":          wireOp(r.ListFaces),
		"DeleteFaces":        wireOp(r.DeleteFaces),
		"SearchFaces":        wireOp(r.SearchFaces),
		"SearchFacesByImage": wireOp(r.SearchFacesByImage),
		"DetectFaces":        wireOp(r.DetectFaces),
		"CompareFaces":       wireOp(r.CompareFaces),
		"CreateUser":         wireOp(r.CreateUser),
		"DeleteUser":         wireOp(r.DeleteUser),
		"ListUsers":          wireOp(r.ListUsers),
		"AssociateFaces":     wireOp(r.AssociateFaces),
		"DisassociateFaces":  wireOp(r.DisassociateFaces),
		"SearchUsers":        wireOp(r.SearchUsers),
		"SearchUsersByImage": wireOp(r.SearchUsersByImage),
	}
}

// isRekognitionRequest reports whether r is a request of the Rekognition
// protocol: a POST to / with an X-Amz-Target header. Other requests to /
// (the API's, a console's GET) are left to the API's routes.
func isRekognitionRequest(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/" && r.Header.Get("X-Amz-Target") != ""
}

// withRekognition answers the requests of the Rekognition protocol with
// serveRekognition and passes the others to next.
func (l *Local) withRekognition(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isRekognitionRequest(r) {
			l.serveRekognition(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// serveRekognition answers one request of the Rekognition protocol: it
// reads the body (at most maxRequestBytes; a larger one is an
// ImageTooLargeException, as only images make a request that large),
// checks the signature when Options.Credentials are set, runs the
// operation of X-Amz-Target and writes its output, or the error as
// Rekognition does: {"__type": code, "message": …} with HTTP 400 for a
// client's fault and 500 for the service's. An unknown operation is an
// UnknownOperationException. The log has the operation, status and error
// code, never the request's members.
func (l *Local) serveRekognition(w http.ResponseWriter, r *http.Request) {
	id := uuid.NewString()
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), RekognitionTargetPrefix)
	out, err := l.rekognitionCall(w, r, op)
	status, body := http.StatusOK, []byte(nil)
	if err == nil {
		var v any
		if v, err = wireValue(reflect.ValueOf(out)); err == nil {
			body, err = json.Marshal(v)
		}
	}
	if err != nil {
		var code, msg string
		code, msg, status = rekognitionError(err)
		if status >= 500 {
			l.log.Error("rekognition request failed", "requestId", id, "operation", op, "err", err)
		}
		w.Header().Set("X-Amzn-ErrorType", code)
		body, _ = json.Marshal(map[string]string{"__type": code, "message": msg})
	}
	l.log.Info("rekognition request", "requestId", id, "operation", op, "status", status)
	w.Header().Set("Content-Type", RekognitionContentType)
	w.Header().Set("X-Amzn-RequestId", id)
	w.WriteHeader(status)
	w.Write(body)
}

// rekognitionCall reads and authenticates the request and runs op.
func (l *Local) rekognitionCall(w http.ResponseWriter, r *http.Request, op string) (any, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, clientError("ImageTooLargeException", "the request is larger than 10 MB")
	case err != nil:
		return nil, clientError("SerializationException", "the request body could not be read")
	}
	if l.credentials.AccessKeyID != "" {
		if err := verifySigV4(r, body, l.credentials, time.Now()); err != nil {
			return nil, err
		}
	}
	call, ok := l.rekognitionOps[op]
	if !ok || !strings.HasPrefix(r.Header.Get("X-Amz-Target"), RekognitionTargetPrefix) {
		return nil, clientError("UnknownOperationException", "the operation "+r.Header.Get("X-Amz-Target")+" is not one the local Rekognition answers")
	}
	return call(r.Context(), body)
}

// clientError is an error of the client's fault with the code (the
// answer's __type) and message.
func clientError(code, msg string) error {
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
}

// rekognitionError is the __type, message and HTTP status of an error:
// the SDK's typed errors (types.InvalidParameterException and the like)
// and clientError's keep their code, with 400 for the client's fault and
// 500 for the service's (InternalServerError, ThrottlingException, as
// Rekognition documents them); anything else is an InternalServerError
// whose message does not leak the cause.
func rekognitionError(err error) (code, msg string, status int) {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return "InternalServerError", "Amazon Rekognition experienced a service issue", http.StatusInternalServerError
	}
	status = http.StatusBadRequest
	if ae.ErrorFault() == smithy.FaultServer {
		status = http.StatusInternalServerError
	}
	return ae.ErrorCode(), ae.ErrorMessage(), status
}

// wireValue turns an output of the SDK's types into the value that
// encodes, with encoding/json, as the AWS JSON 1.1 protocol serializes
// it: structures as objects of their exported members by their Go names
// (which are the protocol's), leaving out nil members and the SDK's
// ResultMetadata; timestamps as epoch seconds; blobs as base64; enums as
// their strings.
func wireValue(v reflect.Value) (any, error) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, nil
		}
		return wireValue(v.Elem())
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return float64(t.UnixMilli()) / 1000, nil
		}
		obj := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Name == "ResultMetadata" {
				continue
			}
			m, err := wireValue(v.Field(i))
			if err != nil {
				return nil, err
			}
			if m != nil {
				obj[f.Name] = m
			}
		}
		return obj, nil
	case reflect.Slice:
		if v.IsNil() {
			return nil, nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes()), nil
		}
		arr := make([]any, v.Len())
		for i := range arr {
			e, err := wireValue(v.Index(i))
			if err != nil {
				return nil, err
			}
			arr[i] = e
		}
		return arr, nil
	case reflect.String:
		if v.Len() == 0 && v.Type() != reflect.TypeOf("") {
			return nil, nil // an unset enum
		}
		return v.String(), nil
	case reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
		return v.Interface(), nil
	}
	return nil, fmt.Errorf("offline: no wire form for a %s", v.Type())
}

// verifySigV4 checks the AWS Signature Version 4 of a request against the
// key pair creds: the Authorization header must name creds' access key
// (else UnrecognizedClientException), X-Amz-Date must be within 15
// minutes of now and the signature must be the one the SDK's signer
// computes over the same signed headers and body (else
// InvalidSignatureException); a request without a signature is a
// MissingAuthenticationTokenException. These are the codes AWS answers.
func verifySigV4(r *http.Request, body []byte, creds aws.Credentials, now time.Time) error {
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")
	if !ok {
		return clientError("MissingAuthenticationTokenException", "the request is not signed with AWS Signature Version 4")
	}
	parts := map[string]string{}
	for _, p := range strings.Split(auth, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		parts[k] = v
	}
	scope := strings.Split(parts["Credential"], "/") // key/date/region/service/aws4_request
	if len(scope) != 5 || parts["SignedHeaders"] == "" || parts["Signature"] == "" {
		return clientError("IncompleteSignatureException", "the Authorization header is incomplete")
	}
	if subtle.ConstantTimeCompare([]byte(scope[0]), []byte(creds.AccessKeyID)) != 1 {
		return clientError("UnrecognizedClientException", "The security token included in the request is invalid.")
	}
	date, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || date.Format("20060102") != scope[1] {
		return clientError("IncompleteSignatureException", "X-Amz-Date is missing or does not match the credential scope")
	}
	if d := now.Sub(date); d > sigV4MaxSkew || d < -sigV4MaxSkew {
		return clientError("InvalidSignatureException", "Signature expired: the request's X-Amz-Date is more than 15 minutes from the server's time")
	}
	// Sign a copy holding only the headers the client signed.
	signed := strings.Split(parts["SignedHeaders"], ";")
	req, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return clientError("InvalidSignatureException", "the request cannot be signed again")
	}
	req.ContentLength = 0
	for _, h := range signed {
		switch h {
		case "host":
		case "content-length":
			req.ContentLength = int64(len(body))
		default:
			req.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(r.Context(), creds, req, hex.EncodeToString(sum[:]), scope[3], scope[2], date); err != nil {
		return clientError("InvalidSignatureException", "the request cannot be signed again")
	}
	want := req.Header.Get("Authorization")
	got := "AWS4-HMAC-SHA256 Credential=" + parts["Credential"] + ", SignedHeaders=" + parts["SignedHeaders"] + ", Signature=" + parts["Signature"]
	if subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		return clientError("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	return nil
}
