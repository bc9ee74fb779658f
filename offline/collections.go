package offline

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	bolt "go.etcd.io/bbolt"

	"github.com/facerec/facerec-cdk/faceengine"
)

// Region and AccountID are those of the ARNs the local Rekognition answers.
const (
	Region    = "local"
	AccountID = "000000000000"
)

// collectionARN is the ARN of a collection, shaped as Rekognition's.
func collectionARN(id string) string {
	return "aws:rekognition:" + Region + ":" + AccountID + ":collection/" + id
}

// CreateCollection creates an empty collection; one that exists is a
// ResourceAlreadyExistsException. Tags are accepted and not kept.
func (r *Rekognition) CreateCollection(_ context.Context, in *rekognition.CreateCollectionInput, _ ...func(*rekognition.Options)) (*rekognition.CreateCollectionOutput, error) {
	if err := checkCollectionID(in.CollectionId); err != nil {
		return nil, err
	}
	id := *in.CollectionId
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.collections[id] != nil {
		return nil, &rtypes.ResourceAlreadyExistsException{Message: aws.String("The collection id: " + id + " already exists")}
	}
	var c *collection
	err := r.db.Update(func(tx *bolt.Tx) error {
		b, err := createCollectionBucket(tx.Bucket(bucketCollections), id, time.Now())
		if err == nil {
			c, err = loadCollection(b)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	r.collections[id] = c
	return &rekognition.CreateCollectionOutput{CollectionArn: aws.String(collectionARN(id)), FaceModelVersion: aws.String(FaceModelVersion), StatusCode: aws.Int32(200)}, nil
}

// DeleteCollection deletes a collection with its faces and users. The
// service's collection can be deleted as well; it is created again, empty,
// when the data directory is next opened.
func (r *Rekognition) DeleteCollection(_ context.Context, in *rekognition.DeleteCollectionInput, _ ...func(*rekognition.Options)) (*rekognition.DeleteCollectionOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.collection(in.CollectionId); err != nil {
		return nil, err
	}
	err := r.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketCollections).DeleteBucket([]byte(*in.CollectionId)) })
	if err != nil {
		return nil, err
	}
	delete(r.collections, *in.CollectionId)
	return &rekognition.DeleteCollectionOutput{StatusCode: aws.Int32(200)}, nil
}

