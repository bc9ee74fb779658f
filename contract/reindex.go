package contract

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// Settings of quota-aware indexing and of the backfill (bulk import and
// re-index), set by the construct on the index function.
const (
	// EnvIndexFacesPerSecond is the steady rate, in IndexFaces calls a
	// second, of one instance of the index function: the construct's
	// IndexFacesPerSecond divided by IndexMaxConcurrency, the most
	// instances the queue's event source runs at once. Unset: unpaced.
	EnvIndexFacesPerSecond = "INDEX_FACES_PER_SECOND"
	// EnvQueueURL is the URL of the index queue, to which the index
	// function sends a throttled message again, delayed, instead of
	// failing it. Unset: throttled messages fail and are redelivered.
	EnvQueueURL = "QUEUE_URL"
	// DefaultIndexFacesPerSecond is the default steady IndexFaces rate of
	// the whole service: 5, Rekognition's default quota for IndexFaces in
	// most regions (Amazon Rekognition developer guide, "Guidelines and
	// quotas in Amazon Rekognition", Default quotas; the Service Quotas
	// console lists the quota of each region and operation).
	DefaultIndexFacesPerSecond = 5.0
	// ThrottledDelaySeconds is the DelaySeconds of a throttled message sent
	// again (SQS allows 0 to 900): long enough for the paced instances to
	// catch up, short next to a backfill.
	ThrottledDelaySeconds = 60
	// BackfillEventName is the eventName of the ObjectCreated-shaped
	// messages a backfill sends for every object under the image prefix;
	// the index function reconciles them as any ObjectCreated:* event, so
	// unchanged images cost no IndexFaces call.
	BackfillEventName = "ObjectCreated:Backfill"
	// MetricIndexRequeued counts the messages of the index queue that the
	// index function sent again with a delay because every record was
	// throttled (see EnvQueueURL), in MetricsNamespace by CollectionId like
	// the other metrics: the pace of indexing, not failures.
	MetricIndexRequeued = "IndexRequeued"
)

// IndexFacesPerSecondFromEnv reads EnvIndexFacesPerSecond through getenv:
// 0 when unset, else a positive number, or an error naming the variable.
func IndexFacesPerSecondFromEnv(getenv func(string) string) (float64, error) {
	v := getenv(EnvIndexFacesPerSecond)
	if v == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0) {
		return 0, fmt.Errorf("%s must be a positive number, got %q", EnvIndexFacesPerSecond, v)
	}
	return f, nil
}

// BackfillMessage returns the body of the message a backfill sends for the
// object key of bucket: an S3 event notification with one record of
// BackfillEventName, the key URL-encoded (form encoding, as S3 encodes
// keys in notifications). The construct's state machine writes the same
// shape in JSONata.
func BackfillMessage(bucket, key string) string {
	type object struct {
		Key string `json:"key"`
	}
	type bucketName struct {
		Name string `json:"name"`
	}
	type s3 struct {
		Bucket bucketName `json:"bucket"`
		Object object     `json:"object"`
	}
	type record struct {
		EventVersion string `json:"eventVersion"`
		EventSource  string `json:"eventSource"`
		EventName    string `json:"eventName"`
		S3           s3     `json:"s3"`
	}
	b, _ := json.Marshal(struct {
		Records []record `json:"Records"`
	}{[]record{{"2.1", "aws:s3", BackfillEventName, s3{bucketName{bucket}, object{url.QueryEscape(key)}}}}})
	return string(b)
}
