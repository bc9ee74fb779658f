package main

import (
	"context"
	"fmt"
	"io"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/offline"
)

// defaultDataDir is where serve and invoke keep their data by default.
const defaultDataDir = "./.facerec"

// serve runs the local API until ctx ends (SIGINT or SIGTERM).
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "serve [--addr 127.0.0.1:8080] [--data ./.facerec] [--api-key KEY] [--model-dir DIR] [--log-level LEVEL]", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	data := fs.String("data", defaultDataDir, "data directory: objects, database, queue")
	apiKey := fs.String("api-key", "", "require this key in x-api-key, as the deployed API does")
	modelDir := fs.String("model-dir", "", "directory of face-api FaceRecognitionNet weights to use instead of the embedded model")
	logLevel := fs.String("log-level", contract.DefaultLogLevel, "least level logged on stderr: DEBUG, INFO, WARN or ERROR (the construct's LogLevel)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	level, err := contract.ParseLogLevel(*logLevel)
	if err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	srv, err := offline.Start(ctx, offline.Options{DataDir: *data, ModelDir: *modelDir, APIKey: *apiKey, LogLevel: level}, *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "facerec: serving on %s (data in %s, %d faces indexed); Ctrl-C stops\n", srv.URL, *data, srv.Local.Rekognition.Len())
	err = srv.Wait()
	fmt.Fprintln(stdout, "facerec: stopped")
	return err
}
