package offline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	bolt "go.etcd.io/bbolt"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/faceengine"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

// Local names of the stand-ins' resources.
const (
	// CollectionID is the local collection's CollectionId.
	CollectionID = "facerec-local"
	// BucketName is the local bucket's name in S3 events and records.
	BucketName = "facerec-local"
)

// Options configure Open.
type Options struct {
	// DataDir holds the objects, the database and the queue. Required.
	DataDir string
	// ModelDir holds face-api FaceRecognitionNet weights to load instead
	// of the model embedded in faceengine; "" (the default) uses the
	// embedded model.
	ModelDir string
	// APIKey, when set, is required in x-api-key, as the deployed API
	// requires its key.
	APIKey string
	// Credentials, when their AccessKeyID is set, is the key pair whose
	// AWS Signature Version 4 every request of the Rekognition protocol
	// must carry (see verifySigV4); unset, any signature, or none, is
	// accepted.
	Credentials aws.Credentials
	// Log receives the JSON logs of the handlers and the server, and the
	// handlers' metrics (see metricsLog); default stderr, at LogLevel.
	Log *slog.Logger
	// LogLevel is the least level the default Log writes (`facerec serve
	// --log-level`); the zero value is slog.LevelInfo. Unused with Log.
	LogLevel slog.Level
}

// Local is the face service on local parts. Open it, then Serve or use its
// parts; Close it to release the database. Start does all three: it opens
// a Local and serves it in the background until stopped.
type Local struct {
	// Handlers are the API functions' handlers on the local parts, by
	// contract.Function name (handler.Handlers); the server routes the
	// routes of contract.Functions to them.
	Handlers map[string]handler.ProxyHandler
	// Indexer is the index function's handler on the local parts; the
	// Queue's workers call it with one message per SQS event.
	Indexer *handler.Indexer
	// Objects stands in for the bucket (BucketName), in DataDir/objects.
	Objects *Objects
	// Table stands in for the DynamoDB table, in DataDir/facerec.db.
	Table *Table
	// Rekognition stands in for Rekognition's collections, in
	// DataDir/facerec.db: the service's (CollectionID) and any others
	// created on the Rekognition protocol, which the server also answers
	// (POST / with X-Amz-Target RekognitionService.<Operation>).
	Rekognition *Rekognition
	// Queue stands in for the SQS queue between the bucket's
	// notifications and Indexer, in DataDir/queue and
	// DataDir/dead-letter; Serve runs its workers.
	Queue *Queue
	// Sweeper is the sweep function's handler on the local parts; Serve
	// runs it (Sweep) at start and every contract.SweepIntervalMinutes.
	Sweeper *handler.Sweeper

	svc    *service.Service
	db     *bolt.DB
	apiKey string
	log    *slog.Logger

	reindexes      reindexes                // the re-indexes started (StartReindex)
	credentials    aws.Credentials          // Options.Credentials
	rekognitionOps map[string]rekognitionOp // the Rekognition protocol's operations on Rekognition
	downloadKey    []byte                   // signs the links of GET /images/{filename} (LinkImage)
}

// Open opens the data directory (creating it if needed) and loads the
// face engine. The configuration is the construct's defaults with the
// local collection and bucket. The data directory is for one process at a
// time: while another holds it, Open fails after a second with an error
// saying so.
func Open(opts Options) (*Local, error) {
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, err
	}
	db, err := openDB(filepath.Join(opts.DataDir, "facerec.db"))
	if err != nil {
		return nil, err
	}
	engine, err := faceengine.New(opts.ModelDir)
	if err != nil {
		db.Close()
		return nil, err
	}
	l, err := assemble(opts, db, engine)
	if err != nil {
		db.Close()
		return nil, err
	}
	return l, nil
}

