package service

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/facerec/facerec-cdk/contract"
)

// Rekognition is the subset of *rekognition.Client the service calls.
type Rekognition interface {
	IndexFaces(ctx context.Context, in *rekognition.IndexFacesInput, optFns ...func(*rekognition.Options)) (*rekognition.IndexFacesOutput, error)
	DeleteFaces(ctx context.Context, in *rekognition.DeleteFacesInput, optFns ...func(*rekognition.Options)) (*rekognition.DeleteFacesOutput, error)
	SearchFacesByImage(ctx context.Context, in *rekognition.SearchFacesByImageInput, optFns ...func(*rekognition.Options)) (*rekognition.SearchFacesByImageOutput, error)
	SearchFaces(ctx context.Context, in *rekognition.SearchFacesInput, optFns ...func(*rekognition.Options)) (*rekognition.SearchFacesOutput, error)
	DescribeCollection(ctx context.Context, in *rekognition.DescribeCollectionInput, optFns ...func(*rekognition.Options)) (*rekognition.DescribeCollectionOutput, error)
	DetectFaces(ctx context.Context, in *rekognition.DetectFacesInput, optFns ...func(*rekognition.Options)) (*rekognition.DetectFacesOutput, error)
	CompareFaces(ctx context.Context, in *rekognition.CompareFacesInput, optFns ...func(*rekognition.Options)) (*rekognition.CompareFacesOutput, error)
	CreateUser(ctx context.Context, in *rekognition.CreateUserInput, optFns ...func(*rekognition.Options)) (*rekognition.CreateUserOutput, error)
	AssociateFaces(ctx context.Context, in *rekognition.AssociateFacesInput, optFns ...func(*rekognition.Options)) (*rekognition.AssociateFacesOutput, error)
	DisassociateFaces(ctx context.Context, in *rekognition.DisassociateFacesInput, optFns ...func(*rekognition.Options)) (*rekognition.DisassociateFacesOutput, error)
	SearchUsersByImage(ctx context.Context, in *rekognition.SearchUsersByImageInput, optFns ...func(*rekognition.Options)) (*rekognition.SearchUsersByImageOutput, error)
	DeleteUser(ctx context.Context, in *rekognition.DeleteUserInput, optFns ...func(*rekognition.Options)) (*rekognition.DeleteUserOutput, error)
	// ListFaces pages through the collection's faces, for the sweeper.
	ListFaces(ctx context.Context, in *rekognition.ListFacesInput, optFns ...func(*rekognition.Options)) (*rekognition.ListFacesOutput, error)
}

// ObjectGetter is the subset of *s3.Client the service calls.
type ObjectGetter interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	// ListObjectVersions lists the versions and delete markers of the
	// versioned bucket, for erasure (s3.NewListObjectVersionsPaginator).
	ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, optFns ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
	// CopyObject copies an object onto itself with new metadata, for a
	// rename (MetadataDirective REPLACE).
	CopyObject(ctx context.Context, in *s3.CopyObjectInput, optFns ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
}

