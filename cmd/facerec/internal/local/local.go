package local

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/facerec/facerec-cdk/cmd/facerec/internal/faceengine"
	"github.com/facerec/facerec-cdk/lambdas/config"
	"github.com/facerec/facerec-cdk/lambdas/handler"
	"github.com/facerec/facerec-cdk/lambdas/service"
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
	// ModelDir holds the face-api model files; default
	// faceengine.DefaultModelDir().
	ModelDir string
	// APIKey, when set, is required in x-api-key, as the deployed API
	// requires its key.
	APIKey string
	// Log receives the JSON logs of the handlers and the server; default
	// stderr.
	Log *slog.Logger
}

// Local is the face service on local parts. Open it, then Serve or use its
// parts; Close it to release the database.
type Local struct {
	// API and Indexer are the Lambda handlers, run on local parts.
	API     *handler.API
	Indexer *handler.Indexer
	// Objects, Table, Rekognition and Queue are the local parts.
	Objects     *Objects
	Table       *Table
	Rekognition *Rekognition
	Queue       *Queue

	svc    *service.Service
	db     *bolt.DB
	apiKey string
	log    *slog.Logger
}

// Open loads the face engine and opens the data directory (creating it if
// needed). The configuration is the construct's defaults with the local
// collection and bucket.
func Open(opts Options) (*Local, error) {
	log := opts.Log
	if log == nil {
		log = handler.NewLogger(os.Stderr)
	}
	modelDir := opts.ModelDir
	if modelDir == "" {
		var err error
		if modelDir, err = faceengine.DefaultModelDir(); err != nil {
			return nil, err
		}
	}
	engine, err := faceengine.New(modelDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, err
	}
	db, err := openDB(filepath.Join(opts.DataDir, "facerec.db"))
	if err != nil {
		return nil, err
	}
	objects, err := newObjects(filepath.Join(opts.DataDir, "objects"))
	if err != nil {
		db.Close()
		return nil, err
	}
	rek, err := newRekognition(CollectionID, engine, objects, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{
			config.EnvCollectionID: CollectionID,
			config.EnvTableName:    "local",
			config.EnvBucketName:   BucketName,
			config.EnvImagePrefix:  config.DefaultImagePrefix,
		}[k]
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	table := &Table{db: db}
	svc := service.New(cfg, rek, objects, table, log)
	l := &Local{
		API: handler.NewAPI(svc, log), Indexer: handler.NewIndexer(svc, log),
		Objects: objects, Table: table, Rekognition: rek,
		svc: svc, db: db, apiKey: opts.APIKey, log: log,
	}
	if l.Queue, err = newQueue(opts.DataDir, l.Indexer.Handle, log); err != nil {
		db.Close()
		return nil, err
	}
	return l, nil
}

// Config returns the service configuration the local API runs with.
func (l *Local) Config() config.Config { return l.svc.Config() }

// Handler returns the local API as an http.Handler.
func (l *Local) Handler() http.Handler { return l.routes() }

// Serve answers the API on ln and runs the queue's workers until ctx ends;
// then it stops accepting requests, lets requests and messages in hand
// finish (up to 10 s), and returns. Messages not yet processed stay queued
// on disk for the next start.
func (l *Local) Serve(ctx context.Context, ln net.Listener) error {
	qctx, stopQueue := context.WithCancel(context.Background())
	defer stopQueue()
	if err := l.Queue.Start(qctx, 2); err != nil {
		return err
	}
	srv := &http.Server{Handler: l.routes(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		stopQueue()
		l.Queue.Wait()
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdown)
	stopQueue()
	l.Queue.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close closes the database.
func (l *Local) Close() error { return l.db.Close() }
