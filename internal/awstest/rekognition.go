package awstest

import (
	"github.com/google/uuid"

	"bytes"
	"cmp"
	"crypto/sha256"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/imageio"
)

// Similarities, in percent, that SearchFacesByImage reports between the
// searched face and a stored face.
const (
	// SameIdentitySimilarity is reported for faces of the same Identity.
	SameIdentitySimilarity float32 = 99.5
	// OtherIdentitySimilarity is reported for faces of different
	// identities: below the default FaceMatchThreshold (80).
	OtherIdentitySimilarity float32 = 12
)

// Values the Rekognition stand-in reports that tests may compare against.
const (
	// FaceModelVersion is the FaceModelVersion of every response.
	FaceModelVersion = "7.0"
	// DefaultFaceConfidence is the Confidence, in percent, reported for a
	// fixture Face whose Confidence is zero.
	DefaultFaceConfidence float32 = 99.99
	// AccountID is the account in the ARNs the stand-ins return.
	AccountID = "123456789012"
)

// Limits the Rekognition stand-in enforces that are not in the config package.
const (
	maxSearchMaxFaces   = 4096 // SearchFacesByImage MaxFaces: 1..4096
	maxListFacesResults = 4096 // ListFaces MaxResults: 1..4096
	defaultListFaces    = 1000 // ListFaces page size when MaxResults is unset
	maxDeleteFaces      = 4096 // DeleteFaces FaceIds: 1..4096 ids
	maxIDLength         = 255  // CollectionId, ExternalImageId: 1..255 characters
)

var (
	collectionIDPattern    = regexp.MustCompile(`^[a-zA-Z0-9_.\-]+$`)
	externalImageIDPattern = regexp.MustCompile(`^[a-zA-Z0-9_.\-:]+$`)
	faceIDPattern          = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	qualityFilters         = []string{"", "NONE", "AUTO", "LOW", "MEDIUM", "HIGH"}
)

// Face is a face the Rekognition stand-in "detects" in a fixture image.
type Face struct {
	// Identity is the person the face belongs to: SearchFacesByImage matches
	// faces of equal Identity with SameIdentitySimilarity and others with
	// OtherIdentitySimilarity.
	Identity string
	// BoundingBox locates the face as ratios (0 to 1) of the image width and
	// height; see Box. Nil members read as 0. The largest box (Width×Height)
	// is the face SearchFacesByImage searches.
	BoundingBox types.BoundingBox
	// Confidence is the detection confidence in percent; zero means
	// DefaultFaceConfidence.
	Confidence float32
	// Landmarks, Pose and Quality are reported in the face's FaceDetail
	// (IndexFaces, DetectFaces) when set.
	Landmarks []types.Landmark
	Pose      *types.Pose
	Quality   *types.ImageQuality
}

// StoredFace is a face indexed into a collection of the Rekognition stand-in.
type StoredFace struct {
	CollectionID    string            // the collection it was indexed into
	FaceID          string            // UUID-shaped, as Rekognition's FaceId
	ImageID         string            // UUID-shaped, one per IndexFaces call
	ExternalImageID string            // empty if IndexFaces had none
	Identity        string            // from the fixture Face
	BoundingBox     types.BoundingBox // ratios of the image, from the fixture Face
	Confidence      float32           // percent
	UserID          string            // the user it is associated with; empty if none
}

// Box returns a bounding box with the given position and size, each a ratio
// (0 to 1) of the image width or height.
func Box(left, top, width, height float32) types.BoundingBox {
	return types.BoundingBox{Left: &left, Top: &top, Width: &width, Height: &height}
}

