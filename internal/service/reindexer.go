package service

import (
	"context"

	"github.com/facerec/facerec-cdk/contract"
)

// Reindexer starts and follows re-indexes: sending every stored image
// through the index path again. Deployed it is the Backfill state machine
// (handler's Step Functions reindexer); offline it is the local queue
// (offline.Local).
type Reindexer interface {
	// StartReindex starts a re-index and returns it (Status RUNNING).
	StartReindex(ctx context.Context) (*contract.Reindex, error)
	// ReindexProgress returns the progress of the re-index id; an *Error of
	// KindNotFound if there is none.
	ReindexProgress(ctx context.Context, id string) (*contract.Reindex, error)
}

// SetReindexer gives the service the Reindexer behind StartReindex and
// ReindexProgress. Call it before the service is used.
func (s *Service) SetReindexer(r Reindexer) { s.reindexer = r }

// StartReindex starts a re-index through the service's Reindexer. Errors:
// KindInternal if it has none, else the Reindexer's.
func (s *Service) StartReindex(ctx context.Context) (*contract.Reindex, error) {
	if s.reindexer == nil {
		return nil, newError(KindInternal, contract.CodeInternal, "re-index is not configured")
	}
	return s.reindexer.StartReindex(ctx)
}

// ReindexProgress returns the progress of the re-index id. Errors: KindBadRequest
// for an empty id, KindInternal if the service has no Reindexer, else the
// Reindexer's (KindNotFound for an unknown id).
func (s *Service) ReindexProgress(ctx context.Context, id string) (*contract.Reindex, error) {
	if id == "" {
		return nil, newError(KindBadRequest, contract.CodeInvalidParameter, "the re-index id is required")
	}
	if s.reindexer == nil {
		return nil, newError(KindInternal, contract.CodeInternal, "re-index is not configured")
	}
	return s.reindexer.ReindexProgress(ctx, id)
}

// ErrReindexNotFound returns the error of an unknown re-index id, for
// Reindexers.
func ErrReindexNotFound(id string) error {
	return newError(KindNotFound, contract.CodeNotFound, "no re-index %q", id)
}
