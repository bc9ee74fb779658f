package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/facerec/facerec-cdk/client"
)

// defaultEndpoint is the local server's address.
const defaultEndpoint = "http://127.0.0.1:8080"

// endpointFlags adds --endpoint and --api-key, read from FACEREC_ENDPOINT
// and FACEREC_API_KEY by default, and returns a constructor of the client.
func endpointFlags(fs *flag.FlagSet) func() (*client.Client, error) {
	endpoint := fs.String("endpoint", envOr("FACEREC_ENDPOINT", defaultEndpoint), "API base URL, with the stage for a deployed API (env FACEREC_ENDPOINT)")
	apiKey := fs.String("api-key", os.Getenv("FACEREC_API_KEY"), "API key sent as x-api-key (env FACEREC_API_KEY)")
	return func() (*client.Client, error) { return client.New(*endpoint, *apiKey) }
}

// The positional argument counts client commands accept.
var (
	someArgs = func(n int) bool { return n > 0 }
	oneArg   = func(n int) bool { return n == 1 }
	noArgs   = func(n int) bool { return n == 0 }
)

// parseClientArgs parses a client command's args and builds its client. It
// fails, after printing the usage, when one of the command's flags comes
// after a positional argument (Go's flag package stops at the first one,
// so it would be taken for a file or a name), or when nargs refuses the
// number of positional arguments; missing says what is wanted.
func parseClientArgs(fs *flag.FlagSet, newClient func() (*client.Client, error), args []string, nargs func(int) bool, missing string) (*client.Client, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	for _, a := range fs.Args() {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && fs.Lookup(name) != nil {
			fs.Usage()
			return nil, fmt.Errorf("flags go before the other arguments: put %s first", a)
		}
	}
	if !nargs(fs.NArg()) {
		fs.Usage()
		return nil, errors.New(missing)
	}
	return newClient()
}

// printAnswer prints v, the answer of a client call that returned err
// (which it returns unless nil): as indented JSON with asJSON, otherwise
// with print (one of client's Print functions).
func printAnswer[T any](w io.Writer, asJSON bool, v T, err error, print func(io.Writer, T)) error {
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(w, v)
	}
	print(w, v)
	return nil
}

// printJSON writes v to w as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// index uploads files and directories of photos, with a progress bar and
// a summary.
func index(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("index", "index [--person NAME] [--concurrency N] [--wait] [--endpoint URL] [--api-key KEY] FILES|DIRS...", stderr)
	newClient := endpointFlags(fs)
	person := fs.String("person", "", "person the faces belong to")
	concurrency := fs.Int("concurrency", client.DefaultConcurrency, "uploads in flight")
	wait := fs.Bool("wait", false, "wait until every upload is indexed or rejected and report its faces")
	c, err := parseClientArgs(fs, newClient, args, someArgs, "no files or directories given")
	if err != nil {
		return err
	}
	sum, err := client.IndexFiles(ctx, c, fs.Args(), client.IndexOptions{Person: *person, Concurrency: *concurrency, Progress: stderr, Wait: *wait})
	if err != nil {
		return err
	}
	sum.Print(stdout)
	var failed notUploaded
	for _, f := range sum.Files {
		if f.Key == "" && f.Err != nil {
			failed = append(failed, f.Err)
		}
	}
	if len(failed) > 0 {
		return failed
	}
	return nil
}

// notUploaded is index's error when some files were not uploaded: their
// errors, which the summary has printed already, and which nextStep
// looks into.
type notUploaded []error

// Error returns "some files were not uploaded".
func (e notUploaded) Error() string { return "some files were not uploaded" }

// Unwrap returns the files' errors.
func (e notUploaded) Unwrap() []error { return e }

// search searches one photo (its largest face, or with --all every face)
// and prints a table of matches, or the JSON.
func search(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("search", "search [--all] [--threshold N] [--max-faces N] [--json] [--endpoint URL] [--api-key KEY] FILE", stderr)
	newClient := endpointFlags(fs)
	all := fs.Bool("all", false, "search every face of the photo, not only the largest")
	asJSON := fs.Bool("json", false, "print the API's JSON answer")
	limits := limitFlags(fs)
	c, err := parseClientArgs(fs, newClient, args, oneArg, "exactly one photo is required")
	if err != nil {
		return err
	}
	img, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	res, err := c.SearchWith(ctx, img, client.ContentType(fs.Arg(0)), client.SearchOptions{All: *all, MatchLimits: limits()})
	return printAnswer(stdout, *asJSON, res, err, client.PrintMatches)
}

// faces lists the indexed faces, all or a person's, following every page,
// and prints a table, or the JSON.
func faces(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("faces", "faces [--person NAME] [--limit N] [--json] [--endpoint URL] [--api-key KEY]", stderr)
	newClient := endpointFlags(fs)
	person := fs.String("person", "", "list only this person's faces")
	limit := fs.Int("limit", 0, "faces a page, 1-100 (default the service's, 50)")
	asJSON := fs.Bool("json", false, "print the faces as JSON")
	c, err := parseClientArgs(fs, newClient, args, noArgs, "faces takes no arguments")
	if err != nil {
		return err
	}
	all, err := c.AllFaces(ctx, *person, *limit)
	return printAnswer(stdout, *asJSON, all, err, client.PrintFaces)
}

// persons lists the persons named at upload, following every page, and
// prints a table, or the JSON.
func persons(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("persons", "persons [--json] [--endpoint URL] [--api-key KEY]", stderr)
	newClient := endpointFlags(fs)
	asJSON := fs.Bool("json", false, "print the persons as JSON")
	c, err := parseClientArgs(fs, newClient, args, noArgs, "persons takes no arguments")
	if err != nil {
		return err
	}
	all, err := c.AllPersons(ctx, 0)
	return printAnswer(stdout, *asJSON, all, err, client.PrintPersons)
}

// deleteImages erases uploaded images by filename (DELETE
// /index/{filename}): every version and their faces. With --face it
// deletes indexed faces by FaceId instead (DELETE /faces/{faceId}), and
// with --person it erases persons by name (DELETE /persons/{person}).
func deleteImages(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("delete", "delete [--endpoint URL] [--api-key KEY] FILENAME... | delete --face FACEID... | delete --person NAME...", stderr)
	face := fs.Bool("face", false, "the arguments are FaceIds of indexed faces to delete (their images stay)")
	person := fs.Bool("person", false, "the arguments are persons to erase: every image uploaded with their names, their faces, and their users")
	c, err := parseClientArgs(fs, endpointFlags(fs), args, someArgs, "no filenames, FaceIds or persons given")
	if err != nil {
		return err
	}
	if *face && *person {
		return errors.New("--face and --person cannot be combined")
	}
	for _, name := range fs.Args() {
		if *person {
			res, err := c.DeletePerson(ctx, name)
			if err != nil {
				return fmt.Errorf("delete person %s: %w", name, err)
			}
			client.PrintDeletedPerson(stdout, res)
			continue
		}
		if *face {
			if err := c.DeleteFace(ctx, name); err != nil {
				return fmt.Errorf("delete face %s: %w", name, err)
			}
			fmt.Fprintf(stdout, "face %s: deleted (its image stays)\n", name)
			continue
		}
		key, err := c.Delete(ctx, name)
		if err != nil {
			return fmt.Errorf("delete %s: %w", name, err)
		}
		fmt.Fprintf(stdout, "%s: erased (every version and its faces)\n", key)
	}
	return nil
}