// FakeRekognition is a stand-in for Amazon Rekognition's face collection
// API (awsJson1_1, X-Amz-Target RekognitionService.<Operation>) implementing
// CreateCollection, DescribeCollection, IndexFaces, SearchFacesByImage, SearchFaces, DetectFaces, DeleteFaces,
// ListFaces, CreateUser, AssociateFaces, DisassociateFaces, DeleteUser and
// SearchUsersByImage (a user's similarity is the best of its faces'). Which faces an image holds is decided by fixtures (SetFaces);
// an image without fixtures has no face, unless it is a crop of an image
// given to RecognizeCrops.
//
// It validates requests like the real service: CollectionId and
// ExternalImageId patterns and lengths, MaxFaces (1-100 for IndexFaces,
// 1-4096 for SearchFacesByImage), FaceMatchThreshold (0-100, default 80),
// QualityFilter, image size (ImageTooLargeException above 5 MB inline or
// 15 MB from S3), format (InvalidImageFormatException unless JPEG or PNG)
// and dimensions (InvalidParameterException below 80×80 pixels); an
// S3Object it cannot read is an InvalidS3ObjectException. Every fixture face
// passes every QualityFilter, and face details hold the fixture's
// BoundingBox, Confidence, Landmarks, Pose and Quality whatever attributes
// are asked for. ListFaces pages hold 1000
// faces unless MaxResults (1-4096) says otherwise. Users hold at most 100
// faces (ServiceQuotaExceededException beyond), and DeleteFaces refuses
// faces associated with a user (UnsuccessfulFaceDeletions, reason
// ASSOCIATED_TO_AN_EXISTING_USER) and reports FaceIds the collection does
// not hold (reason FACE_NOT_FOUND), as Rekognition does. CreateUser of an
// existing user is a ConflictException unless it repeats the
// ClientRequestToken of the call that created the user, which gets the
// same (successful) response.
//
// Its methods are safe for concurrent use.
type FakeRekognition struct {
	jsonService

	fetch       func(bucket, key string) ([]byte, error)
	fixtures    map[[sha256.Size]byte][]Face
	cropSources []*cropSource                // RecognizeCrops, in call order
	collections map[string][]StoredFace      // in indexing order
	users       map[string]map[string]string // collection id → its UserIds → the ClientRequestToken that created each
}

// cropSource is an image whose crops the stand-in recognizes.
type cropSource struct {
	sum [sha256.Size]byte // its fixtures' key
	img *image.RGBA       // decoded, EXIF orientation applied
}

// newFakeRekognition returns a stand-in without collections that reads
// Image.S3Object images through fetch.
func newFakeRekognition(fetch func(bucket, key string) ([]byte, error)) *FakeRekognition {
	f := &FakeRekognition{
		fetch:       fetch,
		fixtures:    map[[sha256.Size]byte][]Face{},
		collections: map[string][]StoredFace{},
		users:       map[string]map[string]string{},
	}
	f.jsonService = newJSONService("RekognitionService.", "application/x-amz-json-1.1", map[string]operation{
		"CreateCollection":   jsonOp(f.createCollection),
		"IndexFaces":         jsonOp(f.indexFaces),
		"SearchFacesByImage": jsonOp(f.searchFacesByImage),
		"SearchFaces":        jsonOp(f.searchFaces),
		"DescribeCollection": jsonOp(f.describeCollection),
		"DetectFaces":        jsonOp(f.detectFaces),
		"DeleteFaces":        jsonOp(f.deleteFaces),
		"ListFaces":          jsonOp(f.listFaces),
		"CreateUser":         jsonOp(f.createUser),
		"AssociateFaces":     jsonOp(f.associateFaces),
		"DisassociateFaces":  jsonOp(f.disassociateFaces),
		"DeleteUser":         jsonOp(f.deleteUser),
		"SearchUsersByImage": jsonOp(f.searchUsersByImage),
		"CompareFaces":       jsonOp(f.compareFaces),
	})
	return f
}

