package contract

import "time"

// Face is one indexed face, as GET /faces and GET /faces/{faceId} return it.
type Face struct {
	// FaceID is the face's Rekognition FaceId.
	FaceID string `json:"faceId"`
	// BoundingBox locates the face in its image (ratios).
	BoundingBox BoundingBox `json:"boundingBox"`
	// Confidence (0-100) that this is a face.
	Confidence float64 `json:"confidence"`
	// Person is the name given at upload, if any.
	Person string `json:"person,omitempty"`
	// Key is the S3 object key of the image the face was indexed from.
	Key string `json:"key"`
	// IndexedAt is when the face was indexed (RFC 3339, UTC).
	IndexedAt time.Time `json:"indexedAt"`
	// FaceAttributes are the face's landmarks, pose and quality, when
	// known.
	FaceAttributes
}

// FaceList is one page of faces, as GET /faces returns it.
type FaceList struct {
	// Faces of the page; a page may hold fewer faces than its limit, even
	// none, while more follow.
	Faces []Face `json:"faces"`
	// NextToken, when present, asks for the next page (opaque).
	NextToken string `json:"nextToken,omitempty"`
}

// DeletedFace is the answer of DELETE /faces/{faceId}.
type DeletedFace struct {
	// FaceID is the FaceId deleted.
	FaceID string `json:"faceId"`
	// Deleted is always true.
	Deleted bool `json:"deleted"`
}

// PersonSummary is one person, as GET /persons lists it.
type PersonSummary struct {
	// Person is the name given at upload.
	Person string `json:"person"`
	// UserID is the person's Rekognition UserId.
	UserID string `json:"userId"`
	// FaceCount is the number of indexed faces of the person.
	FaceCount int `json:"faceCount"`
}

// PersonList is one page of persons, as GET /persons returns it.
type PersonList struct {
	// Persons of the page; a page may hold fewer persons than its limit,
	// even none, while more follow.
	Persons []PersonSummary `json:"persons"`
	// NextToken, when present, asks for the next page (opaque).
	NextToken string `json:"nextToken,omitempty"`
}

// Person is one person with its faces, as GET /persons/{person} returns it.
type Person struct {
	// Person is the name given at upload.
	Person string `json:"person"`
	// UserID is the person's Rekognition UserId.
	UserID string `json:"userId"`
	// Faces are the indexed faces of the person.
	Faces []Face `json:"faces"`
	// Images are the S3 keys of the images of those faces, sorted.
	Images []string `json:"images"`
}

// DeletedPerson is the answer of DELETE /persons/{person}.
type DeletedPerson struct {
	// Person is the name deleted.
	Person string `json:"person"`
	// DeletedFaces is the number of the person's faces removed.
	DeletedFaces int `json:"deletedFaces"`
	// DeletedImages are the S3 keys of the images erased (every image
	// uploaded with the person's name, with all its faces and versions),
	// sorted.
	DeletedImages []string `json:"deletedImages"`
	// KeptImages is empty: the images of a person are erased whole
	// (a face carries the person of its image). It stays for clients of
	// earlier versions.
	KeptImages []string `json:"keptImages"`
}

// SearchResult is the answer to a search: one entry per searched face. An
// empty Faces means the photo has no face; a face with empty Matches means
// nobody in the collection is similar enough.
type SearchResult struct {
	// Faces holds the searched faces: with Search, the largest face of
	// the photo, or nothing when the photo has no face; with SearchAll,
	// every face Rekognition detects (up to 100), left to right.
	Faces []SearchedFace `json:"faces"`
}

// SearchedFace is a face found in the searched photo and its matches.
type SearchedFace struct {
	// BoundingBox locates the face in the searched photo (ratios).
	BoundingBox BoundingBox `json:"boundingBox"`
	// Confidence (0-100) that this is a face.
	Confidence float64 `json:"confidence"`
	// Matches are sorted by Similarity, highest first; empty with
	// SearchPersons.
	Matches []Match `json:"matches"`
	// Persons are the persons whose Rekognition users match the face,
	// most similar first; only SearchPersons sets them.
	Persons []PersonMatch `json:"persons,omitempty"`
	// Reason says why SearchAll did not search the face (its Matches are
	// then empty): it is too small, or Rekognition found no face to search
	// in its crop. Empty, and left out of the JSON, for a searched face.
	Reason string `json:"reason,omitempty"`
	// FaceAttributes are the face's landmarks, pose and quality from
	// DetectFaces; only SearchAll sets them.
	FaceAttributes
}

// PersonMatch is a person whose faces, together, are similar to a searched
// face.
type PersonMatch struct {
	// Person is the name given at upload.
	Person string `json:"person"`
	// Similarity (0-100) between the searched face and the person's user;
	// at least the search's FaceMatchThreshold (ThresholdParam, else the configured one).
	Similarity float64 `json:"similarity"`
	// FaceIDs are the person's indexed faces.
	FaceIDs []string `json:"faceIds"`
}

