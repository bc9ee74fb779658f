package offline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/faceengine"
	"github.com/facerec/facerec-cdk/internal/imageio"
	"github.com/facerec/facerec-cdk/internal/service"
)

// Rekognition is the local stand-in for an Amazon Rekognition collection:
// it implements the calls of service.Rekognition with the same inputs,
// outputs and typed errors, over faceengine. Faces are kept in the bbolt
// database, with their descriptors loaded into an in-memory
// faceengine.Gallery at start. It is safe for concurrent use.
type Rekognition struct {
	collectionID string
	engine       *faceengine.Engine
	objects      service.ObjectGetter
	db           *bolt.DB
	decodes      *decodeLimit

	mu      sync.RWMutex
	faces   map[string]storedFace // FaceId → face
	gallery faceengine.Gallery
}

var _ service.Rekognition = (*Rekognition)(nil)

// storedFace is a face of the collection as kept in the database.
type storedFace struct {
	Face       rtypes.Face
	Descriptor faceengine.Descriptor
}

func newRekognition(collectionID string, engine *faceengine.Engine, objects service.ObjectGetter, db *bolt.DB) (*Rekognition, error) {
	r := &Rekognition{collectionID: collectionID, engine: engine, objects: objects, db: db, decodes: newDecodeLimit(), faces: map[string]storedFace{}}
	err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketVectors).ForEach(func(k, v []byte) error {
			var f storedFace
			if err := json.Unmarshal(v, &f); err != nil {
				return fmt.Errorf("face %s: %w", k, err)
			}
			r.faces[string(k)] = f
			r.gallery.Add(string(k), f.Descriptor)
			return nil
		})
	})
	return r, err
}

// Len returns the number of faces in the collection.
func (r *Rekognition) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.faces)
}

func invalidParameter(msg string) error {
	return &rtypes.InvalidParameterException{Message: aws.String(msg)}
}

// image returns the decoded image of in, checking Rekognition's limits:
// 5 MB for bytes and 15 MB for S3 objects (ImageTooLargeException), JPEG
// or PNG (InvalidImageFormatException), at least 80×80 pixels
// (InvalidParameterException); and this server's: at most MaxImagePixels
// pixels (ImageTooLargeException). The image is decoded within the decode
// budget (waiting for it unless ctx holds a reservation) and scaled down
// to workPixels as it is decoded; faceImage keeps its full size.
func (r *Rekognition) image(ctx context.Context, collectionID *string, in *rtypes.Image) (*faceImage, error) {
	if collectionID != nil && aws.ToString(collectionID) != r.collectionID {
		return nil, &rtypes.ResourceNotFoundException{Message: aws.String("The collection id: " + aws.ToString(collectionID) + " does not exist")}
	}
	if in == nil {
		return nil, invalidParameter("Image is required")
	}
	data, limit := in.Bytes, contract.MaxImageBytes
	if in.S3Object != nil {
		out, err := r.objects.GetObject(ctx, &s3.GetObjectInput{Bucket: in.S3Object.Bucket, Key: in.S3Object.Name})
		if err != nil {
			return nil, &rtypes.InvalidS3ObjectException{Message: aws.String("Unable to get object metadata from S3. Check object key, region and/or access permissions.")}
		}
		defer out.Body.Close()
		if data, err = io.ReadAll(out.Body); err != nil {
			return nil, err
		}
		limit = contract.MaxS3ImageBytes
	}
	if len(data) > limit {
		return nil, &rtypes.ImageTooLargeException{Message: aws.String("Image size is too large.")}
	}
	if service.SniffFormat(data) == "" {
		return nil, &rtypes.InvalidImageFormatException{Message: aws.String("Request has invalid image format")}
	}
	_, release, err := r.decodes.reserve(ctx, data, false)
	if err != nil {
		return nil, err
	}
	defer release()
	img, size, err := imageio.DecodeScaled(data, MaxImagePixels, workPixels)
	switch {
	case errors.Is(err, imageio.ErrImageTooLarge):
		return nil, &rtypes.ImageTooLargeException{Message: aws.String(fmt.Sprintf("Image has more than %d pixels, the most this local server decodes.", MaxImagePixels))}
	case err != nil:
		return nil, &rtypes.InvalidImageFormatException{Message: aws.String("Request has invalid image format")}
	}
	if size.X < contract.MinImageDimension || size.Y < contract.MinImageDimension {
		return nil, invalidParameter("Request has invalid parameters")
	}
	return &faceImage{img: img, width: size.X, height: size.Y}, nil
}