// SetFaces declares the faces in the image with exactly these bytes
// (identified by their SHA-256), replacing earlier fixtures for it. With no
// faces the image has none, like an image never declared.
func (f *FakeRekognition) SetFaces(image []byte, faces ...Face) {
	normalized := make([]Face, len(faces))
	for i, face := range faces {
		normalized[i] = Face{
			Identity:    face.Identity,
			BoundingBox: cloneBox(face.BoundingBox),
			Confidence:  cmp.Or(face.Confidence, DefaultFaceConfidence),
			Landmarks:   slices.Clone(face.Landmarks),
			Pose:        face.Pose,
			Quality:     face.Quality,
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fixtures[sha256.Sum256(image)] = normalized
}

// RecognizeCrops makes the stand-in recognize crops of image, as a search
// of every face of a photo sends them: an image without fixtures of its own
// whose pixels are a rectangle of image's holds the faces of image (as
// SetFaces declares them, now or later) whose boxes lie wholly inside that
// rectangle, with their boxes made relative to it. Both images are decoded
// with their EXIF orientation applied, as Rekognition does. The rectangle
// is found by comparing a 16×16 grid of pixels at every position where it
// contains a whole face box; the best position counts if its pixels differ
// by at most 12 levels (of 255) on average, which JPEG re-encoding stays
// under. It fails the test if image does not decode.
func (f *FakeRekognition) RecognizeCrops(tb testing.TB, image []byte) {
	tb.Helper()
	img, err := imageio.DecodeImage(image)
	if err != nil {
		tb.Fatalf("awstest: RecognizeCrops: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cropSources = append(f.cropSources, &cropSource{sum: sha256.Sum256(image), img: img})
}

// Faces returns the faces of every collection, ordered by collection id and
// then in the order they were indexed.
func (f *FakeRekognition) Faces() []StoredFace {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []StoredFace
	for _, id := range slices.Sorted(maps.Keys(f.collections)) {
		for _, s := range f.collections[id] {
			s.BoundingBox = cloneBox(s.BoundingBox)
			out = append(out, s)
		}
	}
	return out
}

// Users returns the UserIds of collection collectionID, sorted.
func (f *FakeRekognition) Users(collectionID string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.users[collectionID]))
}

// cloneBox returns a copy of b that shares no pointers with it, nil
// members read as 0.
func cloneBox(b types.BoundingBox) types.BoundingBox {
	return Box(aws.ToFloat32(b.Left), aws.ToFloat32(b.Top), aws.ToFloat32(b.Width), aws.ToFloat32(b.Height))
}

// Wire shapes of the Rekognition JSON protocol (members keep AWS's names).

type rekImage struct {
	Bytes    []byte
	S3Object *struct {
		Bucket  string
		Name    string
		Version string
	}
}

type faceDetail struct {
	BoundingBox types.BoundingBox
	Confidence  float32
	Landmarks   []types.Landmark    `json:",omitempty"`
	Pose        *types.Pose         `json:",omitempty"`
	Quality     *types.ImageQuality `json:",omitempty"`
}

type wireFace struct {
	FaceID                 string `json:"FaceId"`
	BoundingBox            types.BoundingBox
	ImageID                string `json:"ImageId"`
	ExternalImageID        string `json:"ExternalImageId,omitempty"`
	Confidence             float32
	IndexFacesModelVersion string
	UserID                 string `json:"UserId,omitempty"`
}

func (s StoredFace) wire() wireFace {
	return wireFace{
		FaceID:                 s.FaceID,
		BoundingBox:            s.BoundingBox,
		ImageID:                s.ImageID,
		ExternalImageID:        s.ExternalImageID,
		Confidence:             s.Confidence,
		IndexFacesModelVersion: FaceModelVersion,
		UserID:                 s.UserID,
	}
}

func (face Face) detail() faceDetail {
	return faceDetail{BoundingBox: face.BoundingBox, Confidence: face.Confidence, Landmarks: face.Landmarks, Pose: face.Pose, Quality: face.Quality}
}

type createCollectionRequest struct {
	CollectionID string `json:"CollectionId"`
}

func (f *FakeRekognition) createCollection(req *createCollectionRequest) (any, error) {
	if err := validateCollectionID(req.CollectionID); err != nil {
		return nil, err
	}
	if _, ok := f.collections[req.CollectionID]; ok {
		return nil, clientError("ResourceAlreadyExistsException", "The collection id: %s already exists", req.CollectionID)
	}
	f.collections[req.CollectionID] = nil
	return struct {
		CollectionArn    string
		FaceModelVersion string
		StatusCode       int
	}{
		CollectionArn:    fmt.Sprintf("arn:aws:rekognition:%s:%s:collection/%s", region, AccountID, req.CollectionID),
		FaceModelVersion: FaceModelVersion,
		StatusCode:       200,
	}, nil
}

type indexFacesRequest struct {
	CollectionID        string `json:"CollectionId"`
	Image               *rekImage
	ExternalImageID     *string `json:"ExternalImageId"`
	MaxFaces            *int
	QualityFilter       string
	DetectionAttributes []string // accepted; only BoundingBox and Confidence are reported
}

type faceRecord struct {
	Face       wireFace
	FaceDetail faceDetail
}

type unindexedFace struct {
	Reasons    []string
	FaceDetail faceDetail
}

// prepare does what IndexFaces, SearchFacesByImage and SearchUsersByImage
// check, in Rekognition's order: the parameter maxName (MaxFaces or
// MaxUsers) within 1..limit (limit when unset), the QualityFilter, the
// collection, then the image; it returns that maximum, the collection's
// faces and the image's faces.
func (f *FakeRekognition) prepare(collectionID, maxName string, maxParam *int, limit int, qualityFilter string, img *rekImage) (int, []StoredFace, []Face, error) {
	maxFaces, err := intParam(maxName, maxParam, limit, limit)
	if err != nil {
		return 0, nil, nil, err
	}
	if err := validateQualityFilter(qualityFilter); err != nil {
		return 0, nil, nil, err
	}
	stored, err := f.collection(collectionID)
	if err != nil {
		return 0, nil, nil, err
	}
	faces, err := f.detect(img)
	return maxFaces, stored, faces, err
}

func (f *FakeRekognition) indexFaces(req *indexFacesRequest) (any, error) {
	if err := validateCollectionID(req.CollectionID); err != nil {
		return nil, err
	}
	external := aws.ToString(req.ExternalImageID)
	if req.ExternalImageID != nil &&
		(len(external) > maxIDLength || !externalImageIDPattern.MatchString(external)) {
		return nil, clientError("InvalidParameterException",
			"ExternalImageId %q must match [a-zA-Z0-9_.\\-:]+ and have 1 to %d characters", external, maxIDLength)
	}
	maxFaces, stored, faces, err := f.prepare(req.CollectionID, "MaxFaces", req.MaxFaces, contract.MaxFacesLimit, req.QualityFilter, req.Image)
	if err != nil {
		return nil, err
	}
	faces = largestFirst(faces)
	imageID := uuid.NewString()
	resp := struct {
		FaceModelVersion string
		FaceRecords      []faceRecord
		UnindexedFaces   []unindexedFace
	}{FaceModelVersion: FaceModelVersion, FaceRecords: []faceRecord{}, UnindexedFaces: []unindexedFace{}}
	for i, face := range faces {
		if i >= maxFaces {
			resp.UnindexedFaces = append(resp.UnindexedFaces, unindexedFace{Reasons: []string{"EXCEEDS_MAX_FACES"}, FaceDetail: face.detail()})
			continue
		}
		s := StoredFace{
			CollectionID:    req.CollectionID,
			FaceID:          uuid.NewString(),
			ImageID:         imageID,
			ExternalImageID: external,
			Identity:        face.Identity,
			BoundingBox:     face.BoundingBox,
			Confidence:      face.Confidence,
		}
		stored = append(stored, s)
		resp.FaceRecords = append(resp.FaceRecords, faceRecord{Face: s.wire(), FaceDetail: face.detail()})
	}
	f.collections[req.CollectionID] = stored
	return resp, nil
}

type searchFacesByImageRequest struct {
	CollectionID       string `json:"CollectionId"`
	Image              *rekImage
	FaceMatchThreshold *float32
	MaxFaces           *int
	QualityFilter      string
}

type faceMatch struct {
	Similarity float32
	Face       wireFace
}

func (f *FakeRekognition) searchFacesByImage(req *searchFacesByImageRequest) (any, error) {
	if err := validateCollectionID(req.CollectionID); err != nil {
		return nil, err
	}
	threshold, err := thresholdParam("FaceMatchThreshold", req.FaceMatchThreshold)
	if err != nil {
		return nil, err
	}
	maxFaces, stored, faces, err := f.prepare(req.CollectionID, "MaxFaces", req.MaxFaces, maxSearchMaxFaces, req.QualityFilter, req.Image)
	if err != nil {
		return nil, err
	}
	searched, err := searchedFace(faces)
	if err != nil {
		return nil, err
	}
	matches := []faceMatch{}
	for _, s := range stored {
		similarity := OtherIdentitySimilarity
		if s.Identity == searched.Identity {
			similarity = SameIdentitySimilarity
		}
		if similarity >= threshold {
			matches = append(matches, faceMatch{Similarity: similarity, Face: s.wire()})
		}
	}
	slices.SortStableFunc(matches, func(a, b faceMatch) int { return cmp.Compare(b.Similarity, a.Similarity) })
	return struct {
		SearchedFaceBoundingBox types.BoundingBox
		SearchedFaceConfidence  float32
		FaceMatches             []faceMatch
		FaceModelVersion        string
	}{
		SearchedFaceBoundingBox: searched.BoundingBox,
		SearchedFaceConfidence:  searched.Confidence,
		FaceMatches:             matches[:min(len(matches), maxFaces)],
		FaceModelVersion:        FaceModelVersion,
	}, nil
}

type detectFacesRequest struct {
	Image      *rekImage
	Attributes []string // accepted; the fixture's BoundingBox, Confidence, Landmarks, Pose and Quality are reported
}

func (f *FakeRekognition) detectFaces(req *detectFacesRequest) (any, error) {
	faces, err := f.detect(req.Image)
	if err != nil {
		return nil, err
	}
	details := make([]faceDetail, len(faces))
	for i, face := range faces {
		details[i] = face.detail()
	}
	return struct{ FaceDetails []faceDetail }{details}, nil
}

type deleteFacesRequest struct {
	CollectionID string   `json:"CollectionId"`
	FaceIDs      []string `json:"FaceIds"`
}

func (f *FakeRekognition) deleteFaces(req *deleteFacesRequest) (any, error) {
	if err := validateCollectionID(req.CollectionID); err != nil {
		return nil, err
	}
	if n := len(req.FaceIDs); n < 1 || n > maxDeleteFaces {
		return nil, clientError("InvalidParameterException", "FaceIds must have 1 to %d members, got %d", maxDeleteFaces, n)
	}
	for _, id := range req.FaceIDs {
		if !faceIDPattern.MatchString(id) {
			return nil, clientError("InvalidParameterException", "FaceId %q is not a face id", id)
		}
	}
	stored, err := f.collection(req.CollectionID)
	if err != nil {
		return nil, err
	}
	resp := struct {
		DeletedFaces              []string
		UnsuccessfulFaceDeletions []unsuccessfulFace
	}{DeletedFaces: []string{}, UnsuccessfulFaceDeletions: []unsuccessfulFace{}}
	for _, id := range req.FaceIDs {
		i := slices.IndexFunc(stored, func(s StoredFace) bool { return s.FaceID == id })
		switch {
		case i < 0:
			resp.UnsuccessfulFaceDeletions = append(resp.UnsuccessfulFaceDeletions,
				unsuccessfulFace{FaceID: id, Reasons: []string{"FACE_NOT_FOUND"}})
		case stored[i].UserID != "":
			resp.UnsuccessfulFaceDeletions = append(resp.UnsuccessfulFaceDeletions,
				unsuccessfulFace{FaceID: id, UserID: stored[i].UserID, Reasons: []string{"ASSOCIATED_TO_AN_EXISTING_USER"}})
		default:
			stored = slices.Delete(stored, i, i+1)
			resp.DeletedFaces = append(resp.DeletedFaces, id)
		}
	}
	f.collections[req.CollectionID] = stored
	return resp, nil
}

type listFacesRequest struct {
	CollectionID string `json:"CollectionId"`
	MaxResults   *int
	NextToken    string
	// UserID, when set, lists only the faces associated with that user.
	UserID string `json:"UserId"`
}

// listFaces pages through the collection's faces (those of UserId, if
// given) in FaceId order; NextToken is the last FaceId of the previous
// page, so deleting faces between pages neither skips nor repeats any.
func (f *FakeRekognition) listFaces(req *listFacesRequest) (any, error) {
	if err := validateCollectionID(req.CollectionID); err != nil {
		return nil, err
	}
	size, err := intParam("MaxResults", req.MaxResults, maxListFacesResults, defaultListFaces)
	if err != nil {
		return nil, err
	}
	stored, err := f.collection(req.CollectionID)
	if err != nil {
		return nil, err
	}
	if req.UserID != "" {
		stored = slices.DeleteFunc(slices.Clone(stored), func(s StoredFace) bool { return s.UserID != req.UserID })
	}
	sorted := slices.SortedFunc(slices.Values(stored), func(a, b StoredFace) int { return strings.Compare(a.FaceID, b.FaceID) })
	start := sort.Search(len(sorted), func(i int) bool { return sorted[i].FaceID > req.NextToken })
	page := sorted[start:min(len(sorted), start+size)]
	resp := struct {
		Faces            []wireFace
		NextToken        string `json:",omitempty"`
		FaceModelVersion string
	}{Faces: []wireFace{}, FaceModelVersion: FaceModelVersion}
	for _, s := range page {
		resp.Faces = append(resp.Faces, s.wire())
	}
	if start+len(page) < len(sorted) {
		resp.NextToken = page[len(page)-1].FaceID
	}
	return resp, nil
}

// collection returns the faces of an existing collection.
func (f *FakeRekognition) collection(id string) ([]StoredFace, error) {
	stored, ok := f.collections[id]
	if !ok {
		return nil, clientError("ResourceNotFoundException", "The collection id: %s does not exist", id)
	}
	return stored, nil
}

// detect validates the image of a request and returns its fixture faces.
func (f *FakeRekognition) detect(img *rekImage) ([]Face, error) {
	var data []byte
	switch {
	case img == nil || (img.Bytes == nil) == (img.S3Object == nil):
		return nil, clientError("InvalidParameterException", "Image must have exactly one of Bytes and S3Object")
	case img.S3Object != nil:
		o := img.S3Object
		if o.Bucket == "" || o.Name == "" {
			return nil, clientError("InvalidParameterException", "S3Object must have a Bucket and a Name")
		}
		if o.Version != "" {
			return nil, clientError("InvalidParameterException", "awstest: S3Object.Version is not supported")
		}
		var err error
		if data, err = f.fetch(o.Bucket, o.Name); err != nil {
			return nil, clientError("InvalidS3ObjectException",
				"Unable to get object metadata from S3. Check object key, region and/or access permissions.")
		}
		if len(data) > contract.MaxS3ImageBytes {
			return nil, clientError("ImageTooLargeException", "Image size is too large (%d bytes from S3, at most %d).", len(data), contract.MaxS3ImageBytes)
		}
	default:
		data = img.Bytes
		if len(data) > contract.MaxImageBytes {
			return nil, clientError("ImageTooLargeException", "Image size is too large (%d bytes, at most %d).", len(data), contract.MaxImageBytes)
		}
	}
	if err := validateImage(data); err != nil {
		return nil, err
	}
	if faces, ok := f.fixtures[sha256.Sum256(data)]; ok {
		return faces, nil
	}
	return f.cropFaces(data), nil
}

// maxCropDiff is the largest mean absolute difference, in levels (0-255)
// per color channel, between a crop and the rectangle of its source that
// it is recognized as.
const maxCropDiff = 12

// cropGrid is the number of sample pixels per row and column compared to
// locate a crop.
const cropGrid = 16

// cropFaces returns the faces of data as a crop of a RecognizeCrops
// source (see there), or nil.
func (f *FakeRekognition) cropFaces(data []byte) []Face {
	if len(f.cropSources) == 0 {
		return nil
	}
	crop, err := imageio.DecodeImage(data)
	if err != nil {
		return nil
	}
	size := crop.Rect.Size()
	for _, src := range f.cropSources {
		faces := f.fixtures[src.sum]
		if at, ok := locateCrop(crop, src.img, faces); ok {
			return facesWithin(faces, src.img.Rect.Size(), image.Rectangle{Min: at, Max: at.Add(size)})
		}
	}
	return nil
}

// locateCrop returns where crop lies in img: of the positions at which it
// contains the whole pixel box of one of faces, the one whose cropGrid ×
// cropGrid sample pixels differ least from img's, if they differ by at
// most maxCropDiff on average.
func locateCrop(crop, img *image.RGBA, faces []Face) (image.Point, bool) {
	size, bounds := crop.Rect.Size(), img.Rect
	limit := maxCropDiff * cropGrid * cropGrid * 3
	best, bestAt := limit+1, image.Point{}
	for _, face := range faces {
		box := pixelBox(face.BoundingBox, bounds.Size())
		for y := max(0, box.Max.Y-size.Y); y <= min(box.Min.Y, bounds.Dy()-size.Y); y++ {
			for x := max(0, box.Max.X-size.X); x <= min(box.Min.X, bounds.Dx()-size.X); x++ {
				if d := gridDiff(crop, img, image.Pt(x, y), best); d < best {
					best, bestAt = d, image.Pt(x, y)
				}
			}
		}
	}
	return bestAt, best <= limit
}

// gridDiff sums the absolute differences of the color channels of crop's
// cropGrid × cropGrid sample pixels and of img's pixels under them with
// crop placed at at. It stops once the sum reaches stop.
func gridDiff(crop, img *image.RGBA, at image.Point, stop int) int {
	size := crop.Rect.Size()
	sum := 0
	for j := range cropGrid {
		y := j * (size.Y - 1) / (cropGrid - 1)
		for i := range cropGrid {
			x := i * (size.X - 1) / (cropGrid - 1)
			a, b := crop.Pix[crop.PixOffset(x, y):], img.Pix[img.PixOffset(at.X+x, at.Y+y):]
			for c := range 3 {
				sum += max(int(a[c])-int(b[c]), int(b[c])-int(a[c]))
			}
		}
		if sum >= stop {
			break
		}
	}
	return sum
}

// pixelBox returns the pixels covered by box in an image of size.
func pixelBox(box types.BoundingBox, size image.Point) image.Rectangle {
	l, t := float64(aws.ToFloat32(box.Left)), float64(aws.ToFloat32(box.Top))
	w, h := float64(aws.ToFloat32(box.Width)), float64(aws.ToFloat32(box.Height))
	return image.Rect(int(math.Floor(l*float64(size.X))), int(math.Floor(t*float64(size.Y))),
		int(math.Ceil((l+w)*float64(size.X))), int(math.Ceil((t+h)*float64(size.Y)))).Intersect(image.Rectangle{Max: size})
}

// facesWithin returns the faces, of an image of size, whose pixel boxes lie
// inside r, with boxes relative to r.
func facesWithin(faces []Face, size image.Point, r image.Rectangle) []Face {
	var out []Face
	for _, face := range faces {
		if !pixelBox(face.BoundingBox, size).In(r) {
			continue
		}
		b := face.BoundingBox
		rel := func(v *float32, origin, full, part int) float32 {
			return (aws.ToFloat32(v)*float32(full) - float32(origin)) / float32(part)
		}
		out = append(out, Face{
			Identity: face.Identity,
			BoundingBox: Box(rel(b.Left, r.Min.X, size.X, r.Dx()), rel(b.Top, r.Min.Y, size.Y, r.Dy()),
				rel(b.Width, 0, size.X, r.Dx()), rel(b.Height, 0, size.Y, r.Dy())),
			Confidence: face.Confidence,
		})
	}
	return out
}

// validateImage accepts JPEG and PNG images (by their magic bytes) that
// decode to at least contract.MinImageDimension pixels each way.
func validateImage(data []byte) error {
	var decodeConfig func(r *bytes.Reader) (image.Config, error)
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		decodeConfig = func(r *bytes.Reader) (image.Config, error) { return jpeg.DecodeConfig(r) }
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		decodeConfig = func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) }
	default:
		return clientError("InvalidImageFormatException", "Request has invalid image format")
	}
	c, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return clientError("InvalidImageFormatException", "Request has invalid image format")
	}
	if c.Width < contract.MinImageDimension || c.Height < contract.MinImageDimension {
		return clientError("InvalidParameterException", "Request has invalid parameters")
	}
	return nil
}

