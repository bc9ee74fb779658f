package handler

import (
	"bufio"
	"cmp"
	"container/heap"
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/awstest"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// The fault-injection tests of the index path run the real index handler
// behind a model of the Lambda SQS event source mapping, on loopback
// stand-ins whose Rekognition throttles and fails calls at random (seeded,
// so every run sees the same faults).

// fastRetries caps the backoff of IndexFaces's own retryer (the service
// gives that call a standard retryer that retries only throttling, with
// the SDK's default backoff of up to 20 s) at a millisecond, so that
// hundreds of throttled calls keep the test fast. The other calls use the
// client's retryer. Production code is unchanged.
type fastRetries struct{ service.Rekognition }

func (r fastRetries) IndexFaces(ctx context.Context, in *rekognition.IndexFacesInput, opts ...func(*rekognition.Options)) (*rekognition.IndexFacesOutput, error) {
	opts = append(opts, func(o *rekognition.Options) { o.Retryer = retry.AddWithMaxBackoffDelay(o.Retryer, time.Millisecond) })
	return r.Rekognition.IndexFaces(ctx, in, opts...)
}

// newFaultHarness is a harness whose clients retry as the SDK's standard
// retryer does (three attempts; the functions use the adaptive mode, which
// retries the same errors) without waiting, with fastRetries on IndexFaces.
func newFaultHarness(t *testing.T) *harness {
	t.Helper()
	rek := fastRetries{}
	return newHarnessOn(t, awstest.New(t, awstest.WithStandardRetryer()), func(p *servicetest.Parts) {
		rek.Rekognition = p.Rekognition
		p.Rekognition = rek
	})
}

// Settings of the construct's queue and event source mapping that the
// model uses.
const (
	// maxReceiveCount is the redrive policy's maxReceiveCount.
	maxReceiveCount = 5
	// batchSize is the event source mapping's BatchSize.
	batchSize = 10
	// visibilityTimeout is the queue's: 6 × the index function's default
	// timeout of 60 s.
	visibilityTimeout = 6 * 60 * time.Second
)

// sqsMessage is a message of the model's queues.
type sqsMessage struct {
	id, body  string
	receives  int           // ApproximateReceiveCount
	visibleAt time.Duration // on the model's clock
	seq       int           // order of the last push, which breaks ties of visibleAt
	at        int           // index in the queue's heap
}

// messageHeap orders the source queue's messages by visibility, then by
// push order, so that receiving takes the oldest visible first without
// sorting the whole queue (a backfill puts 100,000 messages in it).
type messageHeap []*sqsMessage

func (h messageHeap) Len() int { return len(h) }
func (h messageHeap) Less(i, j int) bool {
	if h[i].visibleAt != h[j].visibleAt {
		return h[i].visibleAt < h[j].visibleAt
	}
	return h[i].seq < h[j].seq
}
func (h messageHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].at, h[j].at = i, j
}
func (h *messageHeap) Push(x any) {
	m := x.(*sqsMessage)
	m.at = len(*h)
	*h = append(*h, m)
}
func (h *messageHeap) Pop() any {
	old := *h
	m := old[len(old)-1]
	*h = old[:len(old)-1]
	return m
}

