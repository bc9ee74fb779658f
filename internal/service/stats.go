package service

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"

	"github.com/facerec/facerec-cdk/contract"
)

// Stats counts what the service holds: the collection's faces and users
// (persons), from Rekognition's DescribeCollection, and the indexed and
// rejected images, from the table's image items (FaceTable.CountImages,
// which reads the whole table). Errors: the mapped AWS errors.
func (s *Service) Stats(ctx context.Context) (*contract.Stats, error) {
	out, err := s.rek.DescribeCollection(ctx, &rekognition.DescribeCollectionInput{CollectionId: aws.String(s.cfg.CollectionID)})
	if err != nil {
		return nil, fromAWS("Rekognition", err)
	}
	counts, err := s.table.CountImages(ctx)
	if err != nil {
		return nil, fromAWS("DynamoDB", err)
	}
	return &contract.Stats{
		CollectionID:   s.cfg.CollectionID,
		FaceCount:      aws.ToInt64(out.FaceCount),
		PersonCount:    aws.ToInt64(out.UserCount),
		IndexedImages:  counts[contract.StatusIndexed],
		RejectedImages: counts[contract.StatusRejected],
	}, nil
}
