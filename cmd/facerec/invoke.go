package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/offline"
)

// putFlags collects repeated --put KEY=FILE flags.
type putFlags []string

// String implements flag.Value: the flags given, comma-separated.
func (p *putFlags) String() string { return strings.Join(*p, ",") }

// Set implements flag.Value: it appends v, which must be KEY=FILE with
// both parts non-empty.
func (p *putFlags) Set(v string) error {
	if k, f, ok := strings.Cut(v, "="); !ok || k == "" || f == "" {
		return fmt.Errorf("want KEY=FILE, got %q", v)
	}
	*p = append(*p, v)
	return nil
}

// invoke runs one handler once on an event file against the local parts
// and prints its result as JSON: the SQS batch response (or null) for
// index, null for sweep (its counts are in the log), the API Gateway proxy
// response for the API functions. The
// functions are those of contract.Functions, named in lower case.
func invoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var names []string
	for _, f := range contract.Functions {
		names = append(names, strings.ToLower(f.Name))
	}
	fs := newFlags("invoke", "invoke "+strings.Join(names, "|")+" --event FILE [--data DIR] [--model-dir DIR] [--put KEY=FILE]...", stderr)
	eventFile := fs.String("event", "", "the Lambda event, as JSON (required)")
	data := fs.String("data", defaultDataDir, "data directory")
	modelDir := fs.String("model-dir", "", "directory of face-api FaceRecognitionNet weights to use instead of the embedded model")
	var puts putFlags
	fs.Var(&puts, "put", "store FILE under object KEY before invoking (repeatable)")
	oneOf := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		// Flags come after the function; -h and --help print the usage.
		if err := fs.Parse(args); err != nil {
			return err
		}
		fs.Usage()
		return errors.New("a function is required: " + oneOf)
	}
	function := args[0]
	f, ok := contract.FunctionNamed(function)
	if !ok {
		return fmt.Errorf("unknown function %q: want %s", function, oneOf)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *eventFile == "" {
		return errors.New("--event is required")
	}
	raw, err := os.ReadFile(*eventFile)
	if err != nil {
		return err
	}
	l, err := offline.Open(offline.Options{DataDir: *data, ModelDir: *modelDir})
	if err != nil {
		return err
	}
	defer l.Close()
	for _, p := range puts {
		key, file, _ := strings.Cut(p, "=")
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		if _, err := l.Objects.Put(key, b, client.ContentType(file), nil); err != nil {
			return err
		}
	}
	var result any
	switch f.Name {
	case contract.FunctionIndex:
		result, err = l.Indexer.Handle(ctx, raw)
	case contract.FunctionSweep:
		// The schedule's event only triggers the sweep; it prints null.
		err = l.Sweep(ctx)
	default:
		var req events.APIGatewayProxyRequest
		if err := json.Unmarshal(raw, &req); err != nil {
			return fmt.Errorf("event is not an API Gateway proxy request: %w", err)
		}
		result, err = l.Handlers[f.Name](ctx, req)
	}
	if err != nil {
		return fmt.Errorf("%s handler: %w", function, err)
	}
	return printJSON(stdout, result)
}
