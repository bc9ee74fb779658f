package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/offline"
)

// defaultDataDir is where serve and invoke keep their data by default.
const defaultDataDir = "./.facerec"

// The environment variables of the key pair that serve checks the
// signatures of Rekognition protocol requests against. The secret is
// read from the environment only, to keep it out of process listings.
const (
	envAccessKeyID     = "FACEREC_ACCESS_KEY_ID"
	envSecretAccessKey = "FACEREC_SECRET_ACCESS_KEY"
)

// serve runs the local API until ctx ends (SIGINT or SIGTERM).
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "serve [--addr 127.0.0.1:8080] [--data ./.facerec] [--api-key KEY] [--model-dir DIR] [--access-key-id ID] [--log-level LEVEL]", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	data := fs.String("data", defaultDataDir, "data directory: objects, database, queue")
	apiKey := fs.String("api-key", "", "require this key in x-api-key, as the deployed API does")
	modelDir := fs.String("model-dir", "", "directory of face-api FaceRecognitionNet weights to use instead of the embedded model")
	keyID := fs.String("access-key-id", os.Getenv(envAccessKeyID), "require Rekognition protocol requests to be SigV4-signed with this access key id and the secret in $"+envSecretAccessKey+" (default $"+envAccessKeyID+"; unset: any signature is accepted)")
	logLevel := fs.String("log-level", contract.DefaultLogLevel, "least level logged on stderr: DEBUG, INFO, WARN or ERROR (the construct's LogLevel)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	creds := aws.Credentials{AccessKeyID: *keyID, SecretAccessKey: os.Getenv(envSecretAccessKey)}
	if creds.AccessKeyID != "" && creds.SecretAccessKey == "" {
		return fmt.Errorf("--access-key-id needs the secret access key in $%s", envSecretAccessKey)
	}
	level, err := contract.ParseLogLevel(*logLevel)
	if err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	srv, err := offline.Start(ctx, offline.Options{DataDir: *data, ModelDir: *modelDir, APIKey: *apiKey, Credentials: creds, LogLevel: level}, *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "facerec: serving on %s (data in %s, %s indexed); Ctrl-C stops\n", srv.URL, *data, client.Count(srv.Local.Rekognition.Len(), "face"))
	fmt.Fprintf(stdout, "facerec: web console at %s/\n", srv.URL)
	err = srv.Wait()
	fmt.Fprintln(stdout, "facerec: stopped")
	return err
}
