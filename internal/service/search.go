package service

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/facerec/facerec-cdk/contract"
)

// Search finds the faces in the collection most similar to the largest face
// in image (JPEG or PNG bytes), with SearchFacesByImage, and joins the
// matches with their face items in one table read. Matches whose face item
// is missing (a face removed while the search ran) are left out.
//
// Errors: the ValidateImage errors (checked before Rekognition is called,
// with the configured SearchMaxImageBytes) and the mapped AWS errors. A
// photo without a face is not an error: it gives an empty Faces.
func (s *Service) Search(ctx context.Context, image []byte) (*contract.SearchResult, error) {
	if err := ValidateImage(image, s.cfg.SearchMaxImageBytes); err != nil {
		return nil, err
	}
	out, err := s.searchFaces(ctx, image)
	if err != nil {
		if isNoFace(err) {
			return &contract.SearchResult{Faces: []contract.SearchedFace{}}, nil
		}
		return nil, fromAWS("Rekognition", err)
	}
	records, err := s.matchRecords(ctx, out)
	if err != nil {
		return nil, err
	}
	face := contract.SearchedFace{
		BoundingBox: boundingBox(out.SearchedFaceBoundingBox),
		Confidence:  float64(aws.ToFloat32(out.SearchedFaceConfidence)),
		Matches:     s.joinMatches(ctx, out.FaceMatches, records),
	}
	return &contract.SearchResult{Faces: []contract.SearchedFace{face}}, nil
}

// searchFaces calls SearchFacesByImage on image with the configured
// threshold, MaxFaces and QualityFilter.
func (s *Service) searchFaces(ctx context.Context, image []byte) (*rekognition.SearchFacesByImageOutput, error) {
	return s.rek.SearchFacesByImage(ctx, &rekognition.SearchFacesByImageInput{
		CollectionId:       aws.String(s.cfg.CollectionID),
		Image:              &rtypes.Image{Bytes: image},
		FaceMatchThreshold: aws.Float32(float32(s.cfg.FaceMatchThreshold)),
		MaxFaces:           aws.Int32(int32(s.cfg.MaxFaces)),
		QualityFilter:      rtypes.QualityFilter(s.cfg.QualityFilter),
	})
}