type faceImage struct {
	img           image.Image
	width, height int
}

func box(b faceengine.BoundingBox) *rtypes.BoundingBox {
	return &rtypes.BoundingBox{Left: aws.Float32(float32(b.Left)), Top: aws.Float32(float32(b.Top)), Width: aws.Float32(float32(b.Width)), Height: aws.Float32(float32(b.Height))}
}

// IndexFaces detects the faces of the image, keeps up to MaxFaces of the
// largest (the others are UnindexedFaces with reason EXCEEDS_MAX_FACES;
// with a QualityFilter other than NONE, faces under
// contract.MinFaceDimension pixels are SMALL_BOUNDING_BOX), and adds them to
// the collection with new FaceIds.
func (r *Rekognition) IndexFaces(ctx context.Context, in *rekognition.IndexFacesInput, _ ...func(*rekognition.Options)) (*rekognition.IndexFacesOutput, error) {
	im, err := r.image(ctx, in.CollectionId, in.Image)
	if err != nil {
		return nil, err
	}
	found, err := r.engine.Faces(im.img)
	if err != nil {
		return nil, err
	}
	maxFaces := int(aws.ToInt32(in.MaxFaces))
	if in.MaxFaces == nil {
		maxFaces = contract.MaxFacesLimit
	}
	out := &rekognition.IndexFacesOutput{FaceModelVersion: aws.String("local-dlib-resnet-v1")}
	imageID := uuid.NewString()
	var added []storedFace
	for _, f := range found {
		detail := rtypes.FaceDetail{BoundingBox: box(f.BoundingBox), Confidence: aws.Float32(float32(f.Confidence))}
		small := f.BoundingBox.Width*float64(im.width) < contract.MinFaceDimension || f.BoundingBox.Height*float64(im.height) < contract.MinFaceDimension
		switch {
		case small && in.QualityFilter != rtypes.QualityFilterNone:
			out.UnindexedFaces = append(out.UnindexedFaces, rtypes.UnindexedFace{FaceDetail: &detail, Reasons: []rtypes.Reason{rtypes.ReasonSmallBoundingBox}})
		case len(added) >= maxFaces:
			out.UnindexedFaces = append(out.UnindexedFaces, rtypes.UnindexedFace{FaceDetail: &detail, Reasons: []rtypes.Reason{rtypes.ReasonExceedsMaxFaces}})
		default:
			face := rtypes.Face{FaceId: aws.String(uuid.NewString()), ImageId: aws.String(imageID), ExternalImageId: in.ExternalImageId, BoundingBox: detail.BoundingBox, Confidence: detail.Confidence}
			added = append(added, storedFace{Face: face, Descriptor: f.Descriptor})
			out.FaceRecords = append(out.FaceRecords, rtypes.FaceRecord{Face: &face, FaceDetail: &detail})
		}
	}
	if err := r.store(added); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *Rekognition) store(faces []storedFace) error {
	err := r.db.Update(func(tx *bolt.Tx) error {
		for _, f := range faces {
			v, err := json.Marshal(f)
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketVectors).Put([]byte(aws.ToString(f.Face.FaceId)), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range faces {
		id := aws.ToString(f.Face.FaceId)
		r.faces[id] = f
		r.gallery.Add(id, f.Descriptor)
	}
	return nil
}

// largestFace returns the largest face of img (its detection and
// descriptor) and the match threshold (default 80), as the searches need
// them; an image without a face gives InvalidParameterException, as in
// Rekognition.
func (r *Rekognition) largestFace(ctx context.Context, collectionID *string, img *rtypes.Image, threshold *float32) (faceengine.Detection, faceengine.Descriptor, float64, error) {
	im, err := r.image(ctx, collectionID, img)
	if err != nil {
		return faceengine.Detection{}, faceengine.Descriptor{}, 0, err
	}
	dets := r.engine.Detect(im.img)
	if len(dets) == 0 {
		return faceengine.Detection{}, faceengine.Descriptor{}, 0, invalidParameter("There are no faces in the image. Should be at least 1.")
	}
	desc, err := r.engine.Descriptor(im.img, dets[0])
	t := contract.DefaultFaceMatchThreshold
	if threshold != nil {
		t = float64(*threshold)
	}
	return dets[0], desc, t, err
}

// SearchFacesByImage searches the collection for the largest face of the
// image, like Rekognition: matches with Similarity ≥ FaceMatchThreshold
// (default 80), at most MaxFaces (all when unset), most similar first. An
// image without a face gives InvalidParameterException, as Rekognition does.
func (r *Rekognition) SearchFacesByImage(ctx context.Context, in *rekognition.SearchFacesByImageInput, _ ...func(*rekognition.Options)) (*rekognition.SearchFacesByImageOutput, error) {
	det, desc, threshold, err := r.largestFace(ctx, in.CollectionId, in.Image, in.FaceMatchThreshold)
	if err != nil {
		return nil, err
	}
	out := &rekognition.SearchFacesByImageOutput{
		SearchedFaceBoundingBox: box(det.BoundingBox),
		SearchedFaceConfidence:  aws.Float32(float32(det.Confidence)),
		FaceModelVersion:        aws.String("local-dlib-resnet-v1"),
		FaceMatches:             []rtypes.FaceMatch{},
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, m := range r.gallery.Search(desc, int(aws.ToInt32(in.MaxFaces)), threshold) {
		face := r.faces[m.ID].Face
		out.FaceMatches = append(out.FaceMatches, rtypes.FaceMatch{Face: &face, Similarity: aws.Float32(float32(m.Similarity))})
	}
	return out, nil
}

// DetectFaces returns the faces of the image with their boxes and
// confidence, largest first.
func (r *Rekognition) DetectFaces(ctx context.Context, in *rekognition.DetectFacesInput, _ ...func(*rekognition.Options)) (*rekognition.DetectFacesOutput, error) {
	im, err := r.image(ctx, nil, in.Image)
	if err != nil {
		return nil, err
	}
	out := &rekognition.DetectFacesOutput{FaceDetails: []rtypes.FaceDetail{}}
	for _, d := range r.engine.Detect(im.img) {
		out.FaceDetails = append(out.FaceDetails, rtypes.FaceDetail{BoundingBox: box(d.BoundingBox), Confidence: aws.Float32(float32(d.Confidence))})
	}
	return out, nil
}

// DeleteFaces removes faces from the collection and returns their FaceIds;
// as Rekognition does, faces associated with a user are refused
// (UnsuccessfulFaceDeletions, reason ASSOCIATED_TO_AN_EXISTING_USER) and
// FaceIds the collection does not hold are reported (reason
// FACE_NOT_FOUND).
func (r *Rekognition) DeleteFaces(_ context.Context, in *rekognition.DeleteFacesInput, _ ...func(*rekognition.Options)) (*rekognition.DeleteFacesOutput, error) {
	if aws.ToString(in.CollectionId) != r.collectionID {
		return nil, &rtypes.ResourceNotFoundException{Message: aws.String("The collection id: " + aws.ToString(in.CollectionId) + " does not exist")}
	}
	out := &rekognition.DeleteFacesOutput{DeletedFaces: []string{}}
	r.mu.Lock()
	defer r.mu.Unlock()
	var gone []string
	for _, id := range in.FaceIds {
		f, ok := r.faces[id]
		switch {
		case !ok:
			out.UnsuccessfulFaceDeletions = append(out.UnsuccessfulFaceDeletions, rtypes.UnsuccessfulFaceDeletion{
				FaceId: aws.String(id), Reasons: []rtypes.UnsuccessfulFaceDeletionReason{rtypes.UnsuccessfulFaceDeletionReasonFaceNotFound},
			})
		case f.Face.UserId != nil:
			out.UnsuccessfulFaceDeletions = append(out.UnsuccessfulFaceDeletions, rtypes.UnsuccessfulFaceDeletion{
				FaceId: aws.String(id), UserId: f.Face.UserId,
				Reasons: []rtypes.UnsuccessfulFaceDeletionReason{rtypes.UnsuccessfulFaceDeletionReasonAssociatedToAnExistingUser},
			})
		default:
			gone = append(gone, id)
		}
	}
	err := r.db.Update(func(tx *bolt.Tx) error {
		for _, id := range gone {
			if err := tx.Bucket(bucketVectors).Delete([]byte(id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range gone {
		delete(r.faces, id)
		r.gallery.Remove(id)
		out.DeletedFaces = append(out.DeletedFaces, id)
	}
	return out, nil
}
