package offline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"
)

// Queue is the local stand-in for the SQS queue between the bucket's
// notifications and the index function: messages are files in a directory
// until the handler has processed them, so nothing is lost when the server
// stops; a failed message is retried with exponential backoff and, after
// MaxReceives receives, moved to the dead-letter directory, as SQS's
// redrive policy does.
type Queue struct {
	dir, deadLetterDir string
	// handle processes one SQS event of one message; it reports failure
	// through BatchItemFailures or an error, as the index handler does.
	handle func(ctx context.Context, event json.RawMessage) (*events.SQSEventResponse, error)
	log    *slog.Logger

	// MaxReceives is how many times a message is tried before it is
	// dead-lettered. Default 5, like the construct's queue.
	MaxReceives int
	// Backoff is the wait before the first retry; it doubles each time.
	// Default 500 ms.
	Backoff time.Duration

	ready   chan *message
	mu      sync.Mutex
	pending int // messages sent and not yet done or dead-lettered
	idle    *sync.Cond
	wg      sync.WaitGroup
	// settled, when set, is told of every message sent in this process
	// that is done or dead-lettered (the re-index's progress).
	settled func(id string, deadLettered bool)
}

type message struct {
	ID       string          `json:"id"`
	Body     json.RawMessage `json:"body"`
	Receives int             `json:"receives"`
}

func newQueue(dir string, handle func(context.Context, json.RawMessage) (*events.SQSEventResponse, error), log *slog.Logger) (*Queue, error) {
	q := &Queue{dir: filepath.Join(dir, "queue"), deadLetterDir: filepath.Join(dir, "dead-letter"), handle: handle, log: log,
		MaxReceives: 5, Backoff: 500 * time.Millisecond, ready: make(chan *message, 1024)}
	q.idle = sync.NewCond(&q.mu)
	for _, d := range []string{q.dir, q.deadLetterDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// Send enqueues body (an S3 event notification) durably.
func (q *Queue) Send(body []byte) error {
	_, err := q.send(body, nil)
	return err
}

// send enqueues body as Send does and returns the message's id; before
// the message can be processed, it calls sent with that id (under the
// queue's lock, so sent must not call the queue).
func (q *Queue) send(body []byte, sent func(id string)) (string, error) {
	m := &message{ID: strconv.FormatInt(time.Now().UnixNano(), 10) + "-" + uuid.NewString()[:8], Body: body}
	if err := q.save(m); err != nil {
		return "", fmt.Errorf("enqueue: %w", err)
	}
	q.mu.Lock()
	q.pending++
	if sent != nil {
		sent(m.ID)
	}
	q.mu.Unlock()
	q.push(m)
	return m.ID, nil
}

func (q *Queue) push(m *message) {
	select {
	case q.ready <- m:
	default: // full: hand it over without blocking the sender
		go func() { q.ready <- m }()
	}
}

func (q *Queue) save(m *message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(q.dir, m.ID+".json"), b)
}

// Start reloads the messages left by an earlier run and starts workers
// goroutines that process messages until ctx ends. A message file that
// readMessage refuses (unreadable, not a message, or misnamed) is logged
// and moved to the dead-letter directory; the error is only for a queue
// directory that cannot be listed.
func (q *Queue) Start(ctx context.Context, workers int) error {
	entries, err := os.ReadDir(q.dir)
	if err != nil {
		return err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".json" {
			continue
		}
		m, err := q.readMessage(e.Name())
		if err != nil {
			q.log.Error("unreadable queued message dead-lettered", "file", e.Name(), "err", err)
			if err := os.Rename(filepath.Join(q.dir, e.Name()), filepath.Join(q.deadLetterDir, e.Name())); err != nil {
				q.log.Error("cannot dead-letter an unreadable message", "file", e.Name(), "err", err)
			}
			continue
		}
		q.mu.Lock()
		q.pending++
		q.mu.Unlock()
		q.push(m)
	}
	for range workers {
		q.wg.Add(1)
		go q.work(ctx)
	}
	return nil
}

// readMessage reads the message file name of the queue directory; its ID
// must be its name without ".json", as the queue settles it by that name.
func (q *Queue) readMessage(name string) (*message, error) {
	b, err := os.ReadFile(filepath.Join(q.dir, name))
	if err != nil {
		return nil, err
	}
	m := new(message)
	if err := json.Unmarshal(b, m); err != nil {
		return nil, err
	}
	if m.ID+".json" != name {
		return nil, fmt.Errorf("message id %q does not match its file name", m.ID)
	}
	return m, nil
}

// Wait blocks until the workers started by Start have returned (after ctx
// ended and the messages in hand were processed).
func (q *Queue) Wait() { q.wg.Wait() }

// Drain blocks until every sent message is done or dead-lettered, or ctx
// ends.
func (q *Queue) Drain(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.idle.Broadcast()
	})
	defer stop()
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.pending > 0 && ctx.Err() == nil {
		q.idle.Wait()
	}
	return ctx.Err()
}

func (q *Queue) work(ctx context.Context) {
	defer q.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-q.ready:
			q.process(ctx, m)
		}
	}
}

func (q *Queue) process(ctx context.Context, m *message) {
	m.Receives++
	ev := events.SQSEvent{Records: []events.SQSMessage{{
		MessageId: m.ID, Body: string(m.Body), EventSource: "aws:sqs",
		Attributes: map[string]string{"ApproximateReceiveCount": strconv.Itoa(m.Receives)},
	}}}
	raw, _ := json.Marshal(ev)
	resp, err := q.handle(ctx, raw)
	if err == nil && resp != nil && len(resp.BatchItemFailures) > 0 {
		err = errors.New("the index handler reported the message as failed")
	}
	switch {
	case err == nil:
		q.finish(m, os.Remove(filepath.Join(q.dir, m.ID+".json")), false)
	case m.Receives >= q.MaxReceives:
		q.log.Error("message dead-lettered", "messageId", m.ID, "receives", m.Receives, "err", err)
		q.finish(m, os.Rename(filepath.Join(q.dir, m.ID+".json"), filepath.Join(q.deadLetterDir, m.ID+".json")), true)
	default:
		if serr := q.save(m); serr != nil {
			q.log.Error("cannot record a receive", "messageId", m.ID, "err", serr)
		}
		wait := q.Backoff << (m.Receives - 1)
		q.log.Warn("message failed; retrying", "messageId", m.ID, "receives", m.Receives, "in", wait.String(), "err", err)
		time.AfterFunc(wait, func() { q.push(m) })
	}
}

func (q *Queue) finish(m *message, err error, deadLettered bool) {
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		q.log.Error("cannot settle a message", "messageId", m.ID, "err", err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.settled != nil {
		q.settled(m.ID, deadLettered)
	}
	q.pending--
	if q.pending == 0 {
		q.idle.Broadcast()
	}
}
