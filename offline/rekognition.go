package offline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

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

// FaceModelVersion is the FaceModelVersion the local Rekognition reports:
// faceengine's descriptors (dlib's ResNet), not one of Rekognition's models.
// It changes whenever the engine's descriptors of the same photo do (v2:
// the tiny face detector and landmark alignment replaced pigo and the pupil
// cascade), so that a data directory of an older engine is re-indexed.
const FaceModelVersion = "local-dlib-resnet-v2"

// Rekognition is the local stand-in for Amazon Rekognition's face
// collections: it implements the calls of service.Rekognition, and the
// rest of the collection API that the Rekognition protocol server
// (rekognitionapi.go) answers, with the same inputs, outputs and typed
// errors, over faceengine. It holds any number of collections, each its
// own namespace of faces and users; the service's collection is created
// when the database is opened. Collections are kept in the bbolt
// database, with their faces' descriptors loaded into one in-memory
// faceengine.Gallery per collection at start. It is safe for concurrent
// use.
type Rekognition struct {
	collectionID string // the service's collection, created at start
	engine       *faceengine.Engine
	objects      service.ObjectGetter
	db           *bolt.DB
	decodes      *decodeLimit

	// mu guards collections and the faces of each; the users live in the
	// database only.
	mu          sync.RWMutex
	collections map[string]*collection
}

var _ service.Rekognition = (*Rekognition)(nil)

// collection is one collection in memory.
type collection struct {
	meta    collectionMeta
	faces   map[string]storedFace // FaceId → face
	gallery *faceengine.Gallery
}

// collectionMeta is what the database keeps of a collection besides its
// faces and users (key metaKey of its bucket).
type collectionMeta struct {
	Created time.Time
}

// storedFace is a face of a collection as kept in the database.
type storedFace struct {
	Face       rtypes.Face
	Descriptor faceengine.Descriptor
}

// The database layout of the collections: bucketCollections holds one
// bucket per CollectionId, which holds metaKey (collectionMeta JSON) and
// the buckets collFaces (FaceId → storedFace JSON) and collUsers (UserId →
// the ClientRequestToken of the CreateUser that created it, or empty) and
// collDeletedUsers (UserId → the ClientRequestToken of the DeleteUser that
// deleted it, when it had one).
// Databases written before several collections existed kept the one
// collection in the top-level buckets legacyFaces and legacyUsers; open
// moves them into the service's collection.
var (
	bucketCollections = []byte("collections")
	metaKey           = []byte("meta")
	collFaces         = []byte("faces")
	collUsers         = []byte("users")
	collDeletedUsers  = []byte("deletedUsers")
	legacyFaces       = []byte("descriptors")
	legacyUsers       = []byte("users")
)

// newRekognition loads the collections of db, creating the collection
// collectionID (the service's) if it does not exist.
func newRekognition(collectionID string, engine *faceengine.Engine, objects service.ObjectGetter, db *bolt.DB) (*Rekognition, error) {
	r := &Rekognition{collectionID: collectionID, engine: engine, objects: objects, db: db, decodes: newDecodeLimit(), collections: map[string]*collection{}}
	err := db.Update(func(tx *bolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(bucketCollections)
		if err != nil {
			return err
		}
		if root.Bucket([]byte(collectionID)) == nil {
			if _, err := createCollectionBucket(root, collectionID, time.Now()); err != nil {
				return err
			}
		}
		if err := migrateLegacy(tx, root.Bucket([]byte(collectionID))); err != nil {
			return err
		}
		return root.ForEachBucket(func(id []byte) error {
			c, err := loadCollection(root.Bucket(id))
			if err != nil {
				return fmt.Errorf("collection %s: %w", id, err)
			}
			r.collections[string(id)] = c
			return nil
		})
	})
	return r, err
}

// createCollectionBucket adds the bucket of a new collection to root.
func createCollectionBucket(root *bolt.Bucket, id string, created time.Time) (*bolt.Bucket, error) {
	b, err := root.CreateBucket([]byte(id))
	if err != nil {
		return nil, err
	}
	for _, sub := range [][]byte{collFaces, collUsers, collDeletedUsers} {
		if _, err := b.CreateBucket(sub); err != nil {
			return nil, err
		}
	}
	meta, err := json.Marshal(collectionMeta{Created: created.UTC()})
	if err != nil {
		return nil, err
	}
	return b, b.Put(metaKey, meta)
}