// Match is an indexed face similar to a searched face, joined with its
// stored record.
type Match struct {
	// FaceID is the matched face's Rekognition FaceId.
	FaceID string `json:"faceId"`
	// Similarity (0-100) between the searched face and this face; at
	// least the search's FaceMatchThreshold (ThresholdParam, else the configured one).
	Similarity float64 `json:"similarity"`
	// Person is the name given when the face was indexed, if any.
	Person string `json:"person,omitempty"`
	// Key is the S3 object key of the image the face was indexed from.
	Key string `json:"key"`
	// BoundingBox locates the face in that image (ratios).
	BoundingBox BoundingBox `json:"boundingBox"`
	// IndexedAt is when the face was indexed (RFC 3339, UTC).
	IndexedAt time.Time `json:"indexedAt"`
}

// BoundingBox locates a face as ratios of the image's width and height, as
// Rekognition's BoundingBox does: Left and Top of the box's top-left corner,
// Width and Height of the box, each usually in [0, 1].
type BoundingBox struct {
	// Width of the box as a ratio of the image width.
	Width float64 `json:"width"`
	// Height of the box as a ratio of the image height.
	Height float64 `json:"height"`
	// Left edge as a ratio of the image width.
	Left float64 `json:"left"`
	// Top edge as a ratio of the image height.
	Top float64 `json:"top"`
}

// Image statuses: the Status of an ImageStatus and of a PutResponse.
const (
	// StatusPending: the image is stored and not yet processed (the answer
	// of PUT /index/{filename}, and of GET while indexing runs).
	StatusPending = "pending"
	// StatusIndexed: the image was indexed; its faces are searchable.
	StatusIndexed = "indexed"
	// StatusRejected: the image cannot be indexed; Reason says why.
	StatusRejected = "rejected"
)

// ImageStatus is the indexing state of one stored image, as GET
// /index/{filename} returns it.
type ImageStatus struct {
	// Key is the S3 object key (prefix + filename).
	Key string `json:"key"`
	// Status is "pending" (stored, not yet processed), "indexed" or
	// "rejected".
	Status string `json:"status"`
	// Reason says why the image was rejected.
	Reason string `json:"reason,omitempty"`
	// Faces are the indexed faces, largest first (the order IndexFaces
	// returns them in); empty unless indexed.
	Faces []StatusFace `json:"faces"`
	// IndexedAt is when the image was processed; absent while pending.
	IndexedAt *time.Time `json:"indexedAt,omitempty"`
}

// StatusFace is one indexed face of an image.
type StatusFace struct {
	// FaceID is the face's Rekognition FaceId.
	FaceID string `json:"faceId"`
	// ImageID is Rekognition's ImageId of the IndexFaces call that
	// indexed the face; absent for faces stored without it.
	ImageID string `json:"imageId,omitempty"`
	// ExternalImageID is the ExternalImageId the face was indexed with
	// (derived from the object key); absent for faces stored without it.
	ExternalImageID string `json:"externalImageId,omitempty"`
	// BoundingBox locates the face in the image (ratios).
	BoundingBox BoundingBox `json:"boundingBox"`
	// Confidence (0-100) that this is a face.
	Confidence float64 `json:"confidence"`
	// Person is the name given at upload, if any.
	Person string `json:"person,omitempty"`
	// FaceAttributes are the face's landmarks, pose and quality, when
	// known.
	FaceAttributes
}

// InfoBody is the JSON body of GET /info: the service's configuration,
// without secrets. Sizes are in bytes and dimensions in pixels.
type InfoBody struct {
	// CollectionID is the Rekognition CollectionId searched.
	CollectionID string `json:"collectionId"`
	// FaceMatchThreshold is the minimum similarity of a match, 0-100.
	FaceMatchThreshold float64 `json:"faceMatchThreshold"`
	// MaxFaces bounds faces indexed per image and matches per face.
	MaxFaces int `json:"maxFaces"`
	// QualityFilter is Rekognition's QualityFilter in use.
	QualityFilter string `json:"qualityFilter"`
	// ImagePrefix is the key prefix uploads are stored under.
	ImagePrefix string `json:"imagePrefix"`
	// SearchMaxImageBytes is the largest search image, in bytes.
	SearchMaxImageBytes int `json:"searchMaxImageBytes"`
	// IndexMaxImageBytes is the largest image indexed, in bytes (15 MB;
	// Rekognition's limit for S3 objects).
	IndexMaxImageBytes int `json:"indexMaxImageBytes"`
	// MinImageDimension is the smallest width and height, in pixels.
	MinImageDimension int `json:"minImageDimension"`
	// MaxImagePixels is the most pixels (width×height) of an image the
	// service decodes: deployed, in a search of all faces
	// (Config.MaxDecodedPixels, from the function's memory, or the
	// decoder's 50 megapixels); offline, in any request (16 megapixels,
	// offline.MaxImagePixels). A larger image gets 413 IMAGE_TOO_LARGE.
	MaxImagePixels int `json:"maxImagePixels"`
	// AcceptedFormats are the accepted media types.
	AcceptedFormats []string `json:"acceptedFormats"`
	// Version is the service's version.
	Version string `json:"version"`
}

// PutResponse is the JSON answer of PUT /index/{filename} and, with
// another Status, of DELETE /index/{filename}.
type PutResponse struct {
	// Key is the object's key: the image prefix ("index/") and the
	// decoded filename.
	Key string `json:"key"`
	// Status is StatusPending ("pending"): indexing is asynchronous;
	// GET /index/{filename} tells its outcome.
	Status string `json:"status"`
}
