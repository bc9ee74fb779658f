package offline

import (
	"fmt"
	"strings"

	"github.com/facerec/facerec-cdk/contract"
)

// Reindex sends one message of contract.BackfillEventName per object under
// the image prefix of the local bucket to the local queue, as the
// construct's Backfill state machine does for the deployed bucket, and
// returns how many it sent. The queue's workers (Serve, Start) then
// reconcile every object: an image whose bytes and collection are
// unchanged costs no engine run, any other (stored without its
// notification, or recorded in another collection) is indexed. Sidecars
// that cannot be read are logged and skipped; the error is for a send that
// failed, after the messages sent before it.
func (l *Local) Reindex() (int, error) {
	cfg := l.svc.Config()
	objects, err := l.Objects.list()
	if err != nil {
		l.log.Error("unreadable objects not re-indexed", "err", err)
	}
	sent := 0
	for _, m := range objects {
		if !strings.HasPrefix(m.Key, cfg.ImagePrefix) {
			continue
		}
		if err := l.Queue.Send([]byte(contract.BackfillMessage(cfg.BucketName, m.Key))); err != nil {
			return sent, fmt.Errorf("re-index %q: %w", m.Key, err)
		}
		sent++
	}
	return sent, nil
}

// Pending returns how many messages sent to the queue are neither done nor
// dead-lettered.
func (q *Queue) Pending() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pending
}