// eventSource models an SQS standard queue with a redrive policy to a
// dead-letter queue, polled by a Lambda event source mapping with
// ReportBatchItemFailures, as the AWS documentation describes them:
//
//   - The mapping receives batches of up to batchSize visible messages and
//     invokes the function with them; each receive increments the message's
//     ApproximateReceiveCount and hides it for the visibility timeout
//     (SQS Developer Guide, "Amazon SQS visibility timeout").
//   - With ReportBatchItemFailures, the messages the function returns in
//     batchItemFailures stay in the queue and become visible again when
//     their visibility timeout ends; the others are deleted. A function
//     error, or a response naming an empty or unknown itemIdentifier,
//     fails the whole batch (Lambda Developer Guide, "Handling errors for
//     an SQS event source in Lambda", "Implementing partial batch
//     responses").
//   - A message received maxReceiveCount times that still fails is moved
//     to the dead-letter queue instead of being received again: SQS moves
//     it when its receive count would exceed maxReceiveCount (SQS
//     Developer Guide, "Using dead-letter queues in Amazon SQS").
//   - Standard queues deliver at least once: a deleted message's copy may
//     be delivered again (SQS Developer Guide, "Amazon SQS standard
//     queues", at-least-once delivery); the model redelivers a share
//     duplicates of deleted messages once.
//   - A redrive (StartMessageMoveTask without DestinationArn) moves every
//     dead-letter message back to its source queue as a message that has
//     not been received (SQS Developer Guide, "Configure a dead-letter
//     queue redrive").
//
// Time is a model clock, advanced by each invocation and to the next
// visibility; the function itself runs in real time with the Lambda
// timeout as its deadline.
type eventSource struct {
	t          *testing.T
	handle     func(context.Context, json.RawMessage) (*events.SQSEventResponse, error)
	rng        *rand.Rand
	duplicates float64 // share of deleted messages delivered again once

	now         time.Duration
	queue       messageHeap
	dlq         []*sqsMessage
	ids, pushes int
	invocations int
	// maxInvocations bounds Run, so that a queue that never drains fails
	// the test; default 10,000.
	maxInvocations int
	// clock, when set, is the model clock the function under test waits
	// on (its pacing): each invocation starts at the model's time, and the
	// model's time is the clock's when it returns.
	clock *modelClock
	// Receives counts every delivery of each message id; Failed counts
	// those that ended in a failure (batch item failure or batch error).
	Receives, Failed map[string]int
	// Duplicated lists the ids delivered again after their deletion.
	Duplicated []string
}

// newEventSource returns an empty queue whose mapping invokes h's index
// handler; a share duplicates of deleted messages is delivered again,
// chosen by a generator seeded with seed.
func newEventSource(t *testing.T, h *harness, seed uint64, duplicates float64) *eventSource {
	return &eventSource{t: t, handle: h.indexer.Handle, rng: rand.New(rand.NewPCG(seed, 1)), duplicates: duplicates,
		Receives: map[string]int{}, Failed: map[string]int{}}
}

// Send enqueues body as a new message and returns its id.
func (s *eventSource) Send(body []byte) string {
	return s.SendDelayed(body, 0)
}

// SendDelayed enqueues body as a new message visible after delay (SQS's
// DelaySeconds), from the model's time, or the clock's during an
// invocation, and returns its id.
func (s *eventSource) SendDelayed(body []byte, delay time.Duration) string {
	s.ids++
	now := s.now
	if s.clock != nil {
		now = max(now, s.clock.Elapsed())
	}
	m := &sqsMessage{id: fmt.Sprintf("msg-%04d", s.ids), body: string(body), visibleAt: now + delay}
	s.push(m)
	return m.id
}

// push adds m to the source queue.
func (s *eventSource) push(m *sqsMessage) {
	s.pushes++
	m.seq = s.pushes
	heap.Push(&s.queue, m)
}

// Redrive moves every dead-letter message back to the source queue, as
// new messages with the same bodies, and returns the new ids.
func (s *eventSource) Redrive() []string {
	var ids []string
	for _, m := range s.dlq {
		ids = append(ids, s.Send([]byte(m.body)))
	}
	s.dlq = nil
	return ids
}

// DeadLetters returns the bodies of the dead-letter queue's messages, by id.
func (s *eventSource) DeadLetters() map[string]string {
	out := map[string]string{}
	for _, m := range s.dlq {
		out[m.id] = m.body
	}
	return out
}

// Run polls until the source queue is empty.
func (s *eventSource) Run() {
	for len(s.queue) > 0 {
		if s.invocations > cmp.Or(s.maxInvocations, 10_000) {
			s.t.Fatal("the queue does not drain")
		}
		batch := s.receive()
		if len(batch) == 0 {
			if len(s.queue) == 0 {
				return // the last messages went to the dead-letter queue
			}
			s.now = s.queue[0].visibleAt
			continue
		}
		if s.clock != nil {
			s.clock.AdvanceTo(s.now)
			s.invoke(batch)
			s.now = max(s.now, s.clock.Elapsed())
			continue
		}
		s.invoke(batch)
		s.now += time.Second
	}
}

