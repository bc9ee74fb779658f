package offline

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	bolt "go.etcd.io/bbolt"

	"github.com/facerec/facerec-cdk/internal/service"
)

// CountImages implements service.FaceTable: the image items by Status.
func (t *Table) CountImages(context.Context) (map[string]int, error) {
	counts := map[string]int{}
	err := t.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketImages).ForEach(func(k, v []byte) error {
			var img service.ImageItem
			if err := json.Unmarshal(v, &img); err != nil {
				return fmt.Errorf("image item %s: %w", k, err)
			}
			counts[img.Status]++
			return nil
		})
	})
	return counts, err
}

// DescribeCollection answers as Rekognition does with the collection's
// FaceCount and UserCount; another CollectionId is a
// ResourceNotFoundException.
func (r *Rekognition) DescribeCollection(_ context.Context, in *rekognition.DescribeCollectionInput, _ ...func(*rekognition.Options)) (*rekognition.DescribeCollectionOutput, error) {
	if aws.ToString(in.CollectionId) != r.collectionID {
		return nil, &rtypes.ResourceNotFoundException{Message: aws.String("The collection id: " + aws.ToString(in.CollectionId) + " does not exist")}
	}
	out := &rekognition.DescribeCollectionOutput{
		CollectionARN:    aws.String("arn:aws:rekognition:local:000000000000:collection/" + r.collectionID),
		FaceModelVersion: aws.String("local-dlib-resnet-v1"),
		FaceCount:        aws.Int64(int64(r.Len())),
	}
	err := r.db.View(func(tx *bolt.Tx) error {
		out.UserCount = aws.Int64(int64(tx.Bucket(bucketUsers).Stats().KeyN))
		return nil
	})
	return out, err
}