// FaceTable stores one FaceItem per indexed face and one ImageItem per
// image. Implementations return errors from AWS unchanged (the service maps
// them) and retry unprocessed batch work themselves.
type FaceTable interface {
	// GetImage returns the image item of bucket/key, or nil if there is
	// none. The read is strongly consistent.
	GetImage(ctx context.Context, bucket, key string) (*ImageItem, error)
	// FacesOfObject returns the face items stored for bucket/key. It reads
	// an index and may miss writes of the last second or so.
	FacesOfObject(ctx context.Context, bucket, key string) ([]FaceItem, error)
	// PutImage writes an image item if the stored one has Version
	// prevVersion (0: none stored), and returns ErrVersionConflict if not.
	PutImage(ctx context.Context, item ImageItem, prevVersion int) error
	// PutFaces creates or replaces face items.
	PutFaces(ctx context.Context, items []FaceItem) error
	// DeleteItems deletes items by their partition key (FaceId); unknown
	// ids are ignored.
	DeleteItems(ctx context.Context, ids []string) error
	// GetFaces returns the face items of the given FaceIds, keyed by FaceId;
	// unknown ids are absent from the map.
	GetFaces(ctx context.Context, faceIDs []string) (map[string]FaceItem, error)
	// GetFace returns the face item of faceID, or nil if there is none
	// (an image item's id is none).
	GetFace(ctx context.Context, faceID string) (*FaceItem, error)
	// ListFaces returns one page of face items, of person if it is not
	// empty, else of all, and the token of the next page ("" after the
	// last). token is "" for the first page or a token ListFaces returned;
	// one that does not decode gives ErrInvalidToken. A page holds at
	// most limit faces and may hold fewer (even none) while more follow
	// (DynamoDB reads limit items and keeps the face items among them).
	ListFaces(ctx context.Context, person string, limit int, token string) (faces []FaceItem, next string, err error)
	// ListPersons returns one page of person items and the token of the
	// next page, with the token and page conventions of ListFaces without
	// a person.
	ListPersons(ctx context.Context, limit int, token string) (persons []PersonItem, next string, err error)
	// PutPerson creates or replaces the person item of p.UserID.
	PutPerson(ctx context.Context, p PersonItem) error
	// ReplacePerson replaces the person item of p.UserID only if the
	// stored one's Person and Renaming are prev's; otherwise (another
	// name, another rename under way, or no item) it returns an error
	// wrapping ErrVersionConflict. Two renames of one person that start
	// together therefore cannot both pass their first write.
	ReplacePerson(ctx context.Context, p, prev PersonItem) error
	// GetPersons returns the person items of the given UserIds, keyed by
	// UserId; unknown ids are absent from the map. The read is strongly
	// consistent: it decides which user a name maps to (resolve).
	GetPersons(ctx context.Context, userIDs []string) (map[string]PersonItem, error)
	// DeletePerson deletes the person item of prev.UserID if it still
	// holds prev's Person and Renaming, or does nothing if there is none;
	// otherwise (a rename changed it, or it appeared) it returns an error
	// wrapping ErrVersionConflict. An unknown id is
	// ignored.
	DeletePerson(ctx context.Context, prev PersonItem) error
	// ImagesOfPerson returns the image items that name person (read on
	// PersonIndex, so it may miss writes of the last second or so).
	ImagesOfPerson(ctx context.Context, person string) ([]ImageItem, error)
	// ListImages returns one page of image items and the token of the
	// next page, with the token and page conventions of ListPersons.
	ListImages(ctx context.Context, limit int, token string) (images []ImageItem, next string, err error)
	// PutErasure writes an erasure record.
	PutErasure(ctx context.Context, rec ErasureRecord) error
	// GetSweepMarks returns when the sweeper first saw each of ids (sweep
	// mark ids, see SweepMarkID); ids without a mark are absent.
	GetSweepMarks(ctx context.Context, ids []string) (map[string]time.Time, error)
	// PutSweepMarks records that the sweeper first saw ids at seen; the
	// marks expire (AttrExpiresAt) at expires. Marks are deleted with
	// DeleteItems.
	PutSweepMarks(ctx context.Context, ids []string, seen, expires time.Time) error
	// GetAlias returns the UserId the alias item of person names, or ""
	// if person has none (see Service.Rename). The read is strongly
	// consistent, as GetPersons: the reconcile of a rename's copy must see
	// the alias the rename wrote, or it would index the image again.
	GetAlias(ctx context.Context, person string) (string, error)
	// PutAlias creates the alias item of person, naming userID, unless
	// one names another UserId: then it returns an error wrapping
	// ErrVersionConflict (one naming userID is left as it is).
	PutAlias(ctx context.Context, person, userID string) error
	// DeleteAlias deletes the alias item of person; none is ignored.
	DeleteAlias(ctx context.Context, person string) error
	// RelabelFaces sets the Person of the stored face item of each of
	// faces (carrying its new Person) only where that item still exists
	// and names from, and changes nothing else of it (faces may be stale
	// copies); the others are skipped without an error, so that a face a
	// concurrent run deleted or relabelled is never written back.
	RelabelFaces(ctx context.Context, faces []FaceItem, from string) error
	// CountImages returns the number of image items by Status
	// (contract.StatusIndexed, contract.StatusRejected, StatusRemoved),
	// reading the whole table.
	CountImages(ctx context.Context) (map[string]int, error)
}

// ErrInvalidToken is returned by FaceTable.ListFaces for a page token it
// did not issue.
var ErrInvalidToken = errors.New("invalid page token")

// FaceItem is the stored record of one indexed face.
type FaceItem struct {
	// FaceID is Rekognition's FaceId, the table's partition key.
	FaceID string
	// ImageID is Rekognition's ImageId of the IndexFaces call.
	ImageID string
	// ExternalImageID is the ExternalImageId given to IndexFaces.
	ExternalImageID string
	// BoundingBox locates the face in its image (ratios).
	BoundingBox contract.BoundingBox
	// Confidence is Rekognition's confidence (0-100) that this is a face.
	Confidence float64
	// Attributes are the landmarks, pose and quality of IndexFaces'
	// FaceDetail; empty for faces indexed before they were stored.
	Attributes contract.FaceAttributes
	// Bucket is the S3 bucket of the image.
	Bucket string
	// Key is the real S3 object key (not URL-encoded).
	Key string
	// ETag is the S3 ETag of the version indexed.
	ETag string
	// ContentSHA256 is the hex SHA-256 of the image bytes indexed.
	ContentSHA256 string
	// Person is the free-text name given at upload; may be empty.
	Person string
	// IndexedAt is when the run that indexed the face started (UTC).
	IndexedAt time.Time
	// CollectionID is the Rekognition CollectionId the face was indexed
	// into; "" for faces recorded before collections were recorded, which
	// are taken to be in the current one.
	CollectionID string
	// TargetVersion is the image item Version the run that indexed the
	// face meant to commit. A face is stale once the committed Version
	// reaches it without naming the face: no run that can still commit
	// targets a version that low.
	TargetVersion int
}

