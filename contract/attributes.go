package contract

// FaceAttributes are what Rekognition's FaceDetail tells of a face besides
// its box and confidence, with DetectionAttributes DEFAULT: landmarks, pose
// and quality. Deployed they come from Rekognition (IndexFaces'
// FaceRecords[].FaceDetail, stored with the face; DetectFaces' FaceDetails);
// offline from the face engine. Each is left out of the JSON when unknown,
// as for faces indexed before the attributes were stored.
type FaceAttributes struct {
	// Landmarks are points of the face as Rekognition names them
	// (eyeLeft, eyeRight, nose, mouthLeft, mouthRight with DEFAULT
	// attributes; left and right as seen in the image).
	Landmarks []Landmark `json:"landmarks,omitempty"`
	// Pose is the head's orientation.
	Pose *Pose `json:"pose,omitempty"`
	// Quality is the brightness and sharpness of the face.
	Quality *Quality `json:"quality,omitempty"`
}

// Landmark is one point of a face, as Rekognition's Landmark: its Type
// ("eyeLeft", "nose", …) and its position as ratios of the image's width
// (X) and height (Y), from the top-left corner.
type Landmark struct {
	// Type is Rekognition's LandmarkType, such as "eyeLeft".
	Type string `json:"type"`
	// X is the point's distance from the left edge, as a ratio of the
	// image width.
	X float64 `json:"x"`
	// Y is the point's distance from the top edge, as a ratio of the
	// image height.
	Y float64 `json:"y"`
}

// Pose is a head's orientation in degrees (-180 to 180), as Rekognition's
// Pose.
type Pose struct {
	// Roll is the rotation in the image plane.
	Roll float64 `json:"roll"`
	// Yaw is the rotation about the vertical axis.
	Yaw float64 `json:"yaw"`
	// Pitch is the rotation about the horizontal axis.
	Pitch float64 `json:"pitch"`
}

// Quality is a face's image quality, as Rekognition's ImageQuality: each
// 0-100, higher is brighter or sharper.
type Quality struct {
	// Brightness of the face, 0-100.
	Brightness float64 `json:"brightness"`
	// Sharpness of the face, 0-100.
	Sharpness float64 `json:"sharpness"`
}