// assemble builds the local parts in opts.DataDir around the open
// database db and the loaded engine; opts.ModelDir is not used.
func assemble(opts Options, db *bolt.DB, engine *faceengine.Engine) (*Local, error) {
	log := opts.Log
	if log == nil {
		log = handler.NewLevelLogger(os.Stderr, opts.LogLevel)
	}
	objects, err := newObjects(filepath.Join(opts.DataDir, "objects"))
	if err != nil {
		return nil, err
	}
	rek, err := newRekognition(CollectionID, engine, objects, db)
	if err != nil {
		return nil, err
	}
	cfg, err := contract.FromEnv(func(k string) string {
		return map[string]string{
			contract.EnvCollectionID: CollectionID,
			contract.EnvTableName:    "local",
			contract.EnvBucketName:   BucketName,
			contract.EnvImagePrefix:  contract.DefaultImagePrefix,
		}[k]
	})
	if err != nil {
		return nil, err
	}
	cfg.MaxDecodedPixels = MaxImagePixels // a search of all faces decodes the photo again, in full
	table := &Table{db: db}
	stale, err := recordFaceModelVersion(db, FaceModelVersion)
	if err != nil {
		return nil, fmt.Errorf("record the face model: %w", err)
	}
	if stale > 0 {
		log.Warn("images indexed by another face model: `facerec reindex` indexes them again with "+FaceModelVersion, "images", stale)
	}
	svc := service.New(cfg, rek, objects, table, log)
	downloadKey, err := newDownloadKey()
	if err != nil {
		return nil, err
	}
	metrics := handler.WithMetrics(metricsLog{log})
	l := &Local{
		Handlers: handler.Handlers(svc, log, metrics), Indexer: handler.NewIndexer(svc, log, metrics), Sweeper: handler.NewSweeper(svc, log, metrics),
		Objects: objects, Table: table, Rekognition: rek,
		svc: svc, db: db, apiKey: opts.APIKey, log: log,
		credentials: opts.Credentials, rekognitionOps: rekognitionOps(rek), downloadKey: downloadKey,
	}
	if l.Queue, err = newQueue(opts.DataDir, l.Indexer.Handle, log); err != nil {
		return nil, err
	}
	l.Queue.settled = l.reindexes.settled
	svc.SetReindexer(l)
	svc.SetImageLinker(l)
	objects.removed = func(key string) error {
		return l.Queue.Send(s3Notification(BucketName, "ObjectRemoved:DeleteMarkerCreated", key, 0))
	}
	objects.copied = func(key string, size int64) error {
		return l.Queue.Send(s3Notification(BucketName, "ObjectCreated:Copy", key, size))
	}
	return l, nil
}

// Handler returns the local API as an http.Handler.
func (l *Local) Handler() http.Handler { return l.routes() }

// Serve answers the API on ln and runs the queue's workers until ctx ends
// or ln fails. Before answering, it queues the S3 notification of every
// upload that was stored but never indexed (see requeueUnindexed). When
// ctx ends, it stops accepting requests, lets the requests in hand finish
// (for up to 10 s, after which it returns context.DeadlineExceeded and
// leaves them running), cancels the queue's context and waits, without a
// time limit, until each worker has settled the message it holds.
// Messages not yet processed stay queued on disk for the next start.
// Serve (and Start) set the process's soft memory limit (see
// MemoryLimit).
func (l *Local) Serve(ctx context.Context, ln net.Listener) error {
	s, err := l.start(ctx, ln)
	if err != nil {
		return err
	}
	listenErr, stopErr := s.wait(ctx)
	if listenErr != nil {
		return listenErr
	}
	return stopErr
}

// serving is the API being answered on a listener, between start and stop.
type serving struct {
	l         *Local
	srv       *http.Server
	stopQueue context.CancelFunc
	// failed receives what the HTTP server's Serve returned when it stops
	// without stop having been called: the listener failed.
	failed chan error
	// swept is closed once the sweeper has stopped (with the queue's
	// context).
	swept <-chan struct{}
}