// StatusRemoved is the ImageItem.Status of the tombstone of a deleted
// object, besides the contract's StatusPending, StatusIndexed and
// StatusRejected: its faces are gone; the item keeps the key and Version
// so that commits stay ordered.
const StatusRemoved = "removed"

// ErrVersionConflict is returned by FaceTable.PutImage when the stored image
// item is not the version the caller read (another run committed first),
// and by PutAlias and ReplacePerson when the stored item is not the one
// the caller expects.
var ErrVersionConflict = errors.New("image item version conflict")

// ImageItem records what happened to one stored image.
type ImageItem struct {
	// Bucket and Key name the object.
	Bucket, Key string
	// ETag is the S3 ETag of the version processed.
	ETag string
	// ContentSHA256 is the hex SHA-256 of its bytes.
	ContentSHA256 string
	// Status is StatusIndexed, StatusRejected, StatusRemoved (a
	// tombstone) or contract.StatusPending: faces stored and recorded
	// but not yet associated with the image's person.
	Status string
	// Reason says why an image was rejected; empty otherwise.
	Reason string
	// FaceCount is the number of faces indexed.
	FaceCount int
	// UnindexedReasons lists Rekognition's reasons for faces it detected
	// but did not index (for example "LOW_SHARPNESS"), one entry per face.
	UnindexedReasons []string
	// FaceIDs are the FaceIds indexed from this version of the image.
	FaceIDs []string
	// Version counts the commits of this item (1 for the first); writes
	// are conditional on it (optimistic locking).
	Version int
	// RunID identifies the run that wrote the item, so that a run whose
	// write had an unknown outcome can tell whether it committed.
	RunID string
	// Person is the name given at upload; may be empty.
	Person string
	// IndexedAt is when the run that wrote the item started (UTC).
	IndexedAt time.Time
	// ExpiresAt is when the table may delete the item (its time to live,
	// contract.AttrExpiresAt); zero for none. Only tombstones expire.
	ExpiresAt time.Time
	// CollectionID is the Rekognition CollectionId the run that wrote the
	// item indexed into; "" for items written before collections were
	// recorded. An image whose item names another collection (or none)
	// is indexed again even if its bytes are unchanged: that is how a
	// re-index fills a new collection (see Service.Reconcile).
	CollectionID string
}

// PersonItem maps a person named at upload to its Rekognition user.
type PersonItem struct {
	// Person is the name given at upload.
	Person string
	// UserID is the Rekognition UserId of the person (see UserID).
	UserID string
	// Renaming is, while a rename of the person is unfinished, its other
	// name: the new one until the person item takes it, then the old one
	// (Rename); "" otherwise. Both names then map to the user (resolve),
	// and DeletePerson erases the images of both.
	Renaming string
}

// PersonItemID returns the partition key of the person item of userID.
func PersonItemID(userID string) string {
	return contract.PersonItemPrefix + userID
}

// AliasItemID returns the partition key of the alias item of person:
// contract.AliasItemPrefix and UserID(person).
func AliasItemID(person string) string {
	return contract.AliasItemPrefix + UserID(person)
}

// ImageItemID returns the partition key of the image item of bucket/key.
func ImageItemID(bucket, key string) string {
	return contract.ImageItemPrefix + bucket + "/" + key
}

// Service runs the index and search flows. Create it with New; it is safe
// for concurrent use.
type Service struct {
	cfg     contract.Config
	rek     Rekognition
	objects ObjectGetter
	table   FaceTable
	log     *slog.Logger
	now     func() time.Time
	// reindexer starts and follows re-indexes (SetReindexer); nil if
	// the service has none.
	reindexer Reindexer
	// linker makes the links of Download (SetImageLinker); nil if the
	// service has none.
	linker ImageLinker
}

// New returns a Service over the given parts. log receives structured
// events (never image bytes).
func New(cfg contract.Config, rek Rekognition, objects ObjectGetter, table FaceTable, log *slog.Logger) *Service {
	return &Service{cfg: cfg, rek: rek, objects: objects, table: table, log: log, now: func() time.Time { return time.Now().UTC() }}
}

// Config returns the configuration the service runs with.
func (s *Service) Config() contract.Config { return s.cfg }
