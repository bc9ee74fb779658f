package contract

import (
	"fmt"
	"strconv"
	"strings"
)

// Environment variable names set on the functions by the construct.
const (
	// EnvCollectionID names the Rekognition collection (CollectionId).
	EnvCollectionID = "COLLECTION_ID"
	// EnvTableName names the DynamoDB table of face and image items.
	EnvTableName = "TABLE_NAME"
	// EnvBucketName names the S3 bucket of the images.
	EnvBucketName = "BUCKET_NAME"
	// EnvImagePrefix is the S3 key prefix under which images are stored.
	EnvImagePrefix = "IMAGE_PREFIX"
	// EnvFaceMatchThreshold is the minimum similarity (0-100) of a match.
	EnvFaceMatchThreshold = "FACE_MATCH_THRESHOLD"
	// EnvMaxFaces is the maximum number of faces indexed per image and of
	// matches returned per searched face.
	EnvMaxFaces = "MAX_FACES"
	// EnvQualityFilter is Rekognition's QualityFilter (NONE, AUTO, LOW, MEDIUM, HIGH).
	EnvQualityFilter = "QUALITY_FILTER"
	// EnvSearchMaxImageBytes caps the decoded image bytes a search accepts.
	EnvSearchMaxImageBytes = "SEARCH_MAX_IMAGE_BYTES"
	// EnvAllowedOrigin is the value of Access-Control-Allow-Origin on responses.
	EnvAllowedOrigin = "ALLOWED_ORIGIN"
	// EnvLambdaMemorySize is set by the Lambda runtime to the function's
	// memory in MB (Lambda's defined runtime environment variables); it
	// bounds the photos a search of all faces decodes.
	EnvLambdaMemorySize = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
)

// Table layout shared by the construct (schema) and the functions (items).
const (
	// AttrFaceID is the table's partition key: a Rekognition FaceId for face
	// items, ImageItemPrefix followed by "bucket/key" for image items,
	// PersonItemPrefix followed by the Rekognition UserId for person items,
	// AliasItemPrefix followed by a name's derived UserId for alias items.
	AttrFaceID = "FaceId"
	// AttrObjectKey is the S3 object key of the image an item belongs to; it
	// is the partition key of ObjectKeyIndex.
	AttrObjectKey = "ObjectKey"
	// ObjectKeyIndex is the global secondary index that finds an image's
	// items (its faces and its image item) by object key.
	ObjectKeyIndex = "ObjectKeyIndex"
	// AttrPerson is the person named at upload; it is the partition key of
	// PersonIndex (items without a person are not in the index).
	AttrPerson = "Person"
	// PersonIndex is the global secondary index (projection ALL) that
	// lists the items of one person, for GET /faces?person=NAME.
	PersonIndex = "PersonIndex"
	// ImageItemPrefix starts the FaceId of the one image item kept per
	// object, which records its indexing status.
	ImageItemPrefix = "IMAGE#"
	// PersonItemPrefix starts the FaceId of the item kept per person, which
	// maps the person's name to its Rekognition UserId.
	PersonItemPrefix = "PERSON#"
	// AliasItemPrefix starts the FaceId of an alias item: the UserId
	// derived from a name (followed by it) mapped to the UserId of the
	// Rekognition user that the name really names, when they differ (a
	// renamed person, or a new person whose derived UserId a renamed one
	// holds). It has no Person and no ObjectKey, so it is in no index.
	AliasItemPrefix = "ALIAS#"
)

// Defaults shared by the construct's props and the functions.
const (
	// DefaultImagePrefix is where PUT /index/{filename} stores images.
	DefaultImagePrefix = "index/"
	// DefaultFaceMatchThreshold is the minimum similarity of a returned
	// match, in percent. Rekognition's own default for SearchFacesByImage is 80.
	DefaultFaceMatchThreshold = 80.0
	// DefaultMaxFaces bounds faces indexed per image and matches per face.
	DefaultMaxFaces = 10
	// DefaultQualityFilter lets Rekognition choose the quality bar
	// (Rekognition's own default for IndexFaces and SearchFacesByImage).
	DefaultQualityFilter = "AUTO"
	// DefaultAllowedOrigin allows any origin; browsers still need the API key.
	DefaultAllowedOrigin = "*"
)

