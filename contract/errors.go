package contract

// Stable error codes: the Code of an ErrorDetail, with the HTTP status
// the API answers it with. The functions answer them all but
// CodeBadRequest and CodeAccessDenied; API Gateway answers those, and
// CodeUnavailable, CodeUpstream and CodeInternal too, for the routes of
// StorageRoutes, from S3's status (the construct's S3 integration
// responses; the offline server answers CodeInternal there as well). The
// codes of images that cannot be used (IMAGE_REQUIRED, IMAGE_TOO_LARGE,
// UNSUPPORTED_MEDIA_TYPE, IMAGE_TOO_SMALL, INVALID_IMAGE) are also the
// values of the MetricsDimensionReason dimension of MetricImagesRejected,
// for the uploads the index function rejects.
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
	// CodeUpstream (502): an AWS service failed. On the StorageRoutes, API
	// Gateway answers it when S3 answers a 5xx other than 503.
	CodeUpstream = "UPSTREAM_ERROR"
	// CodeUnavailable (503): an AWS service could not be reached, did not
	// answer in time or is unavailable. On the StorageRoutes, API Gateway
	// answers it, with Retry-After: 1, when S3 answers 503 (SlowDown, its
	// throttling).
	CodeUnavailable = "SERVICE_UNAVAILABLE"
	// CodeInternal (500): the service's own failure, such as a missing
	// permission; the message never holds its cause, which is logged. On
	// the StorageRoutes, API Gateway answers it when S3 answers a status
	// no other response matches (a 1xx or 3xx), and the offline server
	// when its local bucket or queue fails.
	CodeInternal = "INTERNAL_ERROR"
	// CodeBadRequest (400): API Gateway answers it on the StorageRoutes
	// when S3 refuses the request with a 4xx other than 403. The offline
	// server answers it for a request it cannot route as sent: a path with
	// a literal ".", ".." or empty segment, an invalid percent-escape, a
	// malformed request line or header.
	CodeBadRequest = "BAD_REQUEST"
	// CodeAccessDenied (403): API Gateway answers it on the StorageRoutes
	// when S3 answers 403, such as for a key the route's role may not put
	// or delete. It is also the value of API Gateway's own ACCESS_DENIED
	// response type (see the Gateway* constants).
	CodeAccessDenied = "ACCESS_DENIED"
	// CodeConflict (409): the image concerned is being indexed at the same
	// time; retrying succeeds once it is done.
	CodeConflict = "CONFLICT"
	// CodePersonExists (409): the new name of PATCH /persons/{person}
	// already names another person. Persons are not merged: repeating the
	// request does not help.
	CodePersonExists = "PERSON_EXISTS"
)

// API Gateway's own gateway response types, which are the Code of the
// error bodies API Gateway answers before or instead of the route's
// integration: the construct's DEFAULT_4XX and DEFAULT_5XX gateway
// responses put $context.error.responseType there. Source: Amazon API
// Gateway Developer Guide, "Gateway response types"; it lists more types
// than these (MISSING_AUTHENTICATION_TOKEN, THROTTLED, QUOTA_EXCEEDED,
// ACCESS_DENIED, ...). These are the ones the offline server imitates,
// with the types' default statuses.
const (
	// GatewayResourceNotFound (404): no route has that method and path.
	GatewayResourceNotFound = "RESOURCE_NOT_FOUND"
	// GatewayInvalidAPIKey (403): the x-api-key header is missing or
	// wrong (Authorization API_KEY).
	GatewayInvalidAPIKey = "INVALID_API_KEY"
	// GatewayRequestTooLarge (413): the request is larger than API
	// Gateway's 10 MB payload limit. The offline server also answers it,
	// with 431, for a request line and headers over API Gateway's 10,240
	// bytes.
	GatewayRequestTooLarge = "REQUEST_TOO_LARGE"
	// GatewayBadRequestBody (400): the request body is refused. The
	// offline server answers it for a body it cannot read and for a text
	// upload that is not base64, which CONVERT_TO_BINARY cannot decode.
	GatewayBadRequestBody = "BAD_REQUEST_BODY"
	// GatewayBadRequestParameters (400): a required request parameter is
	// missing, such as the Content-Type of an upload (the upload route's
	// request validator).
	GatewayBadRequestParameters = "BAD_REQUEST_PARAMETERS"
	// GatewayInternalServerError (502): the function failed or answered
	// something API Gateway cannot use; API Gateway answers 502 with the
	// message "Internal server error". This value is not in the guide's
	// list of types: it is the code the offline server gives that answer.
	GatewayInternalServerError = "INTERNAL_SERVER_ERROR"
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
