package contract

// CompareRequest is the JSON body of POST /compare: a source image and
// exactly one of a target image, an indexed FaceId or a person.
type CompareRequest struct {
	// Source is the image whose largest face is compared (base64 of JPEG
	// or PNG bytes).
	Source string `json:"source"`
	// Target is a second image (base64); its most similar face is
	// compared with the source's (Rekognition CompareFaces).
	Target string `json:"target,omitempty"`
	// FaceID is an indexed face to compare the source's face with.
	FaceID string `json:"faceId,omitempty"`
	// Person is a person named at upload, compared as its Rekognition
	// user (all its faces together).
	Person string `json:"person,omitempty"`
}

// Comparison is the answer of POST /compare.
type Comparison struct {
	// Similarity (0-100) between the source's largest face and the
	// target; 0 when the target is a FaceId or a person that is not among
	// the most similar Rekognition answers (CompareMaxResults).
	Similarity float64 `json:"similarity"`
	// Threshold is the similarity the comparison needed (ThresholdParam,
	// else the configured FaceMatchThreshold).
	Threshold float64 `json:"threshold"`
	// Match is whether Similarity reaches Threshold.
	Match bool `json:"match"`
}

// CompareMaxResults are the most faces (SearchFacesByImage MaxFaces) and
// users (SearchUsersByImage MaxUsers) POST /compare asks Rekognition for,
// at similarity threshold 0, to find its FaceId or person among them: the
// largest values Rekognition accepts (Amazon Rekognition API reference:
// MaxFaces 1-4096, MaxUsers 1-500).
const (
	CompareMaxFaces = 4096
	CompareMaxUsers = 500
)
