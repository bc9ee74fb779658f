package contract

// Page sizes of GET /faces and GET /persons (LimitParam).
const (
	// DefaultFaceListLimit is the page size when none is given.
	DefaultFaceListLimit = 50
	// MaxFaceListLimit is the largest page size accepted.
	MaxFaceListLimit = 100
)

// PersonMetadataKey is the S3 user metadata key (x-amz-meta-person) that
// carries the person named at upload.
const PersonMetadataKey = "person"

// FacesParam is the query parameter of POST /search that chooses the faces
// searched: absent for the largest face, FacesAll for every face.
const FacesParam = "faces"

// FacesAll is the value of FacesParam that searches every face.
const FacesAll = "all"

// ByParam is the query parameter of POST /search that chooses what is
// matched: absent for faces, ByPerson for persons (their Rekognition
// users).
const ByParam = "by"

// ByPerson is the value of ByParam that matches persons.
const ByPerson = "person"

// Query parameters of GET /faces.
const (
	// PersonParam lists the faces of one person only.
	PersonParam = "person"
	// LimitParam is the page size, 1-100 (MaxFaceListLimit), default
	// DefaultFaceListLimit.
	LimitParam = "limit"
	// NextTokenParam is the nextToken of the previous page.
	NextTokenParam = "nextToken"
)

// FilenameParam is the path parameter of /index/{filename} and
// /images/{filename}: the image's file name, its object key without the
// image prefix.
const FilenameParam = "filename"

// UploadPersonParam is the optional query parameter of PUT
// /index/{filename} that names the person in the image; it is stored as
// the object's PersonMetadataKey metadata.
const UploadPersonParam = "person"

// FaceIDParam is the path parameter of /faces/{faceId}.
const FaceIDParam = "faceId"

// PersonNameParam is the path parameter of /persons/{person}.
const PersonNameParam = "person"
