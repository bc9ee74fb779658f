package service

import (
	"context"
	"errors"
	"time"

	"github.com/aws/smithy-go"
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
//   - timeouts, cancellations and transport errors → KindUnavailable (503)
//   - anything else (AccessDenied, ResourceNotFound, validation of our own
//     parameters) is a fault of ours or of our configuration → KindInternal.
func fromAWS(service string, err error) *Error {
	wrap := func(kind Kind, code, msg string) *Error {
		e := &Error{Kind: kind, Code: code, Message: msg, Err: err}
		if kind == KindThrottled {
			e.RetryAfter = throttleRetryAfter
		}
		return e
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return wrap(KindUnavailable, CodeUnavailable, service+" did not answer in time")
		}
		return wrap(KindUnavailable, CodeUnavailable, service+" could not be reached")
	}
	switch ae.ErrorCode() {
	case "ThrottlingException", "ProvisionedThroughputExceededException",
		"LimitExceededException", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown":
		return wrap(KindThrottled, CodeThrottled, service+" is throttling requests; retry later")
	case "InvalidImageFormatException":
		return wrap(KindUnsupportedMedia, CodeUnsupportedMedia, "the image format is not supported; send a JPEG or PNG image")
	case "ImageTooLargeException":
		return wrap(KindTooLarge, CodeImageTooLarge, "the image is too large for "+service)
	case "InvalidParameterException":
		return wrap(KindUnprocessable, CodeInvalidImage, service+" could not use this image: "+ae.ErrorMessage())
	}
	if ae.ErrorFault() == smithy.FaultServer || ae.ErrorCode() == "InternalServerError" {
		return wrap(KindUpstream, CodeUpstream, service+" failed; retry later")
	}
	return wrap(KindInternal, CodeInternal, "internal error")
}
