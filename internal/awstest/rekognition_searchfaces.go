package awstest

import (
	"cmp"
	"slices"
)

type searchFacesRequest struct {
	CollectionID       string `json:"CollectionId"`
	FaceID             string `json:"FaceId"`
	FaceMatchThreshold *float32
	MaxFaces           *int
}

// searchFaces is SearchFaces: the stored face is matched against the
// other faces of its collection as searchFacesByImage matches a photo's
// largest face (by Identity), never against itself. A FaceId the
// collection does not hold is an InvalidParameterException.
func (f *FakeRekognition) searchFaces(req *searchFacesRequest) (any, error) {
	if err := validateCollectionID(req.CollectionID); err != nil {
		return nil, err
	}
	if !faceIDPattern.MatchString(req.FaceID) {
		return nil, clientError("InvalidParameterException", "FaceId %q must match [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", req.FaceID)
	}
	threshold, err := thresholdParam("FaceMatchThreshold", req.FaceMatchThreshold)
	if err != nil {
		return nil, err
	}
	maxFaces, err := intParam("MaxFaces", req.MaxFaces, maxSearchMaxFaces, maxSearchMaxFaces)
	if err != nil {
		return nil, err
	}
	stored, err := f.collection(req.CollectionID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(stored, func(s StoredFace) bool { return s.FaceID == req.FaceID })
	if i < 0 {
		return nil, clientError("InvalidParameterException", "faceId was not found in the collection.")
	}
	searched := stored[i]
	matches := []faceMatch{}
	for _, s := range stored {
		similarity := OtherIdentitySimilarity
		if s.Identity == searched.Identity {
			similarity = SameIdentitySimilarity
		}
		if s.FaceID != searched.FaceID && similarity >= threshold {
			matches = append(matches, faceMatch{Similarity: similarity, Face: s.wire()})
		}
	}
	slices.SortStableFunc(matches, func(a, b faceMatch) int { return cmp.Compare(b.Similarity, a.Similarity) })
	return struct {
		SearchedFaceId   string
		FaceMatches      []faceMatch
		FaceModelVersion string
	}{searched.FaceID, matches[:min(len(matches), maxFaces)], FaceModelVersion}, nil
}
