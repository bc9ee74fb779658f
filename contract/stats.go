package contract

// Stats is the answer of GET /stats: how much the collection and the
// table hold. Counts are read at request time; Rekognition's may lag a
// change by a moment.
type Stats struct {
	// CollectionID is the Rekognition CollectionId.
	CollectionID string `json:"collectionId"`
	// FaceCount is the number of faces in the collection (Rekognition
	// DescribeCollection's FaceCount).
	FaceCount int64 `json:"faceCount"`
	// PersonCount is the number of persons: the collection's users
	// (DescribeCollection's UserCount), one per person named at upload.
	PersonCount int64 `json:"personCount"`
	// IndexedImages is the number of images whose last version was
	// indexed (image items of status "indexed").
	IndexedImages int `json:"indexedImages"`
	// RejectedImages is the number of images whose last version was
	// rejected (image items of status "rejected"). Images still pending
	// have no item yet and are not counted.
	RejectedImages int `json:"rejectedImages"`
}
