package service

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/facerec/facerec-cdk/contract"
)

// SearchFaceID finds the indexed faces most similar to the indexed face
// faceID, without an image, with Rekognition's SearchFaces (the configured
// or WithSearchParams' FaceMatchThreshold and MaxFaces), and joins the
// matches with their face items in one table read, as Search does. The
// result has one face: faceID's box in its own image, its confidence and
// its matches, which never include faceID itself.
//
// Errors: KindNotFound when no face item has that id, or when Rekognition
// no longer holds the face (an InvalidParameterException: a face deleted
// while the search ran); mapped AWS errors otherwise.
func (s *Service) SearchFaceID(ctx context.Context, faceID string) (*contract.SearchResult, error) {
	f, err := s.getFace(ctx, faceID)
	if err != nil {
		return nil, err
	}
	out, err := s.rek.SearchFaces(ctx, &rekognition.SearchFacesInput{
		CollectionId:       aws.String(s.cfg.CollectionID),
		FaceId:             aws.String(f.FaceID),
		FaceMatchThreshold: aws.Float32(float32(s.cfg.FaceMatchThreshold)),
		MaxFaces:           aws.Int32(int32(s.cfg.MaxFaces)),
	})
	var ipe *rtypes.InvalidParameterException
	if errors.As(err, &ipe) {
		return nil, newError(KindNotFound, contract.CodeNotFound, "no face has this FaceId")
	}
	if err != nil {
		return nil, fromAWS("Rekognition", err)
	}
	records, err := s.matchRecords(ctx, &rekognition.SearchFacesByImageOutput{FaceMatches: out.FaceMatches})
	if err != nil {
		return nil, err
	}
	face := contract.SearchedFace{BoundingBox: f.BoundingBox, Confidence: f.Confidence, Matches: s.joinMatches(ctx, out.FaceMatches, records)}
	return &contract.SearchResult{Faces: []contract.SearchedFace{face}}, nil
}
