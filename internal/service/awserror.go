package service

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/facerec/facerec-cdk/contract"
)

// throttleRetryAfter is the wait suggested to clients after AWS throttled
// us. The SDK has already retried with backoff by then.
const throttleRetryAfter = time.Second

// fromAWS maps an error returned by an AWS SDK call (service names the
// service, for logs) to an *Error. This is the one place where AWS error codes
// become kinds:
//   - throttling codes → KindThrottled (429, Retry-After)
//   - InvalidImageFormatException → KindUnsupportedMedia (415)
//   - ImageTooLargeException → KindTooLarge (413)
//   - InvalidParameterException → KindUnprocessable (422): Rekognition uses
//     it for images it cannot use
//   - a server fault (HTTP 5xx, InternalServerError) → KindUpstream (502)
//   - other answers by HTTP status: 429 → KindThrottled, 503 →
//     KindUnavailable, other 5xx → KindUpstream
//   - timeouts, cancellations and failures to send → KindUnavailable (503)
//   - anything else (AccessDenied, ResourceNotFound, validation of our own
//     parameters, errors decoding our own items) is a fault of ours or of
//     our configuration → KindInternal.
func fromAWS(service string, err error) *Error {
	wrap := func(kind Kind, code, msg string) *Error {
		e := &Error{Kind: kind, Code: code, Message: msg, Err: err, Service: service}
		if kind == KindThrottled {
			e.RetryAfter = throttleRetryAfter
		}
		return e
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		var send *smithyhttp.RequestSendError
		var netErr net.Error
		switch {
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			return wrap(KindUnavailable, contract.CodeUnavailable, service+" did not answer in time")
		case errors.As(err, &send) || errors.As(err, &netErr):
			return wrap(KindUnavailable, contract.CodeUnavailable, service+" could not be reached")
		}
		return wrap(KindInternal, contract.CodeInternal, "internal error")
	}
	switch ae.ErrorCode() {
	case "ThrottlingException", "ProvisionedThroughputExceededException",
		"LimitExceededException", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown":
		return wrap(KindThrottled, contract.CodeThrottled, service+" is throttling requests; retry later")
	case "InvalidImageFormatException":
		return wrap(KindUnsupportedMedia, contract.CodeUnsupportedMedia, "the image format is not supported; send a JPEG or PNG image")
	case "ImageTooLargeException":
		return wrap(KindTooLarge, contract.CodeImageTooLarge, "the image is too large for "+service)
	case "InvalidParameterException":
		return wrap(KindUnprocessable, contract.CodeInvalidImage, service+" could not use this image")
	}
	var re *awshttp.ResponseError
	status := 0
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	switch {
	case status == http.StatusTooManyRequests:
		return wrap(KindThrottled, contract.CodeThrottled, service+" is throttling requests; retry later")
	case status == http.StatusServiceUnavailable:
		return wrap(KindUnavailable, contract.CodeUnavailable, service+" is unavailable; retry later")
	case status >= 500 || ae.ErrorFault() == smithy.FaultServer || ae.ErrorCode() == "InternalServerError":
		return wrap(KindUpstream, contract.CodeUpstream, service+" failed; retry later")
	}
	return wrap(KindInternal, contract.CodeInternal, "internal error")
}