// thresholdParam returns the similarity threshold parameter name: 0 to
// 100, default 80.
func thresholdParam(name string, t *float32) (float32, error) {
	if t == nil {
		return float32(contract.DefaultFaceMatchThreshold), nil
	}
	if *t < 0 || *t > 100 {
		return 0, clientError("InvalidParameterException", "%s must be from 0 to 100, got %v", name, *t)
	}
	return *t, nil
}

// searchedFace returns the face a search looks at, the largest, or
// Rekognition's error for an image without a face.
func searchedFace(faces []Face) (Face, error) {
	if len(faces) == 0 {
		return Face{}, clientError("InvalidParameterException", "There are no faces in the image. Should be at least 1.")
	}
	return largestFirst(faces)[0], nil
}

func validateCollectionID(id string) error {
	if len(id) > maxIDLength || !collectionIDPattern.MatchString(id) {
		return clientError("InvalidParameterException",
			"CollectionId %q must match [a-zA-Z0-9_.\\-]+ and have 1 to %d characters", id, maxIDLength)
	}
	return nil
}

func validateQualityFilter(q string) error {
	if !slices.Contains(qualityFilters, q) {
		return clientError("InvalidParameterException", "QualityFilter %q is not one of NONE, AUTO, LOW, MEDIUM, HIGH", q)
	}
	return nil
}