// Limits that come from Amazon Rekognition and AWS Lambda.
const (
	// MaxImageBytes is the most image bytes Rekognition accepts inline
	// (Image.Bytes): 5 MB (Rekognition limits). It is the default and the
	// maximum of SearchMaxImageBytes.
	MaxImageBytes = 5 * 1024 * 1024
	// MaxS3ImageBytes is the largest S3 object Rekognition reads through
	// Image.S3Object: 15 MB (Rekognition limits). Larger objects are rejected
	// by the index function without calling IndexFaces.
	MaxS3ImageBytes = 15 * 1024 * 1024
	// MinImageDimension is the smallest width and height, in pixels, that
	// Rekognition accepts: 80 (Rekognition limits).
	MinImageDimension = 80
	// MinFaceDimension is the smallest face width and height, in pixels,
	// that Rekognition detects: 40 in an image of 1920×1080 pixels, more in
	// proportion in larger ones (Rekognition limits).
	MinFaceDimension = 40
	// MaxFacesLimit is the largest MaxFaces IndexFaces accepts (100) and the
	// upper bound of the construct's max-faces prop.
	MaxFacesLimit = 100
)

// Metrics the functions publish in CloudWatch Embedded Metric Format (EMF:
// JSON log lines with an "_aws" member, which CloudWatch Logs turns into
// metrics; CloudWatch user guide, "Specification: Embedded metric format").
// Every metric is in MetricsNamespace with the dimension
// MetricsDimensionCollectionId set to the CollectionId. The "by reason"
// metrics are published twice: their total under CollectionId alone, and
// their count per reason under CollectionId and MetricsDimensionReason. All
// are counts (unit Count), so the construct's alarms and dashboard can use
// Sum; each invocation of a function reports each of its metrics, with 0
// when nothing happened (the reason dimension only for the reasons seen).
// The index function reports FacesIndexed, FacesNotIndexed, ImagesRejected
// and RekognitionThrottles; the search function Searches, Matches and
// RekognitionThrottles.
const (
	// MetricsNamespace is the CloudWatch namespace of the functions' metrics.
	MetricsNamespace = "FaceRecognition"
	// MetricsDimensionCollectionId carries the Rekognition CollectionId.
	MetricsDimensionCollectionId = "CollectionId"
	// MetricsDimensionReason carries why faces or images were not indexed:
	// Rekognition's UnindexedFace reasons (EXCEEDS_MAX_FACES, LOW_SHARPNESS,
	// ...) for MetricFacesNotIndexed (a face with several reasons counts
	// under each), the stable error code of the rejection
	// (IMAGE_TOO_SMALL, UNSUPPORTED_MEDIA_TYPE, IMAGE_TOO_LARGE,
	// INVALID_IMAGE, IMAGE_REQUIRED for an empty object) for
	// MetricImagesRejected.
	MetricsDimensionReason = "Reason"

	// MetricFacesIndexed counts faces IndexFaces added to the collection.
	MetricFacesIndexed = "FacesIndexed"
	// MetricFacesNotIndexed counts faces IndexFaces detected but left out
	// (UnindexedFaces), in total and by Reason.
	MetricFacesNotIndexed = "FacesNotIndexed"
	// MetricImagesRejected counts images the index function rejected without
	// indexing (too large, not JPEG/PNG, too small, ...), in total and by
	// Reason.
	MetricImagesRejected = "ImagesRejected"
	// MetricSearches counts POST /search requests that reached Rekognition
	// (answered, or failed in an AWS call), not those refused before.
	MetricSearches = "Searches"
	// MetricMatches counts the matches POST /search returned: matched
	// faces, or matched persons with by=person.
	MetricMatches = "Matches"
	// MetricRekognitionThrottles counts index runs (one per S3 record) and
	// searches that failed because Rekognition throttled them after the
	// SDK's retries; the index run is retried through the queue, the
	// search is answered 429.
	MetricRekognitionThrottles = "RekognitionThrottles"
)

// AcceptedMediaTypes are the media types of the image formats Rekognition
// accepts (JPEG and PNG; Rekognition limits), as GET /info lists them.
var AcceptedMediaTypes = []string{"image/jpeg", "image/png"}

// BinaryMediaTypes are the request Content-Types the API passes to
// functions as binary (base64-encoded, isBase64Encoded true) and stores
// as they are on upload (MatchesMediaType patterns, as API Gateway's
// binaryMediaTypes): every image type, so that a GIF or WebP arrives as
// its bytes and is refused as a format that is not accepted
// (UnacceptedImage), rather than decoded as base64 text, and raw bytes;
// not "*/*", which would base64-encode JSON bodies too.
var BinaryMediaTypes = []string{"image/*", "application/octet-stream"}

// CORS answers of the API besides Access-Control-Allow-Origin (the
// AllowedOrigin setting): the request headers clients may send and the
// methods the routes use. The functions, the API's preflights and the local
// server all send these; the deployed API's preflights also allow the
// headers that carry the credentials of its Authorization mode
// (Authorization with COGNITO; Authorization, X-Amz-Date and
// X-Amz-Security-Token with IAM's SigV4).
const (
	// CORSAllowHeaders is Access-Control-Allow-Headers: the request
	// headers clients may send.
	CORSAllowHeaders = "Content-Type,X-Api-Key"
	// CORSAllowMethods is Access-Control-Allow-Methods: the methods of the
	// routes, and OPTIONS.
	CORSAllowMethods = "GET,POST,PUT,PATCH,DELETE,OPTIONS"
)