// DescribeCollection answers a collection's face and user counts, ARN,
// creation time and face model version.
func (r *Rekognition) DescribeCollection(_ context.Context, in *rekognition.DescribeCollectionInput, _ ...func(*rekognition.Options)) (*rekognition.DescribeCollectionOutput, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, err := r.collection(in.CollectionId)
	if err != nil {
		return nil, err
	}
	var users int
	err = r.db.View(func(tx *bolt.Tx) error {
		users = collectionBucket(tx, *in.CollectionId).Bucket(collUsers).Stats().KeyN
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &rekognition.DescribeCollectionOutput{
		CollectionARN: aws.String(collectionARN(*in.CollectionId)), CreationTimestamp: aws.Time(c.meta.Created),
		FaceCount: aws.Int64(int64(len(c.faces))), UserCount: aws.Int64(int64(users)), FaceModelVersion: aws.String(FaceModelVersion),
	}, nil
}

// ListCollections lists the CollectionIds in order, a page at a time
// (MaxResults 1–4096, default 1000; NextToken).
func (r *Rekognition) ListCollections(_ context.Context, in *rekognition.ListCollectionsInput, _ ...func(*rekognition.Options)) (*rekognition.ListCollectionsOutput, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ids, next, err := page(sortedKeys(r.collections), in.MaxResults, in.NextToken, maxSearchResults)
	if err != nil {
		return nil, err
	}
	out := &rekognition.ListCollectionsOutput{CollectionIds: ids, FaceModelVersions: make([]string, len(ids)), NextToken: next}
	for i := range ids {
		out.FaceModelVersions[i] = FaceModelVersion
	}
	return out, nil
}

// ListFaces lists the faces of a collection in FaceId order, a page at a
// time (MaxResults 1–4096, default 1000; NextToken), only those of UserId
// and only those among FaceIds when they are given.
func (r *Rekognition) ListFaces(_ context.Context, in *rekognition.ListFacesInput, _ ...func(*rekognition.Options)) (*rekognition.ListFacesOutput, error) {
	if err := checkUserID(in.UserId, false); err != nil {
		return nil, err
	}
	if in.FaceIds != nil {
		if err := checkFaceIDs(in.FaceIds, maxSearchResults); err != nil {
			return nil, err
		}
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, err := r.collection(in.CollectionId)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, id := range sortedKeys(c.faces) {
		if (in.UserId == nil || aws.ToString(c.faces[id].Face.UserId) == *in.UserId) && (in.FaceIds == nil || slices.Contains(in.FaceIds, id)) {
			keys = append(keys, id)
		}
	}
	ids, next, err := page(keys, in.MaxResults, in.NextToken, maxSearchResults)
	if err != nil {
		return nil, err
	}
	out := &rekognition.ListFacesOutput{Faces: make([]rtypes.Face, len(ids)), NextToken: next, FaceModelVersion: aws.String(FaceModelVersion)}
	for i, id := range ids {
		out.Faces[i] = c.faces[id].Face
	}
	return out, nil
}

// SearchFaces searches the collection for the faces most similar to one
// of its faces (FaceId), leaving that face out: matches with Similarity ≥
// FaceMatchThreshold (default 80), at most MaxFaces (1–4096; all when
// unset), most similar first. A FaceId the collection does not hold is an
// InvalidParameterException, as in Rekognition ("faceId was not found in
// the collection.").
func (r *Rekognition) SearchFaces(_ context.Context, in *rekognition.SearchFacesInput, _ ...func(*rekognition.Options)) (*rekognition.SearchFacesOutput, error) {
	if err := check(
		checkCollectionID(in.CollectionId),
		checkFaceID("FaceId", in.FaceId, true),
		checkRange("MaxFaces", in.MaxFaces, 1, maxSearchResults),
		checkThreshold("FaceMatchThreshold", in.FaceMatchThreshold),
	); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, err := r.collection(in.CollectionId)
	if err != nil {
		return nil, err
	}
	f, ok := c.faces[*in.FaceId]
	if !ok {
		return nil, invalidParameter("faceId was not found in the collection.")
	}
	return &rekognition.SearchFacesOutput{
		SearchedFaceId:   in.FaceId,
		FaceMatches:      c.matches(f.Descriptor, *in.FaceId, int(aws.ToInt32(in.MaxFaces)), thresholdOr(in.FaceMatchThreshold)),
		FaceModelVersion: aws.String(FaceModelVersion),
	}, nil
}

// CompareFaces compares the largest face of SourceImage with each face of
// TargetImage: faces at least SimilarityThreshold (0–100, default 80)
// similar are FaceMatches, most similar first, the others UnmatchedFaces.
// With a QualityFilter other than NONE, target faces under
// contract.MinFaceDimension pixels are left out, as IndexFaces leaves them
// out. A source image without a face is an InvalidParameterException.
func (r *Rekognition) CompareFaces(ctx context.Context, in *rekognition.CompareFacesInput, _ ...func(*rekognition.Options)) (*rekognition.CompareFacesOutput, error) {
	if err := check(checkThreshold("SimilarityThreshold", in.SimilarityThreshold), checkQualityFilter(in.QualityFilter)); err != nil {
		return nil, err
	}
	_, det, desc, _, threshold, err := r.largestFace(ctx, in.SourceImage, in.SimilarityThreshold)
	if err != nil {
		return nil, err
	}
	target, err := r.image(ctx, in.TargetImage)
	if err != nil {
		return nil, err
	}
	faces, err := r.engine.Faces(target.img)
	if err != nil {
		return nil, err
	}
	out := &rekognition.CompareFacesOutput{
		SourceImageFace: &rtypes.ComparedSourceImageFace{BoundingBox: box(det.BoundingBox), Confidence: aws.Float32(float32(det.Confidence))},
		FaceMatches:     []rtypes.CompareFacesMatch{}, UnmatchedFaces: []rtypes.ComparedFace{},
	}
	for _, f := range faces {
		if target.small(f.Detection) && in.QualityFilter != rtypes.QualityFilterNone {
			continue
		}
		cf := target.comparedFace(f.Detection)
		if s := faceengine.Similarity(faceengine.Distance(desc, f.Descriptor)); s >= threshold {
			out.FaceMatches = append(out.FaceMatches, rtypes.CompareFacesMatch{Face: cf, Similarity: aws.Float32(float32(s))})
		} else {
			out.UnmatchedFaces = append(out.UnmatchedFaces, *cf)
		}
	}
	slices.SortStableFunc(out.FaceMatches, func(a, b rtypes.CompareFacesMatch) int { return cmp.Compare(*b.Similarity, *a.Similarity) })
	return out, nil
}

// comparedFace is the ComparedFace of a face detected in im, with what
// faceDetail holds.
func (im *faceImage) comparedFace(d faceengine.Detection) *rtypes.ComparedFace {
	fd := im.faceDetail(d)
	return &rtypes.ComparedFace{BoundingBox: fd.BoundingBox, Confidence: fd.Confidence, Landmarks: fd.Landmarks, Pose: fd.Pose, Quality: fd.Quality, Emotions: fd.Emotions, Smile: fd.Smile}
}