// receive takes up to batchSize visible messages, oldest visibility first,
// moving those already received maxReceiveCount times to the dead-letter
// queue.
func (s *eventSource) receive() []*sqsMessage {
	var batch []*sqsMessage
	for len(s.queue) > 0 && s.queue[0].visibleAt <= s.now && len(batch) < batchSize {
		m := heap.Pop(&s.queue).(*sqsMessage)
		if m.receives >= maxReceiveCount {
			s.dlq = append(s.dlq, m)
			continue
		}
		m.receives++
		m.visibleAt = s.now + visibilityTimeout
		s.Receives[m.id]++
		batch = append(batch, m)
	}
	for _, m := range batch {
		s.push(m) // in flight: hidden until its visibility timeout ends
	}
	return batch
}

// invoke runs the function on batch and settles its messages from the
// response.
func (s *eventSource) invoke(batch []*sqsMessage) {
	s.invocations++
	ev := events.SQSEvent{}
	for _, m := range batch {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId: m.id, Body: m.body, EventSource: "aws:sqs",
			Attributes: map[string]string{"ApproximateReceiveCount": strconv.Itoa(m.receives)},
		})
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		s.t.Fatal(err)
	}
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: fmt.Sprintf("inv-%d", s.invocations)})
	deadline := time.Now().Add(60 * time.Second) // the index function's default timeout
	if s.clock != nil {
		deadline = s.clock.Now().Add(60 * time.Second)
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	resp, err := s.handle(ctx, raw)
	cancel()
	failed := map[string]bool{}
	whole := err != nil
	if resp != nil {
		for _, f := range resp.BatchItemFailures {
			if !slices.ContainsFunc(batch, func(m *sqsMessage) bool { return m.id == f.ItemIdentifier }) {
				whole = true // empty or unknown itemIdentifier
			}
			failed[f.ItemIdentifier] = true
		}
	}
	for _, m := range batch {
		if whole || failed[m.id] {
			s.Failed[m.id]++
			continue // visible again at m.visibleAt
		}
		s.delete(m)
	}
}

// delete removes m from the queue; a share of deleted messages comes back
// once, as at-least-once delivery allows.
func (s *eventSource) delete(m *sqsMessage) {
	heap.Remove(&s.queue, m.at)
	if !slices.Contains(s.Duplicated, m.id) && s.rng.Float64() < s.duplicates {
		s.Duplicated = append(s.Duplicated, m.id)
		s.push(&sqsMessage{id: m.id, body: m.body, receives: m.receives, visibleAt: s.now + time.Second})
	}
}

// logRecord is a line of the handlers' JSON logs.
type logRecord map[string]any

// logRecords parses the harness's logs.
func logRecords(t *testing.T, h *harness) []logRecord {
	t.Helper()
	var out []logRecord
	sc := bufio.NewScanner(strings.NewReader(h.logs.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r logRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		out = append(out, r)
	}
	return out
}

// messageFailures returns the errors logged for each failed message, by
// message id.
func messageFailures(t *testing.T, h *harness) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, r := range logRecords(t, h) {
		if r["msg"] == "message failed; it will be retried" {
			id, _ := r["messageId"].(string)
			e, _ := r["err"].(string)
			out[id] = append(out[id], e)
		}
	}
	return out
}

// distinctImages stores n distinct PNG images under index/img-NNN.png,
// each with one face of its own identity, and returns their keys.
func distinctImages(t *testing.T, h *harness, n int) []string {
	t.Helper()
	var keys []string
	for i := range n {
		img := awstest.PNG(t, 96, 96, color.RGBA{R: uint8(i), G: uint8(i >> 8), B: 99, A: 255})
		h.env.Rek.SetFaces(img, servicetest.Face(fmt.Sprintf("person-%03d", i), 0.3, 0.2, 0.4, 0.5))
		key := fmt.Sprintf("index/img-%03d.png", i)
		h.env.PutObject(t, key, img, nil)
		keys = append(keys, key)
	}
	return keys
}

