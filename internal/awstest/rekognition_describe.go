package awstest

import "fmt"

type describeCollectionRequest struct {
	CollectionID string `json:"CollectionId"`
}

// describeCollection is DescribeCollection: the collection's FaceCount
// and UserCount, its ARN and face model version.
func (f *FakeRekognition) describeCollection(req *describeCollectionRequest) (any, error) {
	if err := validateCollectionID(req.CollectionID); err != nil {
		return nil, err
	}
	stored, err := f.collection(req.CollectionID)
	if err != nil {
		return nil, err
	}
	return struct {
		CollectionARN    string
		FaceCount        int64
		UserCount        int64
		FaceModelVersion string
	}{
		CollectionARN:    fmt.Sprintf("arn:aws:rekognition:%s:%s:collection/%s", region, AccountID, req.CollectionID),
		FaceCount:        int64(len(stored)),
		UserCount:        int64(len(f.users[req.CollectionID])),
		FaceModelVersion: FaceModelVersion,
	}, nil
}
