package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/facerec/facerec-cdk/offline"
)

// reindex sends every image of a local data directory through the index
// path again (offline.Local.Reindex) and, with --wait, shows its progress
// until the queue is drained. The data directory must not be in use by
// `facerec serve` (one process at a time); without --wait the queued
// messages are processed by the next `facerec serve`.
func reindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reindex", "reindex [--data ./.facerec] [--model-dir DIR] [--wait]", stderr)
	data := fs.String("data", defaultDataDir, "data directory: objects, database, queue")
	modelDir := fs.String("model-dir", "", "directory of face-api FaceRecognitionNet weights to use instead of the embedded model")
	wait := fs.Bool("wait", false, "index now and show the progress until every image is done")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("reindex takes no arguments, got %q", fs.Args())
	}
	srv, err := offline.Start(ctx, offline.Options{DataDir: *data, ModelDir: *modelDir}, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer srv.Close()
	n, err := srv.Local.Reindex()
	if err != nil {
		return err
	}
	if !*wait {
		fmt.Fprintf(stdout, "facerec: %d images queued for re-indexing in %s; `facerec serve` indexes them\n", n, *data)
		return nil
	}
	bar := progressbar.NewOptions(n,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("re-indexing"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }),
	)
	for {
		pending := srv.Local.Queue.Pending()
		bar.Set(n - min(n, pending))
		if pending == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	fmt.Fprintf(stdout, "facerec: %d images re-indexed in %s (%d faces indexed)\n", n, *data, srv.Local.Rekognition.Len())
	return nil
}