// start starts the queue's workers, requeues the unindexed uploads and
// answers the API on ln in the background, as Serve describes. When it
// fails, the workers have stopped and ln is as it was given.
func (l *Local) start(ctx context.Context, ln net.Listener) (*serving, error) {
	limitMemory()
	qctx, stopQueue := context.WithCancel(context.Background())
	if err := l.Queue.Start(qctx, 2); err != nil {
		stopQueue()
		return nil, err
	}
	// After Start, which loads the queue directory: a message sent before
	// it would be loaded again and delivered twice.
	if err := l.requeueUnindexed(ctx); err != nil {
		stopQueue()
		l.Queue.Wait()
		return nil, err
	}
	s := &serving{
		l:         l,
		srv:       l.newHTTPServer(),
		stopQueue: stopQueue,
		failed:    make(chan error, 1),
		swept:     l.sweepEvery(qctx, contract.SweepIntervalMinutes*time.Minute),
	}
	go func() {
		if err := s.srv.Serve(jsonErrorListener{Listener: ln, l: l}); !errors.Is(err, http.ErrServerClosed) {
			s.failed <- err
		}
	}()
	return s, nil
}

// wait blocks until ctx ends or the listener fails, and then stops
// serving. When ctx ends, it stops as stop does and returns stop's error
// as stopErr. When the listener fails, nothing is answering any more: it
// stops the queue's workers, waits until each has settled the message it
// holds and returns the listener's error as listenErr. At most one of the
// two is set.
func (s *serving) wait(ctx context.Context) (listenErr, stopErr error) {
	select {
	case err := <-s.failed:
		s.stopQueue()
		s.l.Queue.Wait()
		<-s.swept
		return err, nil
	case <-ctx.Done():
		return nil, s.stop()
	}
}

// stop stops answering and lets the requests in hand finish for up to
// 10 s (returning context.DeadlineExceeded after that, the requests left
// running), then stops the queue's workers and waits until each has
// settled the message it holds.
func (s *serving) stop() error {
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.srv.Shutdown(shutdown)
	s.stopQueue()
	s.l.Queue.Wait()
	<-s.swept
	return err
}

// requeueUnindexed sends to the queue the S3 notification of every stored
// image (an object under the image prefix, as the bucket's notification
// filter has it) whose image item is missing or has another ETag, so that
// an upload stored by a server that stopped before queueing its
// notification is indexed all the same. Such an image may also have a
// queued message already (the server stopped after queueing it, before it
// was processed); the duplicate message is harmless, as indexing one
// version of an image twice gives the same result, so no check is made.
// Sidecars that cannot be read are logged and skipped; the error is for a
// table read or a send that failed.
func (l *Local) requeueUnindexed(ctx context.Context) error {
	cfg := l.svc.Config()
	objects, err := l.Objects.list()
	if err != nil {
		l.log.Error("unreadable objects not checked for indexing", "err", err)
	}
	for _, m := range objects {
		if !strings.HasPrefix(m.Key, cfg.ImagePrefix) {
			continue
		}
		img, err := l.Table.GetImage(ctx, cfg.BucketName, m.Key)
		if err != nil {
			return fmt.Errorf("check indexing of %q: %w", m.Key, err)
		}
		if img != nil && img.ETag == m.ETag {
			continue
		}
		if err := l.Queue.Send(s3Notification(cfg.BucketName, "ObjectCreated:Put", m.Key, m.Size)); err != nil {
			return fmt.Errorf("requeue %q: %w", m.Key, err)
		}
		l.log.Warn("upload stored but not indexed: notification sent again", "key", m.Key, "etag", m.ETag)
	}
	return nil
}

// Close closes the database.
func (l *Local) Close() error { return l.db.Close() }

// metricsLog passes the handlers' metrics to the log: each EMF document
// (one a line, as the handlers write them to stdout in Lambda) becomes an
// INFO record "metrics" holding the document in its "emf" attribute, so
// offline the metrics are in the JSON logs, never in HTTP answers or in
// invoke's output.
type metricsLog struct{ log *slog.Logger }

// Write logs each line of p; it never fails.
func (m metricsLog) Write(p []byte) (int, error) {
	for line := range bytes.Lines(p) {
		if line = bytes.TrimSpace(line); len(line) > 0 {
			m.log.Info("metrics", "emf", json.RawMessage(line))
		}
	}
	return len(p), nil
}