// keyOf returns the object key of an S3 notification body.
func keyOf(t *testing.T, body string) string {
	t.Helper()
	ev, err := decodeS3Event([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return ev.Records[0].S3.Object.URLDecodedKey
}

// imageState is what the collection and the table hold for one key.
type imageState struct {
	status                       string
	collectionFaces, itemsOfFace int
}

// once reports whether the key is indexed exactly as one run indexes it:
// status indexed, and one face in the collection and in the table.
func (st imageState) once() bool {
	return st.status == contract.StatusIndexed && st.collectionFaces == 1 && st.itemsOfFace == 1
}

// imageStates reads the collection and the table once and returns the
// state of each key of keys.
func imageStates(t *testing.T, h *harness, keys []string) map[string]imageState {
	t.Helper()
	byExternalID := map[string]string{}
	out := map[string]imageState{}
	for _, k := range keys {
		byExternalID[service.ExternalImageID(k)] = k
		out[k] = imageState{}
	}
	for _, f := range h.env.Rek.Faces() {
		if k, ok := byExternalID[f.ExternalImageID]; ok {
			st := out[k]
			st.collectionFaces++
			out[k] = st
		}
	}
	for _, it := range h.faceItems(t) {
		if k, ok := it["ObjectKey"].(string); ok {
			st := out[k]
			st.itemsOfFace++
			out[k] = st
		}
	}
	for _, it := range h.items(t, "IMAGE") {
		if k, ok := it["ObjectKey"].(string); ok {
			st := out[k]
			st.status, _ = it["Status"].(string)
			out[k] = st
		}
	}
	return out
}

// assertDeadLettersExplained checks that every dead-letter message was
// received maxReceiveCount times, failed each time, and that each failure
// was logged with its reason; it returns their keys.
func assertDeadLettersExplained(t *testing.T, h *harness, src *eventSource) map[string]bool {
	t.Helper()
	failures := messageFailures(t, h)
	keys := map[string]bool{}
	for id, body := range src.DeadLetters() {
		keys[keyOf(t, body)] = true
		if src.Receives[id] != maxReceiveCount || src.Failed[id] != maxReceiveCount {
			t.Errorf("dead-lettered %s was received %d times and failed %d times, want %d", id, src.Receives[id], src.Failed[id], maxReceiveCount)
		}
		reasons := failures[id]
		if len(reasons) != maxReceiveCount {
			t.Errorf("dead-lettered %s: %d failures logged, want %d", id, len(reasons), maxReceiveCount)
		}
		for _, r := range reasons {
			if !strings.Contains(r, contract.CodeThrottled) && !strings.Contains(r, contract.CodeUpstream) {
				t.Errorf("dead-lettered %s: logged reason %q is neither throttling nor a server error", id, r)
			}
		}
	}
	return keys
}

// TestIndexPath_faultInjection: distinct images go through the queue
// consumer while Rekognition throttles and fails calls at random. Every
// image ends indexed once or in the dead-letter queue with the reasons of
// its failures logged; none is lost or indexed twice, even with duplicate
// deliveries; every failed receive is logged, and the metrics count what
// happened. The first scenario is the issue's: 200 images, half of the
// calls throttled and 5% failed with HTTP 500, where the SDK's retries
// almost always win within five receives. The second throttles 90% of the
// calls so that some images exhaust their receives: the dead-letter path
// must be taken, not only allowed.
func TestIndexPath_faultInjection(t *testing.T) {
	for _, tc := range []struct {
		name              string
		images            int
		seed              uint64
		throttled, failed float64
		wantDead          bool
	}{
		{name: "half throttled, 5% failed", images: 200, seed: 5, throttled: 0.5, failed: 0.05},
		{name: "90% throttled", images: 20, seed: 6, throttled: 0.9, failed: 0.05, wantDead: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newFaultHarness(t)
			keys := distinctImages(t, h, tc.images)
			h.env.Rek.FailRandomly(tc.seed, tc.throttled, tc.failed)
			src := newEventSource(t, h, tc.seed, 0.02)
			for _, k := range keys {
				src.Send(s3Event(h.env.Bucket, "ObjectCreated:Put", k))
			}
			src.Run()

			dead := assertDeadLettersExplained(t, h, src)
			if tc.wantDead && len(dead) == 0 {
				t.Fatal("no image reached the dead-letter queue, so its path went untested (the fault stream changed: pick another seed)")
			}
			indexed := 0
			states := imageStates(t, h, keys)
			for _, k := range keys {
				st := states[k]
				switch {
				case st.once() && dead[k]:
					t.Errorf("%s is indexed and dead-lettered", k)
				case st.once():
					indexed++
				case !dead[k]:
					t.Errorf("%s was lost: not indexed once (%+v) and not in the dead-letter queue", k, st)
				}
			}
			if n := len(h.env.Rek.Faces()); n != indexed {
				t.Errorf("%d faces in the collection for %d indexed images", n, indexed)
			}

			// Every failed receive is logged with its reason, and is a
			// throttle or a server error of Rekognition's.
			failures := messageFailures(t, h)
			throttledRuns, failedReceives := 0, 0
			for id, n := range src.Failed {
				failedReceives += n
				if len(failures[id]) != n {
					t.Errorf("%s failed %d times, %d failures logged", id, n, len(failures[id]))
				}
				for _, r := range failures[id] {
					if strings.Contains(r, contract.CodeThrottled) {
						throttledRuns++
					}
				}
			}
			throttled, failed := h.env.Rek.RandomFaults()
			if throttled < tc.images/2 || failed == 0 || failedReceives == 0 {
				t.Errorf("the faults did not bite: %d calls throttled, %d failed, %d failed receives", throttled, failed, failedReceives)
			}
			if tc.images >= 100 && len(src.Duplicated) == 0 {
				t.Error("no message was delivered twice")
			}
			collection := map[string]string{"CollectionId": h.cfg.CollectionID}
			assertMetrics(t, emitted(t, h.metrics), collection, map[string]int{
				"FacesIndexed": indexed, "RekognitionThrottles": throttledRuns, "ImagesRejected": 0, "FacesNotIndexed": 0,
			})
			t.Logf("%d Rekognition calls throttled and %d failed; %d invocations, %d failed receives, %d duplicate deliveries; %d images indexed, %d dead-lettered",
				throttled, failed, src.invocations, failedReceives, len(src.Duplicated), indexed, len(dead))
		})
	}
}

// TestIndexPath_redriveIndexesOnce: while Rekognition throttles every
// call, all messages end in the dead-letter queue after maxReceiveCount
// receives, nothing indexed. Meanwhile some images are uploaded again and
// indexed through fresh notifications. Redriven once Rekognition only
// throttles half of the calls, every image ends indexed exactly once
// (the re-uploaded ones are unchanged), again with nothing lost.
func TestIndexPath_redriveIndexesOnce(t *testing.T) {
	h := newFaultHarness(t)
	keys := distinctImages(t, h, 30)
	h.env.Rek.FailRandomly(11, 1, 0) // an outage: every call throttled
	src := newEventSource(t, h, 11, 0)
	for _, k := range keys {
		src.Send(s3Event(h.env.Bucket, "ObjectCreated:Put", k))
	}
	src.Run()
	dead := assertDeadLettersExplained(t, h, src)
	if len(dead) != len(keys) || len(h.env.Rek.Faces()) != 0 {
		t.Fatalf("%d of %d images dead-lettered, %d faces indexed; want all dead-lettered, none indexed", len(dead), len(keys), len(h.env.Rek.Faces()))
	}
	if n, want := h.env.Rek.Calls("IndexFaces"), len(keys)*maxReceiveCount*3; n != want {
		t.Errorf("%d IndexFaces calls, want %d (3 attempts a receive)", n, want)
	}

	h.env.Rek.FailRandomly(12, 0.5, 0.05)
	for _, k := range keys[:5] { // uploaded again: S3 notifies again
		src.Send(s3Event(h.env.Bucket, "ObjectCreated:Put", k))
	}
	src.Run()
	h.metrics.Reset()
	for round := 1; len(src.DeadLetters()) > 0 || round == 1; round++ {
		if round > 3 {
			t.Fatalf("still %d dead letters after 3 redrives", len(src.DeadLetters()))
		}
		src.Redrive()
		src.Run()
		assertDeadLettersExplained(t, h, src)
	}
	for k, st := range imageStates(t, h, keys) {
		if !st.once() {
			t.Errorf("%s after the redrive: %+v, want indexed once", k, st)
		}
	}
	if n := len(h.env.Rek.Faces()); n != len(keys) {
		t.Errorf("%d faces in the collection for %d images", n, len(keys))
	}
	// Only the images not indexed before the redrive count as indexed by it.
	collection := map[string]string{"CollectionId": h.cfg.CollectionID}
	if got, _ := metricValues(emitted(t, h.metrics), "FacesIndexed", collection); got != len(keys)-5 {
		t.Errorf("FacesIndexed during the redrive = %d, want %d", got, len(keys)-5)
	}
}

// TestSearch_throttledAnswers429: while Rekognition throttles every call,
// POST /search answers 429 with Retry-After (after the SDK's retries);
// while it throttles half of them and fails 5%, every answer is a match, a
// 429 with Retry-After or a 502, and the metrics count the throttles.
func TestSearch_throttledAnswers429(t *testing.T) {
	h := newFaultHarness(t)
	keys := distinctImages(t, h, 1)
	src := newEventSource(t, h, 1, 0)
	src.Send(s3Event(h.env.Bucket, "ObjectCreated:Put", keys[0]))
	src.Run()
	img := awstest.PNG(t, 96, 96, color.RGBA{R: 0, G: 0, B: 99, A: 255})

	h.env.Rek.FailRandomly(21, 1, 0)
	h.metrics.Reset()
	var eb contract.ErrorBody
	resp := h.search(t, searchRequest(img, false, "image/png"), &eb)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Headers["Retry-After"] != "1" || eb.Error.Code != contract.CodeThrottled {
		t.Errorf("status %d, Retry-After %q, body %s; want 429, 1, THROTTLED", resp.StatusCode, resp.Headers["Retry-After"], resp.Body)
	}
	if n := h.env.Rek.Calls("SearchFacesByImage"); n != 3 {
		t.Errorf("%d SearchFacesByImage calls, want 3 (the SDK's attempts)", n)
	}
	collection := map[string]string{"CollectionId": h.cfg.CollectionID}
	assertMetrics(t, emitted(t, h.metrics), collection, map[string]int{"Searches": 1, "RekognitionThrottles": 1, "Matches": 0})

	h.env.Rek.FailRandomly(22, 0.5, 0.05)
	h.metrics.Reset()
	statuses := map[int]int{}
	for range 60 {
		var res contract.SearchResult
		resp := h.search(t, searchRequest(img, false, "image/png"), &res)
		statuses[resp.StatusCode]++
		switch resp.StatusCode {
		case http.StatusOK:
			if len(res.Faces) != 1 || len(res.Faces[0].Matches) != 1 {
				t.Errorf("answer without its match: %s", resp.Body)
			}
		case http.StatusTooManyRequests:
			if resp.Headers["Retry-After"] == "" {
				t.Error("429 without Retry-After")
			}
		case http.StatusBadGateway:
		default:
			t.Errorf("status %d: %s", resp.StatusCode, resp.Body)
		}
	}
	if statuses[http.StatusOK] == 0 || statuses[http.StatusTooManyRequests] == 0 {
		t.Errorf("statuses %v: want answers and throttles", statuses)
	}
	assertMetrics(t, emitted(t, h.metrics), collection, map[string]int{
		"Searches": 60, "Matches": statuses[http.StatusOK], "RekognitionThrottles": statuses[http.StatusTooManyRequests],
	})
	t.Logf("statuses under 50%% throttling and 5%% server errors: %v", statuses)
}