// migrateLegacy moves the faces and users of a database of the
// one-collection layout into the collection bucket into, and removes the
// old buckets.
func migrateLegacy(tx *bolt.Tx, into *bolt.Bucket) error {
	for _, m := range []struct{ from, to []byte }{{legacyFaces, collFaces}, {legacyUsers, collUsers}} {
		old := tx.Bucket(m.from)
		if old == nil {
			continue
		}
		err := old.ForEach(func(k, v []byte) error { return into.Bucket(m.to).Put(k, v) })
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket(m.from); err != nil {
			return err
		}
	}
	return nil
}

// loadCollection reads a collection's bucket into memory.
func loadCollection(b *bolt.Bucket) (*collection, error) {
	c := &collection{faces: map[string]storedFace{}, gallery: new(faceengine.Gallery)}
	if err := json.Unmarshal(b.Get(metaKey), &c.meta); err != nil {
		return nil, err
	}
	err := b.Bucket(collFaces).ForEach(func(k, v []byte) error {
		var f storedFace
		if err := json.Unmarshal(v, &f); err != nil {
			return fmt.Errorf("face %s: %w", k, err)
		}
		c.faces[string(k)] = f
		c.gallery.Add(string(k), f.Descriptor)
		return nil
	})
	return c, err
}

// collectionBucket returns the database bucket of collection id, which
// exists while the collection is in r.collections.
func collectionBucket(tx *bolt.Tx, id string) *bolt.Bucket {
	return tx.Bucket(bucketCollections).Bucket([]byte(id))
}

// Len returns the number of faces in the service's collection.
func (r *Rekognition) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if c := r.collections[r.collectionID]; c != nil {
		return len(c.faces)
	}
	return 0
}

// collection returns the collection id after checking the id's pattern;
// a collection that does not exist is a ResourceNotFoundException, as in
// Rekognition. r.mu is held.
func (r *Rekognition) collection(id *string) (*collection, error) {
	if err := checkCollectionID(id); err != nil {
		return nil, err
	}
	c := r.collections[*id]
	if c == nil {
		return nil, &rtypes.ResourceNotFoundException{Message: aws.String("The collection id: " + *id + " does not exist")}
	}
	return c, nil
}

// errNoFace is Rekognition's answer to a search in an image without a face.
var errNoFace = invalidParameter("There are no faces in the image. Should be at least 1.")

