package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/offline"
)

// reindexPoll is how often `facerec reindex --wait` reads the progress.
const reindexPoll = 500 * time.Millisecond

// reindex sends every stored image through the index path again. By
// default it asks the API (--endpoint: a deployed API or a running
// `facerec serve`) with POST /reindex and, with --wait, shows the progress
// of GET /reindex/{reindexId} until the re-index ends. With --data it
// works on a local data directory that no `facerec serve` holds
// (offline.Local.Reindex): with --wait it indexes now, else the next
// `facerec serve` does.
func reindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reindex", "reindex [--wait] [--endpoint URL] [--api-key KEY] | reindex --data ./.facerec [--model-dir DIR] [--wait]", stderr)
	newClient := endpointFlags(fs)
	data := fs.String("data", "", "a data directory no `facerec serve` holds: re-index it here instead of through the API")
	modelDir := fs.String("model-dir", "", "with --data: directory of face-api FaceRecognitionNet weights to use instead of the embedded model")
	wait := fs.Bool("wait", false, "show the progress until every image is done")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("reindex takes no arguments, got %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *data == "" {
		if set["model-dir"] {
			return errors.New("reindex: --model-dir goes with --data (a server re-indexes with its own engine)")
		}
		c, err := newClient()
		if err != nil {
			return err
		}
		return reindexAPI(ctx, c, *wait, stdout, stderr)
	}
	if set["endpoint"] || set["api-key"] {
		return errors.New("reindex: --data and --endpoint exclude each other")
	}
	return reindexData(ctx, *data, *modelDir, *wait, stdout, stderr)
}

// reindexAPI starts a re-index with POST /reindex and, with wait, follows
// it until it ends, failing unless it succeeded.
func reindexAPI(ctx context.Context, c *client.Client, wait bool, stdout, stderr io.Writer) error {
	r, err := c.StartReindex(ctx)
	if err != nil {
		return err
	}
	if !wait {
		fmt.Fprintf(stdout, "facerec: re-index %s started; follow it with `facerec reindex` --wait or GET /reindex/%s\n", r.ReindexID, r.ReindexID)
		return nil
	}
	bar := newReindexBar(stderr)
	for {
		if r.Total > 0 {
			bar.ChangeMax64(r.Total)
		}
		bar.Set64(r.Succeeded + r.Failed)
		if r.Done() {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(reindexPoll):
		}
		if r, err = c.Reindex(ctx, r.ReindexID); err != nil {
			return err
		}
	}
	bar.Finish()
	fmt.Fprintf(stdout, "facerec: re-index %s %s: %d images, %d done, %d failed\n", r.ReindexID, r.Status, r.Total, r.Succeeded, r.Failed)
	if r.Status != contract.ReindexSucceeded {
		return fmt.Errorf("re-index %s ended %s", r.ReindexID, r.Status)
	}
	return nil
}

// newReindexBar is the progress bar of a re-index, on w; its maximum is
// set once the images are counted.
func newReindexBar(w io.Writer) *progressbar.ProgressBar {
	return progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("re-indexing"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
}

// reindexData re-indexes the data directory data, which must not be in
// use by `facerec serve` (one process at a time); without wait the queued
// messages are processed by the next `facerec serve`.
func reindexData(ctx context.Context, data, modelDir string, wait bool, stdout, stderr io.Writer) error {
	srv, err := offline.Start(ctx, offline.Options{DataDir: data, ModelDir: modelDir}, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer srv.Close()
	if !wait {
		n, err := srv.Local.Reindex()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "facerec: %d images queued for re-indexing in %s; `facerec serve` indexes them\n", n, data)
		return nil
	}
	r, err := srv.Local.StartReindex(ctx)
	if err != nil {
		return err
	}
	bar := newReindexBar(stderr)
	bar.ChangeMax64(r.Total)
	for !r.Done() {
		bar.Set64(r.Succeeded + r.Failed)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if r, err = srv.Local.ReindexProgress(ctx, r.ReindexID); err != nil {
			return err
		}
	}
	bar.Set64(r.Succeeded + r.Failed)
	bar.Finish()
	fmt.Fprintf(stdout, "facerec: %d images re-indexed in %s (%d faces indexed, %d failed)\n", r.Total, data, srv.Local.Rekognition.Len(), r.Failed)
	if r.Failed > 0 {
		return fmt.Errorf("re-index: %d images failed (see the dead-letter directory of %s)", r.Failed, data)
	}
	return nil
}
