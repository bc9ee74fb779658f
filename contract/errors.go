package contract

// Stable error codes: the Code of an ErrorDetail, with the HTTP status
// the API answers it with. The codes of images that cannot be used
// (IMAGE_REQUIRED, IMAGE_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE,
// IMAGE_TOO_SMALL, INVALID_IMAGE) are also the values of the
// MetricsDimensionReason dimension of MetricImagesRejected, for the
// uploads the index function rejects.
const (
	// CodeImageRequired (400): the search body holds no image, or the
	// uploaded object is empty.
	CodeImageRequired = "IMAGE_REQUIRED"
	// CodeInvalidBody (400): the body is not base64 although marked so,
	// not valid JSON, or its "image" field is not base64; or the filename
	// is invalid or badly percent-encoded.
	CodeInvalidBody = "INVALID_BODY"
	// CodeInvalidParameter (400): a query parameter (faces, by, limit,
	// nextToken) or the person path parameter has a value the route does
	// not accept.
	CodeInvalidParameter = "INVALID_PARAMETER"
	// CodeNotFound (404): no image, face or person has that name or id.
	CodeNotFound = "NOT_FOUND"
	// CodeImageTooLarge (413): the image has more bytes than the search
	// accepts (Config.SearchMaxImageBytes) or than the index function
	// indexes (MaxS3ImageBytes), more pixels than a search of all faces
	// decodes, or is too large for Rekognition.
	CodeImageTooLarge = "IMAGE_TOO_LARGE"
	// CodeUnsupportedMedia (415): the image is neither JPEG nor PNG.
	CodeUnsupportedMedia = "UNSUPPORTED_MEDIA_TYPE"
	// CodeImageTooSmall (422): the image is smaller than
	// MinImageDimension on a side.
	CodeImageTooSmall = "IMAGE_TOO_SMALL"
	// CodeInvalidImage (422): the image cannot be decoded, or Rekognition
	// cannot use it.
	CodeInvalidImage = "INVALID_IMAGE"
	// CodeThrottled (429, with Retry-After): an AWS service throttled the
	// function after the SDK's retries.
	CodeThrottled = "THROTTLED"
	// CodeUpstream (502): an AWS service failed.
	CodeUpstream = "UPSTREAM_ERROR"
	// CodeUnavailable (503): an AWS service could not be reached, did not
	// answer in time or is unavailable.
	CodeUnavailable = "SERVICE_UNAVAILABLE"
	// CodeInternal (500): the service's own failure, such as a missing
	// permission; the message never holds its cause, which is logged.
	CodeInternal = "INTERNAL_ERROR"
	// CodeConflict (409): the image concerned is being indexed at the same
	// time; retrying succeeds once it is done.
	CodeConflict = "CONFLICT"
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