// image returns the decoded image of in (its Bytes, or its S3Object, which
// must be in the local bucket, BucketName: else InvalidS3ObjectException),
// checking Rekognition's limits:
// 5 MB for bytes and 15 MB for S3 objects (ImageTooLargeException), JPEG
// or PNG (InvalidImageFormatException), at least 80×80 pixels
// (InvalidParameterException); and this server's: at most MaxImagePixels
// pixels (ImageTooLargeException). The image is decoded within the decode
// budget (waiting for it unless ctx holds a reservation) and scaled down
// to workPixels as it is decoded; faceImage keeps its full size.
func (r *Rekognition) image(ctx context.Context, in *rtypes.Image) (*faceImage, error) {
	if in == nil || (in.Bytes == nil) == (in.S3Object == nil) {
		return nil, invalidParameter("Image needs exactly one of Bytes and S3Object")
	}
	data, limit := in.Bytes, contract.MaxImageBytes
	if in.S3Object != nil {
		// The local bucket is the only one.
		out, err := r.objects.GetObject(ctx, &s3.GetObjectInput{Bucket: in.S3Object.Bucket, Key: in.S3Object.Name})
		if err == nil && aws.ToString(in.S3Object.Bucket) != BucketName {
			out.Body.Close()
			err = errors.New("not the local bucket")
		}
		if err != nil {
			return nil, &rtypes.InvalidS3ObjectException{Message: aws.String("Unable to get object metadata from S3. Check object key, region and/or access permissions.")}
		}
		defer out.Body.Close()
		if data, err = io.ReadAll(io.LimitReader(out.Body, int64(contract.MaxS3ImageBytes)+1)); err != nil {
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

// small reports whether a face is under contract.MinFaceDimension pixels
// wide or high, which the quality filters other than NONE leave out.
func (im *faceImage) small(d faceengine.Detection) bool {
	return d.BoundingBox.Width*float64(im.width) < contract.MinFaceDimension || d.BoundingBox.Height*float64(im.height) < contract.MinFaceDimension
}

func box(b faceengine.BoundingBox) *rtypes.BoundingBox {
	return &rtypes.BoundingBox{Left: aws.Float32(float32(b.Left)), Top: aws.Float32(float32(b.Top)), Width: aws.Float32(float32(b.Width)), Height: aws.Float32(float32(b.Height))}
}

// landmarks68 are the points of faceengine's 68 (Detection.Landmarks)
// that stand for the landmarks Rekognition returns with DEFAULT
// attributes; left and right are as seen in the image. An eye is the mean
// of its six points (Detection.LeftEye, RightEye).
var landmarks68 = []struct {
	typ    rtypes.LandmarkType
	points []int
}{
	{rtypes.LandmarkTypeEyeLeft, []int{36, 37, 38, 39, 40, 41}},
	{rtypes.LandmarkTypeEyeRight, []int{42, 43, 44, 45, 46, 47}},
	{rtypes.LandmarkTypeNose, []int{30}},
	{rtypes.LandmarkTypeMouthLeft, []int{48}},
	{rtypes.LandmarkTypeMouthRight, []int{54}},
}

// faceDetail is Rekognition's FaceDetail of a face detected in im, with
// what faceengine finds: the bounding box, the detection confidence, the
// landmarks of DEFAULT attributes (landmarks68; the engine's points, in
// pixels of the copy it was given, as ratios of that copy's size), the
// pose (roll, yaw, pitch in degrees; yaw and pitch are the engine's rough
// estimates) and the quality (brightness, sharpness, 0–100, the engine's
// own measures). Every operation that answers a FaceDetail builds it here.
func (im *faceImage) faceDetail(d faceengine.Detection) *rtypes.FaceDetail {
	b := im.img.Bounds()
	marks := make([]rtypes.Landmark, len(landmarks68))
	for i, l := range landmarks68 {
		var x, y float64
		for _, p := range l.points {
			x += d.Landmarks[p].X
			y += d.Landmarks[p].Y
		}
		n := float64(len(l.points))
		marks[i] = rtypes.Landmark{Type: l.typ,
			X: aws.Float32(float32((x/n - float64(b.Min.X)) / float64(b.Dx()))),
			Y: aws.Float32(float32((y/n - float64(b.Min.Y)) / float64(b.Dy())))}
	}
	return &rtypes.FaceDetail{
		BoundingBox: box(d.BoundingBox), Confidence: aws.Float32(float32(d.Confidence)), Landmarks: marks,
		Pose:    &rtypes.Pose{Roll: aws.Float32(float32(d.Pose.Roll)), Yaw: aws.Float32(float32(d.Pose.Yaw)), Pitch: aws.Float32(float32(d.Pose.Pitch))},
		Quality: &rtypes.ImageQuality{Brightness: aws.Float32(float32(d.Quality.Brightness)), Sharpness: aws.Float32(float32(d.Quality.Sharpness))},
	}
}

// IndexFaces detects the faces of the image, keeps up to MaxFaces of the
// largest (the others are UnindexedFaces with reason EXCEEDS_MAX_FACES;
// with a QualityFilter other than NONE, faces under
// contract.MinFaceDimension pixels are SMALL_BOUNDING_BOX), and adds them to
// the collection with new FaceIds.
func (r *Rekognition) IndexFaces(ctx context.Context, in *rekognition.IndexFacesInput, _ ...func(*rekognition.Options)) (*rekognition.IndexFacesOutput, error) {
	if err := check(
		checkCollectionID(in.CollectionId),
		checkPattern("ExternalImageId", in.ExternalImageId, externalImageIDPattern, maxIDLength, false),
		checkRange("MaxFaces", in.MaxFaces, 1, contract.MaxFacesLimit),
		checkQualityFilter(in.QualityFilter),
	); err != nil {
		return nil, err
	}
	if err := r.exists(in.CollectionId); err != nil {
		return nil, err
	}
	im, err := r.image(ctx, in.Image)
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
	out := &rekognition.IndexFacesOutput{FaceModelVersion: aws.String(FaceModelVersion), FaceRecords: []rtypes.FaceRecord{}, UnindexedFaces: []rtypes.UnindexedFace{}}
	imageID := uuid.NewString()
	var added []storedFace
	for _, f := range found {
		detail := im.faceDetail(f.Detection)
		switch {
		case im.small(f.Detection) && in.QualityFilter != rtypes.QualityFilterNone:
			out.UnindexedFaces = append(out.UnindexedFaces, rtypes.UnindexedFace{FaceDetail: detail, Reasons: []rtypes.Reason{rtypes.ReasonSmallBoundingBox}})
		case len(added) >= maxFaces:
			out.UnindexedFaces = append(out.UnindexedFaces, rtypes.UnindexedFace{FaceDetail: detail, Reasons: []rtypes.Reason{rtypes.ReasonExceedsMaxFaces}})
		default:
			face := rtypes.Face{FaceId: aws.String(uuid.NewString()), ImageId: aws.String(imageID), ExternalImageId: in.ExternalImageId,
				BoundingBox: detail.BoundingBox, Confidence: detail.Confidence, IndexFacesModelVersion: aws.String(FaceModelVersion)}
			added = append(added, storedFace{Face: face, Descriptor: f.Descriptor})
			out.FaceRecords = append(out.FaceRecords, rtypes.FaceRecord{Face: &face, FaceDetail: detail})
		}
	}
	if err := r.store(*in.CollectionId, added); err != nil {
		return nil, err
	}
	return out, nil
}

// exists checks that the collection id exists.
func (r *Rekognition) exists(id *string) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, err := r.collection(id)
	return err
}

// store adds faces to the collection id, in the database and in memory;
// a collection deleted meanwhile is a ResourceNotFoundException.
func (r *Rekognition) store(id string, faces []storedFace) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.collection(&id)
	if err != nil {
		return err
	}
	err = r.db.Update(func(tx *bolt.Tx) error { return putFaces(collectionBucket(tx, id), faces) })
	if err != nil {
		return err
	}
	for _, f := range faces {
		fid := aws.ToString(f.Face.FaceId)
		c.faces[fid] = f
		c.gallery.Add(fid, f.Descriptor)
	}
	return nil
}

// putFaces writes faces to a collection's bucket.
func putFaces(b *bolt.Bucket, faces []storedFace) error {
	for _, f := range faces {
		v, err := json.Marshal(f)
		if err != nil {
			return err
		}
		if err := b.Bucket(collFaces).Put([]byte(aws.ToString(f.Face.FaceId)), v); err != nil {
			return err
		}
	}
	return nil
}

// largestFace returns the decoded img, its largest face (its detection
// and descriptor), the other faces found, and the match threshold
// (default 80), as the searches need them; an image without a face gives
// InvalidParameterException, as in Rekognition.
func (r *Rekognition) largestFace(ctx context.Context, img *rtypes.Image, threshold *float32) (*faceImage, faceengine.Detection, faceengine.Descriptor, []faceengine.Detection, float64, error) {
	im, err := r.image(ctx, img)
	if err != nil {
		return nil, faceengine.Detection{}, faceengine.Descriptor{}, nil, 0, err
	}
	dets := r.engine.Detect(im.img)
	if len(dets) == 0 {
		return nil, faceengine.Detection{}, faceengine.Descriptor{}, nil, 0, errNoFace
	}
	desc, err := r.engine.Descriptor(im.img, dets[0])
	return im, dets[0], desc, dets[1:], thresholdOr(threshold), err
}

// thresholdOr is a similarity threshold, or Rekognition's default 80.
func thresholdOr(threshold *float32) float64 {
	if threshold != nil {
		return float64(*threshold)
	}
	return contract.DefaultFaceMatchThreshold
}

// SearchFacesByImage searches the collection for the largest face of the
// image, like Rekognition: matches with Similarity ≥ FaceMatchThreshold
// (default 80), at most MaxFaces (all when unset), most similar first. An
// image without a face gives InvalidParameterException, as Rekognition does.
func (r *Rekognition) SearchFacesByImage(ctx context.Context, in *rekognition.SearchFacesByImageInput, _ ...func(*rekognition.Options)) (*rekognition.SearchFacesByImageOutput, error) {
	if err := check(
		checkCollectionID(in.CollectionId),
		checkRange("MaxFaces", in.MaxFaces, 1, maxSearchResults),
		checkThreshold("FaceMatchThreshold", in.FaceMatchThreshold),
		checkQualityFilter(in.QualityFilter),
	); err != nil {
		return nil, err
	}
	if err := r.exists(in.CollectionId); err != nil {
		return nil, err
	}
	_, det, desc, _, threshold, err := r.largestFace(ctx, in.Image, in.FaceMatchThreshold)
	if err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, err := r.collection(in.CollectionId)
	if err != nil {
		return nil, err
	}
	return &rekognition.SearchFacesByImageOutput{
		SearchedFaceBoundingBox: box(det.BoundingBox),
		SearchedFaceConfidence:  aws.Float32(float32(det.Confidence)),
		FaceModelVersion:        aws.String(FaceModelVersion),
		FaceMatches:             c.matches(desc, "", int(aws.ToInt32(in.MaxFaces)), threshold),
	}, nil
}

// matches are the faces of c most similar to d, at least threshold
// similar, at most maxFaces (all when 0), most similar first, leaving out
// the face skip.
func (c *collection) matches(d faceengine.Descriptor, skip string, maxFaces int, threshold float64) []rtypes.FaceMatch {
	out := []rtypes.FaceMatch{}
	for _, m := range c.gallery.Search(d, 0, threshold) {
		if m.ID == skip {
			continue
		}
		if maxFaces > 0 && len(out) == maxFaces {
			break
		}
		face := c.faces[m.ID].Face
		out = append(out, rtypes.FaceMatch{Face: &face, Similarity: aws.Float32(float32(m.Similarity))})
	}
	return out
}

// DetectFaces returns the faces of the image with their details, largest
// first.
func (r *Rekognition) DetectFaces(ctx context.Context, in *rekognition.DetectFacesInput, _ ...func(*rekognition.Options)) (*rekognition.DetectFacesOutput, error) {
	im, err := r.image(ctx, in.Image)
	if err != nil {
		return nil, err
	}
	out := &rekognition.DetectFacesOutput{FaceDetails: []rtypes.FaceDetail{}}
	for _, d := range r.engine.Detect(im.img) {
		out.FaceDetails = append(out.FaceDetails, *im.faceDetail(d))
	}
	return out, nil
}

// DeleteFaces removes faces from the collection and returns their FaceIds;
// as Rekognition does, faces associated with a user are refused
// (UnsuccessfulFaceDeletions, reason ASSOCIATED_TO_AN_EXISTING_USER) and
// FaceIds the collection does not hold are reported (reason
// FACE_NOT_FOUND). It takes 1 to 4096 FaceIds.
func (r *Rekognition) DeleteFaces(_ context.Context, in *rekognition.DeleteFacesInput, _ ...func(*rekognition.Options)) (*rekognition.DeleteFacesOutput, error) {
	if err := check(checkCollectionID(in.CollectionId), checkFaceIDs(in.FaceIds, maxSearchResults)); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.collection(in.CollectionId)
	if err != nil {
		return nil, err
	}
	out := &rekognition.DeleteFacesOutput{DeletedFaces: []string{}}
	var gone []string
	for _, id := range in.FaceIds {
		f, ok := c.faces[id]
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
		case !slices.Contains(gone, id):
			gone = append(gone, id)
		}
	}
	err = r.db.Update(func(tx *bolt.Tx) error {
		b := collectionBucket(tx, *in.CollectionId).Bucket(collFaces)
		for _, id := range gone {
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range gone {
		delete(c.faces, id)
		c.gallery.Remove(id)
		out.DeletedFaces = append(out.DeletedFaces, id)
	}
	return out, nil
}

// sortedKeys returns the keys of m in order, for stable paging.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
