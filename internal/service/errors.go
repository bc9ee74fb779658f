package service

import (
	"errors"
	"fmt"
	"time"

	"github.com/facerec/facerec-cdk/contract"
)

// Kind classifies an Error by what the caller can do about it. The API layer
// maps each Kind to one HTTP status; the index path retries only Temporary
// kinds.
type Kind int

// The kinds of Error, with the HTTP status the API layer gives each.
const (
	// KindInternal is a fault of ours or of our configuration (500).
	KindInternal Kind = iota
	// KindBadRequest is a malformed request (400).
	KindBadRequest
	// KindNotFound is an unknown resource (404).
	KindNotFound
	// KindTooLarge is an image over the size limit (413).
	KindTooLarge
	// KindUnsupportedMedia is a body that is not a JPEG or PNG image (415).
	KindUnsupportedMedia
	// KindUnprocessable is an image that is well-formed but unusable, such
	// as one smaller than 80×80 pixels (422).
	KindUnprocessable
	// KindThrottled means an AWS service throttled us; retry later (429).
	KindThrottled
	// KindUpstream is a server-side failure of an AWS service (502).
	KindUpstream
	// KindUnavailable means an AWS service could not be reached in time (503).
	KindUnavailable
	// KindConflict means concurrent work on the same image won; retry
	// (409).
	KindConflict
)

// Temporary reports whether the same call may succeed later.
func (k Kind) Temporary() bool {
	return k == KindThrottled || k == KindUpstream || k == KindUnavailable || k == KindConflict
}

// Error is the typed error of the service core. Code is a stable
// machine-readable identifier (for example "IMAGE_TOO_SMALL"), Message is
// safe to show to API clients, and Err, when set, is the underlying cause,
// which is logged but never shown.
type Error struct {
	// Kind decides the HTTP status and whether a retry may help.
	Kind Kind
	// Code is one of the Code constants.
	Code string
	// Message is safe to show to API clients.
	Message string
	// RetryAfter is how long a throttled caller should wait; zero otherwise.
	RetryAfter time.Duration
	// Err is the cause, for logs only; may be nil.
	Err error
	// Service names the AWS service whose failure this is ("Rekognition",
	// "DynamoDB", "S3"); empty for the service's own errors, such as an
	// image refused before any call.
	Service string
}

// Error returns the code, the message and the cause, for logs.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// newError builds an *Error without a cause.
func newError(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// AsError returns err as an *Error; any other error becomes KindInternal with
// a generic message, so internal detail never reaches a client.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: KindInternal, Code: contract.CodeInternal, Message: "internal error", Err: err}
}
