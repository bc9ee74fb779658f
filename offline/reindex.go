package offline

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// maxReindexes is how many re-indexes a Local remembers for
// GET /reindex/{reindexId}; the oldest is forgotten first.
const maxReindexes = 16

// reindexes are the re-indexes started in this process (StartReindex),
// by id, and their messages not yet settled. The queue tells them of
// each settled message (Queue.settled). A restarted server still
// processes the queued messages but no longer knows their re-index.
type reindexes struct {
	mu    sync.Mutex // taken inside the queue's lock, never around a queue call
	runs  map[string]*reindexRun
	order []string // ids, oldest first
	next  int
}

type reindexRun struct {
	total, failed int64
	waiting       map[string]bool // message ids not yet settled
	listed        bool            // every message is sent
}

// settled records that the queue's message id is done or dead-lettered.
func (r *reindexes) settled(id string, deadLettered bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, run := range r.runs {
		if run.waiting[id] {
			delete(run.waiting, id)
			if deadLettered {
				run.failed++
			}
			return
		}
	}
}

// Reindex sends one message of contract.BackfillEventName per object under
// the image prefix of the local bucket to the local queue, as the
// construct's Backfill state machine does for the deployed bucket, and
// returns how many it sent. The queue's workers (Serve, Start) then
// reconcile every object: an image whose bytes and collection are
// unchanged costs no engine run, any other (stored without its
// notification, or recorded in another collection, such as one of an
// earlier face model: see CollectionID) is indexed. Sidecars that cannot
// be read are logged and skipped; the error is for a send that failed,
// after the messages sent before it.
func (l *Local) Reindex() (int, error) {
	n, _, err := l.reindex()
	return n, err
}

// reindex is Reindex, recording the run under a new id.
func (l *Local) reindex() (int, string, error) {
	cfg := l.svc.Config()
	objects, err := l.Objects.list()
	if err != nil {
		l.log.Error("unreadable objects not re-indexed", "err", err)
	}
	r := &l.reindexes
	r.mu.Lock()
	r.next++
	id := "reindex-" + time.Now().UTC().Format("20060102T150405Z") + "-" + strconv.Itoa(r.next)
	run := &reindexRun{waiting: map[string]bool{}}
	if r.runs == nil {
		r.runs = map[string]*reindexRun{}
	}
	r.runs[id] = run
	r.order = append(r.order, id)
	if len(r.order) > maxReindexes {
		delete(r.runs, r.order[0])
		r.order = r.order[1:]
	}
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		run.listed = true
		r.mu.Unlock()
	}()
	sent := 0
	for _, m := range objects {
		if !strings.HasPrefix(m.Key, cfg.ImagePrefix) {
			continue
		}
		_, err := l.Queue.send([]byte(contract.BackfillMessage(cfg.BucketName, m.Key)), func(msg string) {
			r.mu.Lock()
			run.waiting[msg] = true
			run.total++
			r.mu.Unlock()
		})
		if err != nil {
			return sent, id, fmt.Errorf("re-index %q: %w", m.Key, err)
		}
		sent++
	}
	return sent, id, nil
}

// StartReindex is POST /reindex offline (service.Reindexer): it queues
// every stored image (Reindex) and answers the re-index's id and counts.
// The error is for a message that could not be queued.
func (l *Local) StartReindex(ctx context.Context) (*contract.Reindex, error) {
	_, id, err := l.reindex()
	if err != nil {
		return nil, err
	}
	return l.ReindexProgress(ctx, id)
}

// ReindexProgress is GET /reindex/{reindexId} offline (service.Reindexer): the
// images queued by the re-index id, those indexed (Succeeded),
// dead-lettered (Failed) and still queued (Pending); Status SUCCEEDED when
// none is pending and none failed, FAILED when some failed. Errors: not
// found for an id this process did not start (or has forgotten: it
// remembers the last 16).
func (l *Local) ReindexProgress(_ context.Context, id string) (*contract.Reindex, error) {
	r := &l.reindexes
	r.mu.Lock()
	defer r.mu.Unlock()
	run, ok := r.runs[id]
	if !ok {
		return nil, service.ErrReindexNotFound(id)
	}
	pending := int64(len(run.waiting))
	res := &contract.Reindex{ReindexID: id, Status: contract.ReindexRunning, Total: run.total,
		Succeeded: run.total - pending - run.failed, Failed: run.failed, Pending: pending}
	if run.listed && pending == 0 {
		res.Status = contract.ReindexSucceeded
		if run.failed > 0 {
			res.Status = contract.ReindexFailed
		}
	}
	return res, nil
}

// Pending returns how many messages sent to the queue are neither done nor
// dead-lettered.
func (q *Queue) Pending() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pending
}
