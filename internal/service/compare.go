package service

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/facerec/facerec-cdk/contract"
)

// comparison is the answer for similarity against the configured (or
// WithSearchParams') FaceMatchThreshold.
func (s *Service) comparison(similarity float64) *contract.Comparison {
	return &contract.Comparison{Similarity: similarity, Threshold: s.cfg.FaceMatchThreshold, Match: similarity >= s.cfg.FaceMatchThreshold}
}

// noFace is the error of a compared image without a face.
func noFace(which string) *Error {
	return newError(KindBadRequest, contract.CodeInvalidParameter, "there is no face in the %s image", which)
}

// CompareImages compares the largest face of source with the most similar
// face of target (JPEG or PNG bytes each), with Rekognition CompareFaces at
// SimilarityThreshold 0 and the configured QualityFilter. Errors: the
// ValidateImage errors of either image (SearchMaxImageBytes), KindBadRequest
// (INVALID_PARAMETER) when either has no face, mapped AWS errors.
func (s *Service) CompareImages(ctx context.Context, source, target []byte) (*contract.Comparison, error) {
	if err := ValidateImage(source, s.cfg.SearchMaxImageBytes); err != nil {
		return nil, err
	}
	if err := ValidateImage(target, s.cfg.SearchMaxImageBytes); err != nil {
		return nil, err
	}
	out, err := s.rek.CompareFaces(ctx, &rekognition.CompareFacesInput{
		SourceImage: &rtypes.Image{Bytes: source}, TargetImage: &rtypes.Image{Bytes: target},
		SimilarityThreshold: aws.Float32(0), QualityFilter: rtypes.QualityFilter(s.cfg.QualityFilter),
	})
	if isNoFace(err) {
		return nil, noFace("source")
	}
	if err != nil {
		return nil, fromAWS("Rekognition", err)
	}
	if len(out.FaceMatches) == 0 {
		return nil, noFace("target")
	}
	best := 0.0
	for _, m := range out.FaceMatches {
		best = max(best, float64(aws.ToFloat32(m.Similarity)))
	}
	return s.comparison(best), nil
}

// CompareFace compares the largest face of source with the indexed face
// faceID: SearchFacesByImage at FaceMatchThreshold 0 for the
// contract.CompareMaxFaces most similar faces, and faceID's similarity
// among them (0 when it is not among them). Errors: ValidateImage's,
// KindNotFound for a FaceId no face item has, KindBadRequest when source
// has no face, mapped AWS errors.
func (s *Service) CompareFace(ctx context.Context, source []byte, faceID string) (*contract.Comparison, error) {
	if err := ValidateImage(source, s.cfg.SearchMaxImageBytes); err != nil {
		return nil, err
	}
	if _, err := s.getFace(ctx, faceID); err != nil {
		return nil, err
	}
	out, err := s.rek.SearchFacesByImage(ctx, &rekognition.SearchFacesByImageInput{
		CollectionId: aws.String(s.cfg.CollectionID), Image: &rtypes.Image{Bytes: source},
		FaceMatchThreshold: aws.Float32(0), MaxFaces: aws.Int32(contract.CompareMaxFaces),
		QualityFilter: rtypes.QualityFilter(s.cfg.QualityFilter),
	})
	if isNoFace(err) {
		return nil, noFace("source")
	}
	if err != nil {
		return nil, fromAWS("Rekognition", err)
	}
	for _, m := range out.FaceMatches {
		if m.Face != nil && aws.ToString(m.Face.FaceId) == faceID {
			return s.comparison(float64(aws.ToFloat32(m.Similarity))), nil
		}
	}
	return s.comparison(0), nil
}

// ComparePerson compares the largest face of source with the Rekognition
// user of person: SearchUsersByImage at UserMatchThreshold 0 for the
// contract.CompareMaxUsers most similar users, and the person's
// similarity among them (0 when it is not among them). Errors:
// ValidateImage's, KindNotFound for a person without a person item,
// KindBadRequest when source has no face, mapped AWS errors.
func (s *Service) ComparePerson(ctx context.Context, source []byte, person string) (*contract.Comparison, error) {
	if err := ValidateImage(source, s.cfg.SearchMaxImageBytes); err != nil {
		return nil, err
	}
	userID, err := s.personUserID(ctx, person)
	if err != nil {
		return nil, err
	}
	out, err := s.rek.SearchUsersByImage(ctx, &rekognition.SearchUsersByImageInput{
		CollectionId: aws.String(s.cfg.CollectionID), Image: &rtypes.Image{Bytes: source},
		UserMatchThreshold: aws.Float32(0), MaxUsers: aws.Int32(contract.CompareMaxUsers),
		QualityFilter: rtypes.QualityFilter(s.cfg.QualityFilter),
	})
	if isNoFace(err) || (err == nil && out.SearchedFace == nil) {
		// Rekognition answers no SearchedFace for an image without a
		// face (API reference), or the no-faces error.
		return nil, noFace("source")
	}
	if err != nil {
		return nil, fromAWS("Rekognition", err)
	}
	for _, m := range out.UserMatches {
		if m.User != nil && aws.ToString(m.User.UserId) == userID {
			return s.comparison(float64(aws.ToFloat32(m.Similarity))), nil
		}
	}
	return s.comparison(0), nil
}