// matchRecords reads the face items of every match of the searches (nil
// entries are skipped) in one GetFaces call, each FaceId once; it makes no
// call when there is no match.
func (s *Service) matchRecords(ctx context.Context, searches ...*rekognition.SearchFacesByImageOutput) (map[string]FaceItem, error) {
	var ids []string
	seen := map[string]bool{}
	for _, out := range searches {
		if out == nil {
			continue
		}
		for _, m := range out.FaceMatches {
			if m.Face == nil {
				continue
			}
			if id := aws.ToString(m.Face.FaceId); !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return map[string]FaceItem{}, nil
	}
	records, err := s.table.GetFaces(ctx, ids)
	if err != nil {
		return nil, fromAWS("DynamoDB", err)
	}
	return records, nil
}

// joinMatches returns the matches joined with their records, in
// Rekognition's order (most similar first); a match without a record is
// logged and left out.
func (s *Service) joinMatches(ctx context.Context, matches []rtypes.FaceMatch, records map[string]FaceItem) []contract.Match {
	out := make([]contract.Match, 0, len(matches))
	for _, m := range matches {
		if m.Face == nil {
			continue
		}
		rec, ok := records[aws.ToString(m.Face.FaceId)]
		if !ok {
			s.log.WarnContext(ctx, "match without a face item; left out", "faceId", aws.ToString(m.Face.FaceId))
			continue
		}
		out = append(out, contract.Match{
			FaceID:      rec.FaceID,
			Similarity:  float64(aws.ToFloat32(m.Similarity)),
			Person:      rec.Person,
			Key:         rec.Key,
			BoundingBox: rec.BoundingBox,
			IndexedAt:   rec.IndexedAt,
		})
	}
	return out
}

// isNoFace reports whether err is Rekognition's answer to an image without
// a face: an InvalidParameterException saying there are no faces.
func isNoFace(err error) bool {
	var ipe *rtypes.InvalidParameterException
	return errors.As(err, &ipe) && strings.Contains(strings.ToLower(ipe.ErrorMessage()), "no faces")
}

// SearchPersons finds the persons whose Rekognition users are most similar
// to the largest face in image, with SearchUsersByImage (threshold
// FaceMatchThreshold, at most MaxFaces persons), joined with their person
// items in one table read and with their faces (read from the person
// index). Users without a person item (a person erased while the search
// ran) are left out. A photo without a face gives an empty Faces, as with
// Search, whether Rekognition answers it with no SearchedFace (as its API
// reference says) or with the no-faces InvalidParameterException. Errors
// are those of Search.
func (s *Service) SearchPersons(ctx context.Context, image []byte) (*contract.SearchResult, error) {
	if err := ValidateImage(image, s.cfg.SearchMaxImageBytes); err != nil {
		return nil, err
	}
	out, err := s.rek.SearchUsersByImage(ctx, &rekognition.SearchUsersByImageInput{
		CollectionId:       aws.String(s.cfg.CollectionID),
		Image:              &rtypes.Image{Bytes: image},
		UserMatchThreshold: aws.Float32(float32(s.cfg.FaceMatchThreshold)),
		MaxUsers:           aws.Int32(int32(s.cfg.MaxFaces)),
		QualityFilter:      rtypes.QualityFilter(s.cfg.QualityFilter),
	})
	if err != nil {
		if isNoFace(err) {
			return &contract.SearchResult{Faces: []contract.SearchedFace{}}, nil
		}
		return nil, fromAWS("Rekognition", err)
	}
	if out.SearchedFace == nil || out.SearchedFace.FaceDetail == nil {
		// Rekognition's answer to an image without a usable face: no
		// SearchedFace, no UserMatches (API reference, SearchUsersByImage).
		return &contract.SearchResult{Faces: []contract.SearchedFace{}}, nil
	}
	var ids []string
	for _, m := range out.UserMatches {
		if m.User != nil {
			ids = append(ids, aws.ToString(m.User.UserId))
		}
	}
	persons := map[string]PersonItem{}
	if len(ids) > 0 {
		if persons, err = s.table.GetPersons(ctx, ids); err != nil {
			return nil, fromAWS("DynamoDB", err)
		}
	}
	face := contract.SearchedFace{
		BoundingBox: boundingBox(out.SearchedFace.FaceDetail.BoundingBox),
		Confidence:  float64(aws.ToFloat32(out.SearchedFace.FaceDetail.Confidence)),
		Matches:     []contract.Match{},
		Persons:     []contract.PersonMatch{},
	}
	for _, m := range out.UserMatches {
		if m.User == nil {
			continue
		}
		p, ok := persons[aws.ToString(m.User.UserId)]
		if !ok {
			s.log.WarnContext(ctx, "user without a person item; left out") // no UserId: it holds the name
			continue
		}
		faceIDs, err := s.personFaceIDs(ctx, p.Person)
		if err != nil {
			return nil, err
		}
		face.Persons = append(face.Persons, contract.PersonMatch{Person: p.Person, Similarity: float64(aws.ToFloat32(m.Similarity)), FaceIDs: faceIDs})
	}
	return &contract.SearchResult{Faces: []contract.SearchedFace{face}}, nil
}

// personFaceIDs returns the FaceIds of every face of person, following
// every page of ListFaces.
func (s *Service) personFaceIDs(ctx context.Context, person string) ([]string, error) {
	ids := []string{}
	token := ""
	for {
		faces, next, err := s.table.ListFaces(ctx, person, contract.MaxFaceListLimit, token)
		if err != nil {
			return nil, fromAWS("DynamoDB", err)
		}
		for _, f := range faces {
			ids = append(ids, f.FaceID)
		}
		if next == "" {
			return ids, nil
		}
		token = next
	}
}
