package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/lambdas/metrics"
)

// Indexer handles the index function's events: SQS messages whose bodies
// are S3 event notifications (the construct's wiring), and S3 events
// delivered directly (other wirings and local invokes). Every record of
// every ObjectCreated:* or ObjectRemoved:* event reconciles its object;
// s3:TestEvent messages are acknowledged and ignored.
type Indexer struct {
	svc     *service.Service
	log     *slog.Logger
	metrics *metrics.Emitter
	requeue Requeue
}

// NewIndexer returns an Indexer over svc, logging to log, with opts
// (WithMetrics).
func NewIndexer(svc *service.Service, log *slog.Logger, opts ...Option) *Indexer {
	return &Indexer{svc: svc, log: log, metrics: emitterOf(svc, opts), requeue: requeueOf(opts)}
}

// Handle is the index function's entry point. It accepts an SQS event or an
// S3 event as raw JSON. For SQS it returns *events.SQSEventResponse listing
// the messages that failed (for ReportBatchItemFailures), so only those are
// retried; for S3 it returns an error naming the records that failed, so
// the invocation is retried (reconciling is idempotent); an s3:TestEvent
// delivered directly is ignored, as inside SQS. The metrics of
// the whole event are written once, at the end.
func (ix *Indexer) Handle(ctx context.Context, raw json.RawMessage) (*events.SQSEventResponse, error) {
	counts := indexMetrics()
	defer emit(ctx, ix.log, ix.metrics, counts)
	var probe struct {
		Records []struct {
			EventSource string `json:"eventSource"`
		} `json:"Records"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("event is not JSON with Records: %w", err)
	}
	if len(probe.Records) > 0 && probe.Records[0].EventSource == "aws:sqs" {
		var ev events.SQSEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("decode SQS event: %w", err)
		}
		resp := ix.handleSQS(ctx, ev, counts)
		return &resp, nil
	}
	return nil, ix.message(ctx, string(raw), counts)
}

// deadlineMargin is the time HandleSQS keeps in hand before the Lambda
// deadline: enough for one image's S3 read, IndexFaces and table writes.
const deadlineMargin = 15 * time.Second

// cleanupMargin is the time left, after a message's AWS calls give up at
// the latest, for removing the faces of a failed run.
const cleanupMargin = 5 * time.Second

// HandleSQS reconciles the objects of every message and reports each
// message that failed, or that cannot be decoded, as a batch item failure;
// SQS then redelivers it and, after the queue's receive limit, moves it to
// the dead-letter queue. Other messages are unaffected.
//
// Messages are processed one after the other; when less than
// deadlineMargin is left before the invocation's deadline, the remaining
// messages are reported as failures without being started, so that a
// timeout never makes SQS redeliver the messages already done. It writes
// the event's metrics at the end.
func (ix *Indexer) HandleSQS(ctx context.Context, ev events.SQSEvent) events.SQSEventResponse {
	counts := indexMetrics()
	defer emit(ctx, ix.log, ix.metrics, counts)
	return ix.handleSQS(ctx, ev, counts)
}

// handleSQS is HandleSQS adding to counts.
func (ix *Indexer) handleSQS(ctx context.Context, ev events.SQSEvent, counts *metrics.Counts) events.SQSEventResponse {
	var resp events.SQSEventResponse
	deadline, hasDeadline := ctx.Deadline()
	for i, msg := range ev.Records {
		if hasDeadline && time.Until(deadline) < deadlineMargin {
			ix.log.WarnContext(ctx, "invocation deadline near; leaving messages for a retry", "left", len(ev.Records)-i)
			for _, m := range ev.Records[i:] {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			}
			break
		}
		id := msg.MessageId
		if inv := RequestID(ctx); inv != "" {
			id = inv + "/" + id
		}
		mctx := WithRequestID(ctx, id)
		cancel := func() {}
		if hasDeadline {
			// AWS calls give up before Lambda stops the function, so that
			// a failed run still removes the faces it indexed.
			mctx, cancel = context.WithDeadline(mctx, deadline.Add(-cleanupMargin))
		}
		err := ix.message(mctx, msg.Body, counts)
		if err != nil && ix.requeue != nil && throttledOnly(err) {
			// Pace, not failure: the message waits as a new one, its
			// receive count untouched, so it never reaches the
			// dead-letter queue for being throttled.
			rerr := ix.requeue(mctx, msg.Body, contract.ThrottledDelaySeconds*time.Second)
			if rerr == nil {
				ix.log.WarnContext(mctx, "message throttled; sent again with a delay", "messageId", msg.MessageId, "delaySeconds", contract.ThrottledDelaySeconds, "err", err)
				counts.Add(contract.MetricIndexRequeued, 1)
				cancel()
				continue
			}
			err = errors.Join(err, fmt.Errorf("send the throttled message again: %w", rerr))
		}
		cancel()
		if err != nil {
			ix.log.ErrorContext(mctx, "message failed; it will be retried", "messageId", msg.MessageId, "err", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp
}

// message handles one S3 notification, from an SQS message's body or
// delivered directly: an s3:TestEvent is ignored, an event's records are
// reconciled.
func (ix *Indexer) message(ctx context.Context, body string, counts *metrics.Counts) error {
	var test events.S3TestEvent
	if json.Unmarshal([]byte(body), &test) == nil && test.Event == "s3:TestEvent" {
		ix.log.InfoContext(ctx, "ignored s3:TestEvent", "bucket", test.Bucket)
		return nil
	}
	ev, err := decodeS3Event([]byte(body))
	if err != nil {
		return err
	}
	return ix.handleS3(ctx, ev, counts)
}

// handleS3 reconciles the object of every record, going on after a failed
// record, adds to counts, and returns an error naming the records that
// failed.
func (ix *Indexer) handleS3(ctx context.Context, ev events.S3Event, counts *metrics.Counts) error {
	var failed []string
	var errs []error
	for _, r := range ev.Records {
		if !strings.HasPrefix(r.EventName, "ObjectCreated:") && !strings.HasPrefix(r.EventName, "ObjectRemoved:") {
			ix.log.InfoContext(ctx, "ignored event", "eventName", r.EventName, "key", r.S3.Object.URLDecodedKey)
			continue
		}
		res, err := ix.svc.Reconcile(ctx, r.S3.Bucket.Name, r.S3.Object.URLDecodedKey)
		countRecord(counts, res, err)
		if err != nil {
			failed = append(failed, r.S3.Object.URLDecodedKey)
			errs = append(errs, err)
			continue
		}
		ix.log.InfoContext(ctx, "record done", "eventName", r.EventName, "bucket", res.Bucket, "key", res.Key, "outcome", res.Outcome, "faces", len(res.FaceIDs))
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d records failed (keys %q): %w", len(failed), len(ev.Records), failed, errors.Join(errs...))
	}
	return nil
}

// decodeS3Event decodes an S3 event notification. Keys arrive URL-encoded
// form-style ("+" for a space); events.S3Object decodes them into
// URLDecodedKey and fails on a malformed escape, which is reported.
func decodeS3Event(b []byte) (events.S3Event, error) {
	var ev events.S3Event
	if err := json.Unmarshal(b, &ev); err != nil {
		return ev, fmt.Errorf("decode S3 event: %w", err)
	}
	if len(ev.Records) == 0 {
		return ev, errors.New("S3 event without records")
	}
	return ev, nil
}

// Requeue sends body to the index queue again as a new message, visible
// after delay (SQS SendMessage with DelaySeconds; the local queue offline).
type Requeue func(ctx context.Context, body string, delay time.Duration) error

// WithRequeue makes the index handler send a message whose every record
// was throttled (service.KindThrottled, after the SDK's retries or the
// pacing of IndexFaces) to the queue again with requeue, delayed by
// contract.ThrottledDelaySeconds, and acknowledge it, instead of reporting
// it failed: waiting for the pace then consumes none of its receives. If
// the send fails, the message fails as any other.
func WithRequeue(requeue Requeue) Option {
	return func(o *options) { o.requeue = requeue }
}

// requeueOf returns the Requeue the options give, nil for none.
func requeueOf(opts []Option) Requeue {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o.requeue
}

// throttledOnly reports whether err, and every error joined in it, is
// service.KindThrottled.
func throttledOnly(err error) bool {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			if !throttledOnly(e) {
				return false
			}
		}
		return len(joined.Unwrap()) > 0
	}
	return service.AsError(err).Kind == service.KindThrottled
}
