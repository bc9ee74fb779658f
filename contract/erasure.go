package contract

// Erasure and the sweeper: the numbers the functions, the offline server
// and the construct share.
//
// An image item whose object is gone becomes a tombstone that keeps only
// the key and the commit Version (so that late events stay ordered); it
// carries AttrExpiresAt, DynamoDB's time-to-live attribute, set
// TombstoneTTLDays after the removal. A tombstone must outlive every event
// that can still arrive for its key: a message stays at most
// QueueMaxRetentionDays in the queue and, moved to the dead-letter queue,
// at most as long again there, so TombstoneTTLDays is longer than both
// together.
const (
	// AttrExpiresAt is the table's time-to-live attribute (the
	// construct's TimeToLiveAttribute): a Number of seconds since the Unix
	// epoch after which DynamoDB deletes the item (DynamoDB developer
	// guide, "Time to Live"). Only tombstones and sweep marks carry it.
	AttrExpiresAt = "ExpiresAt"
	// QueueMaxRetentionDays is SQS's longest message retention, 14 days
	// (SQS quotas): the most any queue of the construct keeps a message.
	QueueMaxRetentionDays = 14
	// TombstoneTTLDays is how long a tombstone is kept: 30 days, more
	// than a message's longest stay in the queue and then in the
	// dead-letter queue (2 × QueueMaxRetentionDays).
	TombstoneTTLDays = 30

	// MaxIndexRunSeconds is the longest an index run can last: Lambda's
	// longest timeout, 900 s (Lambda quotas), whatever the construct's
	// IndexTimeout.
	MaxIndexRunSeconds = 900
	// IndexVisibilityFactor is the queue's visibility timeout in index
	// function timeouts (6, as AWS recommends for SQS event sources).
	IndexVisibilityFactor = 6
	// IndexMaxReceives is how often the queue delivers a message before
	// moving it to the dead-letter queue (5).
	IndexMaxReceives = 5
	// SweepGraceSeconds is how long the sweeper leaves a collection face
	// without a face item, or a person without faces, before removing
	// it: the longest time the index runs of one message can span, its
	// visibility timeout times its receives at the longest timeout
	// (IndexVisibilityFactor × MaxIndexRunSeconds × IndexMaxReceives =
	// 27,000 s, 7.5 h). A face is recorded seconds after IndexFaces
	// returns, so a face still unrecorded after that was left by a run
	// that crashed.
	SweepGraceSeconds = IndexVisibilityFactor * MaxIndexRunSeconds * IndexMaxReceives
	// SweepIntervalMinutes is how often the sweeper runs: the
	// construct's EventBridge schedule, and offline the timer (it also
	// runs at start).
	SweepIntervalMinutes = 60

	// ErasureItemPrefix starts the FaceId (partition key) of an erasure
	// record, followed by a random UUID.
	ErasureItemPrefix = "ERASURE#"
	// SweepMarkPrefix starts the FaceId of a sweep mark: the sweeper's
	// note of when it first saw a face without a record or a person
	// without faces ("SWEEP#face#<FaceId>", "SWEEP#person#<UserId>").
	SweepMarkPrefix = "SWEEP#"
)

// Metrics of the sweeper (in MetricsNamespace, dimension
// MetricsDimensionCollectionId, unit Count), one document per run.
const (
	// MetricSweepFacesRemoved counts collection faces without a face item
	// that the sweeper removed.
	MetricSweepFacesRemoved = "SweepFacesRemoved"
	// MetricSweepUsersRemoved counts Rekognition users the sweeper
	// removed because no face of theirs is recorded.
	MetricSweepUsersRemoved = "SweepUsersRemoved"
	// MetricSweepPersonsRemoved counts person items without faces that
	// the sweeper removed.
	MetricSweepPersonsRemoved = "SweepPersonsRemoved"
	// MetricSweepAssociationsRetried counts images left pending by a
	// failed association whose faces the sweeper associated.
	MetricSweepAssociationsRetried = "SweepAssociationsRetried"
	// MetricSweepItemsExpired counts expired items the sweeper dropped:
	// offline only, where no DynamoDB TTL runs.
	MetricSweepItemsExpired = "SweepItemsExpired"
)

// Erasure kinds, in ErasureRecord.Kind.
const (
	// ErasurePerson: DELETE /persons/{person}.
	ErasurePerson = "person"
	// ErasureFace: DELETE /faces/{faceId}.
	ErasureFace = "face"
	// ErasureImage: DELETE /index/{filename}.
	ErasureImage = "image"
)

// DeletedImage is the answer of DELETE /index/{filename}: the image is
// erased (every version of its object, its faces, its item's name and
// hash).
type DeletedImage struct {
	// Key is the object key erased.
	Key string `json:"key"`
	// DeletedFaces is the number of faces removed.
	DeletedFaces int `json:"deletedFaces"`
	// DeletedVersions is the number of object versions and delete
	// markers deleted (0 when nothing was stored).
	DeletedVersions int `json:"deletedVersions"`
}
