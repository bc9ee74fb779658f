package handler

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/lambdas/metrics"
)

// DeleteImage handles DELETE /index/{filename}: 200 with a
// contract.DeletedImage once the image is erased (service.DeleteImage:
// every version of its object and every delete marker, its faces, its
// item's name and hash), also for a filename that is not stored (zero
// counts); 400 for an invalid filename; 503 with Retry-After when
// Rekognition keeps refusing a delete (repeat the request to finish the
// erasure). The filename arrives percent-encoded, as in Status.
func (a *API) DeleteImage(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	ctx = withProxyRequestID(ctx, req)
	filename, err := filenameOf(req)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	res, err := a.svc.DeleteImage(ctx, filename)
	if err != nil {
		return a.fail(ctx, err), nil
	}
	a.log.InfoContext(ctx, "image erased", "key", res.Key, "deletedFaces", res.DeletedFaces, "deletedVersions", res.DeletedVersions)
	return a.respond(ctx, http.StatusOK, res, nil), nil
}

// filenameOf unescapes the percent-encoded filename path parameter.
func filenameOf(req events.APIGatewayProxyRequest) (string, error) {
	filename, err := url.PathUnescape(req.PathParameters[contract.FilenameParam])
	if err != nil {
		return "", &service.Error{Kind: service.KindBadRequest, Code: contract.CodeInvalidBody, Message: "invalid filename: bad percent-encoding"}
	}
	return filename, nil
}

// Sweeper is the handler of the sweep function, which an EventBridge
// schedule invokes: it runs service.Sweep and reports its counts as
// metrics (contract.MetricSweep*). Create it with NewSweeper.
type Sweeper struct {
	svc     *service.Service
	log     *slog.Logger
	metrics *metrics.Emitter
	now     func() time.Time
}

// NewSweeper returns the sweep handler over svc, logging to log, with
// opts (WithMetrics).
func NewSweeper(svc *service.Service, log *slog.Logger, opts ...Option) *Sweeper {
	return &Sweeper{svc: svc, log: log, metrics: emitterOf(svc, opts), now: time.Now}
}

// sweepMetrics are the metrics the sweeper reports.
func sweepMetrics() *metrics.Counts {
	return metrics.NewCounts(contract.MetricSweepFacesRemoved, contract.MetricSweepUsersRemoved,
		contract.MetricSweepPersonsRemoved, contract.MetricSweepAssociationsRetried)
}

// Handle runs one sweep; the event (EventBridge's "Scheduled Event") only
// triggers it. It returns the sweep's error, so that the invocation
// counts as failed (the next schedule runs it again); the counts of what
// it did before failing are reported all the same.
func (sw *Sweeper) Handle(ctx context.Context, _ events.EventBridgeEvent) error {
	return sw.Sweep(ctx, nil)
}

// Sweep runs service.Sweep now and reports its counts, and the counts of
// extra (metric name → count; offline, contract.MetricSweepItemsExpired),
// as one metrics document.
func (sw *Sweeper) Sweep(ctx context.Context, extra map[string]int) error {
	counts := sweepMetrics()
	res, err := sw.svc.Sweep(ctx, sw.now().UTC())
	counts.Add(contract.MetricSweepFacesRemoved, res.FacesRemoved)
	counts.Add(contract.MetricSweepUsersRemoved, res.UsersRemoved)
	counts.Add(contract.MetricSweepPersonsRemoved, res.PersonsRemoved)
	counts.Add(contract.MetricSweepAssociationsRetried, res.AssociationsRetried)
	for name, n := range extra {
		counts.Add(name, n)
	}
	emit(ctx, sw.log, sw.metrics, counts)
	if err != nil {
		sw.log.ErrorContext(ctx, "sweep failed; the next one runs it again", "err", err)
	}
	return err
}