// intParam returns *v, checked to be from 1 to hi, or def if v is nil.
func intParam(name string, v *int, hi, def int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v < 1 || *v > hi {
		return 0, clientError("InvalidParameterException", "%s must be from 1 to %d, got %d", name, hi, *v)
	}
	return *v, nil
}

// largestFirst returns the faces sorted by bounding box area, largest first;
// faces of equal area keep their order.
func largestFirst(faces []Face) []Face {
	area := func(f Face) float32 { return *f.BoundingBox.Width * *f.BoundingBox.Height }
	sorted := slices.Clone(faces)
	slices.SortStableFunc(sorted, func(a, b Face) int { return cmp.Compare(area(b), area(a)) })
	return sorted
}

type compareFacesRequest struct {
	SourceImage         *rekImage
	TargetImage         *rekImage
	SimilarityThreshold *float32
	QualityFilter       string
}

// compareFaces compares the largest fixture face of the source image with
// each fixture face of the target: SameIdentitySimilarity or
// OtherIdentitySimilarity, FaceMatches at or above SimilarityThreshold
// (default 80), most similar first, the others UnmatchedFaces. A source
// without a face is Rekognition's no-faces InvalidParameterException.
func (f *FakeRekognition) compareFaces(req *compareFacesRequest) (any, error) {
	threshold, err := thresholdParam("SimilarityThreshold", req.SimilarityThreshold)
	if err != nil {
		return nil, err
	}
	if err := validateQualityFilter(req.QualityFilter); err != nil {
		return nil, err
	}
	sources, err := f.detect(req.SourceImage)
	if err != nil {
		return nil, err
	}
	source, err := searchedFace(sources)
	if err != nil {
		return nil, err
	}
	targets, err := f.detect(req.TargetImage)
	if err != nil {
		return nil, err
	}
	type compareFacesMatch struct {
		Similarity float32
		Face       faceDetail
	}
	matches, unmatched := []compareFacesMatch{}, []faceDetail{}
	for _, t := range targets {
		similarity := OtherIdentitySimilarity
		if t.Identity == source.Identity {
			similarity = SameIdentitySimilarity
		}
		if similarity >= threshold {
			matches = append(matches, compareFacesMatch{Similarity: similarity, Face: t.detail()})
		} else {
			unmatched = append(unmatched, t.detail())
		}
	}
	slices.SortStableFunc(matches, func(a, b compareFacesMatch) int { return cmp.Compare(b.Similarity, a.Similarity) })
	return struct {
		SourceImageFace faceDetail
		FaceMatches     []compareFacesMatch
		UnmatchedFaces  []faceDetail
	}{SourceImageFace: faceDetail{BoundingBox: source.BoundingBox, Confidence: source.Confidence}, FaceMatches: matches, UnmatchedFaces: unmatched}, nil
}
