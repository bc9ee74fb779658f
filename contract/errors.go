package contract

// Stable error codes returned in API error bodies.
const (
	CodeImageRequired    = "IMAGE_REQUIRED"
	CodeInvalidBody      = "INVALID_BODY"
	CodeInvalidParameter = "INVALID_PARAMETER"
	CodeNotFound         = "NOT_FOUND"
	CodeImageTooLarge    = "IMAGE_TOO_LARGE"
	CodeUnsupportedMedia = "UNSUPPORTED_MEDIA_TYPE"
	CodeImageTooSmall    = "IMAGE_TOO_SMALL"
	CodeInvalidImage     = "INVALID_IMAGE"
	CodeThrottled        = "THROTTLED"
	CodeUpstream         = "UPSTREAM_ERROR"
	CodeUnavailable      = "SERVICE_UNAVAILABLE"
	CodeInternal         = "INTERNAL_ERROR"
	CodeConflict         = "CONFLICT"
)

// ErrorBody is the JSON body of every error response:
// {"error":{"code","message"},"requestId"}.
type ErrorBody struct {
	// Error says what went wrong.
	Error ErrorDetail `json:"error"`
	// RequestID is API Gateway's request id (also in X-Request-Id), to
	// quote when asking about a failure.
	RequestID string `json:"requestId"`
}

// ErrorDetail is the error of an ErrorBody; Code is one of the service's
// stable codes (for example "IMAGE_TOO_SMALL").
type ErrorDetail struct {
	// Code is stable and machine-readable, e.g. "IMAGE_TOO_SMALL".
	Code string `json:"code"`
	// Message explains the error to a person; it never holds internals.
	Message string `json:"message"`
}
