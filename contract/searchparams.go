package contract

// Per-request settings of POST /search (every mode: the largest face,
// FacesParam=all and ByParam=person) and of GET /matches/{faceId}. Absent,
// they take the deployment's FaceMatchThreshold and MaxFaces (Config).
const (
	// ThresholdParam is the query parameter that sets the request's
	// FaceMatchThreshold: the minimum similarity of a match (a person's
	// UserMatchThreshold with by=person), a number from
	// MinFaceMatchThreshold to MaxFaceMatchThreshold.
	ThresholdParam = "threshold"
	// MaxFacesParam is the query parameter that sets the request's
	// MaxFaces: the most matches returned per searched face (persons with
	// by=person), an integer from 1 to MaxSearchMaxFaces.
	MaxFacesParam = "maxFaces"
)

// Bounds of ThresholdParam and MaxFacesParam.
const (
	// MinFaceMatchThreshold and MaxFaceMatchThreshold bound
	// ThresholdParam: Rekognition's range of FaceMatchThreshold and
	// UserMatchThreshold, 0-100 (Rekognition API reference,
	// SearchFacesByImage and SearchUsersByImage).
	MinFaceMatchThreshold = 0.0
	// MaxFaceMatchThreshold is the upper bound of ThresholdParam.
	MaxFaceMatchThreshold = 100.0
	// MaxSearchMaxFaces is the upper bound of MaxFacesParam: 100, the
	// bound of the deployment's MaxFaces (MaxFacesLimit). Rekognition
	// accepts up to 4096 for SearchFacesByImage's MaxFaces and 500 for
	// SearchUsersByImage's MaxUsers; the service answers fewer because
	// each match is joined with its table item (one BatchGetItem of at
	// most 100 keys per searched face) and, with faces=all, up to 100
	// faces are searched in one answer, which must stay under Lambda's
	// 6 MB response payload.
	MaxSearchMaxFaces = MaxFacesLimit
)
