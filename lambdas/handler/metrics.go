package handler

import (
	"context"
	"io"
	"log/slog"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/lambdas/metrics"
)

// Option configures NewAPI, NewIndexer and Handlers.
type Option func(*options)

type options struct {
	metrics io.Writer
	requeue Requeue
}

// WithMetrics makes the handlers write, at the end of each invocation,
// their metrics as CloudWatch Embedded Metric Format lines to w (see
// package metrics): os.Stdout in Lambda, whose log group turns them into
// metrics. The index handler reports contract.MetricFacesIndexed,
// MetricFacesNotIndexed and MetricImagesRejected (also by reason) and
// MetricRekognitionThrottles; POST /search reports MetricSearches,
// MetricMatches and MetricRekognitionThrottles. Without it the handlers
// write no metrics.
func WithMetrics(w io.Writer) Option {
	return func(o *options) { o.metrics = w }
}

// emitterOf returns the metrics emitter the options ask for, nil for none.
func emitterOf(svc *service.Service, opts []Option) *metrics.Emitter {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.metrics == nil {
		return nil
	}
	return metrics.NewEmitter(o.metrics, svc.Config().CollectionID)
}

// emit writes counts with e (nothing if e is nil); a write that fails is
// logged, as metrics must not fail the invocation.
func emit(ctx context.Context, log *slog.Logger, e *metrics.Emitter, counts *metrics.Counts) {
	if err := e.Emit(counts); err != nil {
		log.WarnContext(ctx, "metrics not written", "err", err)
	}
}

// rekognitionThrottled reports whether err is Rekognition throttling the
// function after the SDK's retries.
func rekognitionThrottled(err error) bool {
	e := service.AsError(err)
	return e.Kind == service.KindThrottled && e.Service == "Rekognition"
}

// indexMetrics are the metrics the index handler reports.
func indexMetrics() *metrics.Counts {
	return metrics.NewCounts(contract.MetricFacesIndexed, contract.MetricFacesNotIndexed, contract.MetricImagesRejected, contract.MetricRekognitionThrottles, contract.MetricIndexRequeued)
}

// countRecord adds the outcome of reconciling one record to counts.
func countRecord(counts *metrics.Counts, res service.IndexResult, err error) {
	if err != nil {
		if rekognitionThrottled(err) {
			counts.Add(contract.MetricRekognitionThrottles, 1)
		}
		return
	}
	switch res.Outcome {
	case service.OutcomeIndexed:
		counts.Add(contract.MetricFacesIndexed, len(res.FaceIDs))
		counts.Add(contract.MetricFacesNotIndexed, len(res.UnindexedReasons))
		for _, reasons := range res.UnindexedReasons {
			for _, r := range reasons {
				counts.AddReason(contract.MetricFacesNotIndexed, r, 1)
			}
		}
	case service.OutcomeRejected:
		counts.Add(contract.MetricImagesRejected, 1)
		counts.AddReason(contract.MetricImagesRejected, res.ReasonCode, 1)
	}
}

// searchMetrics are the metrics POST /search reports.
func searchMetrics() *metrics.Counts {
	return metrics.NewCounts(contract.MetricSearches, contract.MetricMatches, contract.MetricRekognitionThrottles)
}

// countSearch adds the outcome of one search to counts: a search that
// reached AWS (it succeeded, or an AWS call failed) counts, with its
// matches (faces, or persons with by=person).
func countSearch(counts *metrics.Counts, res *contract.SearchResult, err error) {
	if err != nil {
		if service.AsError(err).Service != "" {
			counts.Add(contract.MetricSearches, 1)
		}
		if rekognitionThrottled(err) {
			counts.Add(contract.MetricRekognitionThrottles, 1)
		}
		return
	}
	counts.Add(contract.MetricSearches, 1)
	for _, f := range res.Faces {
		counts.Add(contract.MetricMatches, len(f.Matches)+len(f.Persons))
	}
}
