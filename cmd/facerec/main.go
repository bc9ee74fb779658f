// Command facerec runs the face service offline and talks to any
// deployment of it.
//
//	facerec serve  [--addr 127.0.0.1:8080] [--data ./.facerec] [--api-key KEY] [--model-dir DIR] [--access-key-id ID] [--log-level LEVEL]
//	facerec invoke FUNCTION --event FILE [--data DIR] [--model-dir DIR] [--put KEY=FILE]...
//	facerec index  [--person NAME] [--concurrency N] [--wait] [--endpoint URL] [--api-key KEY] FILES|DIRS...
//	facerec search [--all] [--threshold N] [--max-faces N] [--json] [--endpoint URL] [--api-key KEY] FILE
//	facerec matches [--threshold N] [--max-faces N] [--json] [--endpoint URL] [--api-key KEY] FACEID
//	facerec stats  [--json] [--endpoint URL] [--api-key KEY]
//	facerec compare [--threshold N] [--json] [--endpoint URL] [--api-key KEY] [--face-id ID | --person NAME] PHOTO [TARGET-PHOTO]
//	facerec faces  [--person NAME] [--limit N] [--json] [--endpoint URL] [--api-key KEY]
//	facerec persons [--json] [--endpoint URL] [--api-key KEY]
//	facerec delete [--endpoint URL] [--api-key KEY] FILENAME... | --face FACEID... | --person NAME...
//	facerec download [-o FILE] [--json] [--endpoint URL] [--api-key KEY] FILENAME
//	facerec rename [--json] [--endpoint URL] [--api-key KEY] OLD-NAME NEW-NAME
//	facerec console [--addr 127.0.0.1:8090] [--endpoint URL] [--api-key KEY]
//	facerec reindex [--wait] [--endpoint URL] [--api-key KEY]
//	facerec reindex --data ./.facerec [--model-dir DIR] [--wait]
//
// serve runs the deployed API's routes on localhost with the same service
// core and Lambda handlers, over local parts (files, a bbolt database, the
// local face engine, a persistent in-process queue), and Amazon
// Rekognition's own protocol on the same address. invoke runs one
// handler once on an event file, as `sam local invoke` does; FUNCTION is
// the name of a function of contract.Functions in lower case, such as
// index or deleteface. index, search, matches, stats, compare, faces, persons,
// delete, download and rename are clients of any endpoint, local or deployed. console serves the
// web console (package console; serve serves it too, at its root) for any
// endpoint.
//
// The command only parses flags and prints: serve and invoke call the
// offline package, the other commands the client package, so another
// program can do the same in-process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// usage is printed for -h and for unknown commands.
const usage = `facerec: the face service offline, and a client for any deployment.

Commands:
  serve    run the API on localhost over local parts and the local face engine
  invoke   run one Lambda handler once on an event file (like sam local invoke)
  index    upload photos (files or directories) to an endpoint
  search   search a photo on an endpoint and print the matches
  matches  print the indexed faces most similar to an indexed face (by FaceId)
  stats    count the faces, persons and images of an endpoint
  compare  verify a photo's face against a second photo, an indexed face or a person
  faces    list the indexed faces (all, or a person's) of an endpoint
  persons  list the persons named at upload, with their number of faces
  delete   delete uploaded images (by filename) from an endpoint; their faces follow;
           with --face, delete indexed faces by FaceId (their images stay);
           with --person, erase persons: their faces, images and Rekognition users
  download write an uploaded image to a file (by filename) and print its face records
  rename   rename a person (OLD-NAME NEW-NAME); its Rekognition user keeps its faces
  console  serve the web console on localhost for an endpoint (a deployed API)
  reindex  send every stored image through the index path again (the API, or --data DIR)

Run 'facerec COMMAND -h' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "facerec:", err)
		}
		os.Exit(2)
	}
}

// run runs the command named by args[0] with the rest as its arguments.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("a command is required")
	}
	commands := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"serve":    serve,
		"invoke":   invoke,
		"index":    index,
		"search":   search,
		"faces":    faces,
		"matches":  matches,
		"stats":    stats,
		"compare":  compare,
		"persons":  persons,
		"delete":   deleteImages,
		"download": download,
		"rename":   rename,
		"console":  consoleCmd,
		"reindex":  reindex,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			fmt.Fprint(stdout, usage)
			return nil
		}
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
	err := cmd(ctx, args[1:], stdout, stderr)
	if step := nextStep(err); step != "" {
		return fmt.Errorf("%w\n%s", err, step)
	}
	return err
}

// newFlags returns a flag set for a command that prints its errors and
// usage on stderr.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: facerec %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}