// Config is the functions' view of their environment.
type Config struct {
	// CollectionID is the Rekognition CollectionId (EnvCollectionID).
	CollectionID string
	// TableName is the DynamoDB table of face and image items.
	TableName string
	// BucketName is the images' bucket; "" when unset (only the routes
	// that address images by filename need it).
	BucketName string
	// ImagePrefix is the key prefix of the images, such as "index/";
	// "" when unset.
	ImagePrefix string
	// FaceMatchThreshold is the minimum similarity of a match, 0-100.
	FaceMatchThreshold float64
	// MaxFaces bounds the faces indexed per image and the matches returned
	// per searched face, 1-100.
	MaxFaces int
	// QualityFilter is Rekognition's QualityFilter.
	QualityFilter string
	// SearchMaxImageBytes caps a search's decoded image, in bytes.
	SearchMaxImageBytes int
	// AllowedOrigin is the Access-Control-Allow-Origin of responses.
	AllowedOrigin string
	// MaxDecodedPixels bounds the width×height of a photo that a search of
	// all faces decodes: half the function's memory at DecodedPixelBytes
	// a pixel; 0 (no Lambda memory size set, as offline) leaves only the
	// decoder's own limit.
	MaxDecodedPixels int
}

// DecodedPixelBytes is the memory a search of all faces needs per pixel of
// the photo: the decoded image, an RGBA copy and, for an EXIF-rotated
// photo, a rotated copy (measured: about 12 bytes a pixel).
const DecodedPixelBytes = 12

// qualityFilters are the values Rekognition accepts for QualityFilter.
var qualityFilters = []string{"NONE", "AUTO", "LOW", "MEDIUM", "HIGH"}

// FromEnv reads Config through getenv (os.Getenv in the functions).
// CollectionId and the table name are required; the bucket name and the
// image prefix stay "" when unset (the construct always sets them); the
// other variables take the defaults above when unset. It returns an error naming the first variable that is missing or
// out of range.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		CollectionID:        getenv(EnvCollectionID),
		TableName:           getenv(EnvTableName),
		BucketName:          getenv(EnvBucketName),
		ImagePrefix:         getenv(EnvImagePrefix),
		FaceMatchThreshold:  DefaultFaceMatchThreshold,
		MaxFaces:            DefaultMaxFaces,
		QualityFilter:       DefaultQualityFilter,
		SearchMaxImageBytes: MaxImageBytes,
		AllowedOrigin:       DefaultAllowedOrigin,
	}
	if c.CollectionID == "" {
		return c, fmt.Errorf("%s is required", EnvCollectionID)
	}
	if c.TableName == "" {
		return c, fmt.Errorf("%s is required", EnvTableName)
	}
	if v := getenv(EnvFaceMatchThreshold); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 100 {
			return c, fmt.Errorf("%s must be a number from 0 to 100, got %q", EnvFaceMatchThreshold, v)
		}
		c.FaceMatchThreshold = f
	}
	if v := getenv(EnvMaxFaces); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxFacesLimit {
			return c, fmt.Errorf("%s must be an integer from 1 to %d, got %q", EnvMaxFaces, MaxFacesLimit, v)
		}
		c.MaxFaces = n
	}
	if v := getenv(EnvQualityFilter); v != "" {
		if err := ValidateQualityFilter(v); err != nil {
			return c, fmt.Errorf("%s: %w", EnvQualityFilter, err)
		}
		c.QualityFilter = v
	}
	if v := getenv(EnvSearchMaxImageBytes); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxImageBytes {
			return c, fmt.Errorf("%s must be an integer from 1 to %d, got %q", EnvSearchMaxImageBytes, MaxImageBytes, v)
		}
		c.SearchMaxImageBytes = n
	}
	if v := getenv(EnvAllowedOrigin); v != "" {
		c.AllowedOrigin = v
	}
	if v := getenv(EnvLambdaMemorySize); v != "" {
		mb, err := strconv.Atoi(v)
		if err != nil || mb < 1 {
			return c, fmt.Errorf("%s must be a positive integer, got %q", EnvLambdaMemorySize, v)
		}
		c.MaxDecodedPixels = mb << 20 / 2 / DecodedPixelBytes
	}
	return c, nil
}

// ValidateQualityFilter returns an error unless v is one of Rekognition's
// QualityFilter values: NONE, AUTO, LOW, MEDIUM or HIGH.
func ValidateQualityFilter(v string) error {
	for _, q := range qualityFilters {
		if v == q {
			return nil
		}
	}
	return fmt.Errorf("quality filter must be one of %s, got %q", strings.Join(qualityFilters, ", "), v)
}

// Version is the service version reported by GET /info.
const Version = "0.1.0"
