package offline

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/facerec/facerec-cdk/contract"
)

// SearchFaces matches a face of the collection against the others, like
// Rekognition: matches with Similarity ≥ FaceMatchThreshold (default 80),
// at most MaxFaces (all when unset), most similar first, never the face
// itself. A FaceId the collection does not hold is an
// InvalidParameterException.
func (r *Rekognition) SearchFaces(_ context.Context, in *rekognition.SearchFacesInput, _ ...func(*rekognition.Options)) (*rekognition.SearchFacesOutput, error) {
	if aws.ToString(in.CollectionId) != r.collectionID {
		return nil, &rtypes.ResourceNotFoundException{Message: aws.String("The collection id: " + aws.ToString(in.CollectionId) + " does not exist")}
	}
	threshold := contract.DefaultFaceMatchThreshold
	if in.FaceMatchThreshold != nil {
		threshold = float64(*in.FaceMatchThreshold)
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	id := aws.ToString(in.FaceId)
	searched, ok := r.faces[id]
	if !ok {
		return nil, invalidParameter("faceId was not found in the collection.")
	}
	maxFaces := int(aws.ToInt32(in.MaxFaces))
	limit := maxFaces
	if limit > 0 {
		limit++ // the face itself is among the results
	}
	out := &rekognition.SearchFacesOutput{SearchedFaceId: aws.String(id), FaceModelVersion: aws.String("local-dlib-resnet-v1"), FaceMatches: []rtypes.FaceMatch{}}
	for _, m := range r.gallery.Search(searched.Descriptor, limit, threshold) {
		if m.ID == id || (maxFaces > 0 && len(out.FaceMatches) == maxFaces) {
			continue
		}
		face := r.faces[m.ID].Face
		out.FaceMatches = append(out.FaceMatches, rtypes.FaceMatch{Face: &face, Similarity: aws.Float32(float32(m.Similarity))})
	}
	return out, nil
}
