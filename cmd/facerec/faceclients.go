package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/facerec/facerec-cdk/client"
)

// limitFlags adds --threshold and --max-faces, a search's own
// FaceMatchThreshold and MaxFaces, and returns the limits they set once
// the flags are parsed (a flag left out keeps the deployment's value).
func limitFlags(fs *flag.FlagSet) func() client.MatchLimits {
	threshold := fs.Float64("threshold", 0, "minimum similarity of a match, 0-100 (default the deployment's, GET /info)")
	maxFaces := fs.Int("max-faces", 0, "most matches per searched face, 1-100 (default the deployment's, GET /info)")
	return func() client.MatchLimits {
		l := client.MatchLimits{MaxFaces: *maxFaces}
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "threshold" {
				l.Threshold = threshold
			}
		})
		return l
	}
}

// matches prints the indexed faces most similar to an indexed face, given
// by its FaceId, as a table or the JSON.
func matches(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("matches", "matches [--threshold N] [--max-faces N] [--json] [--endpoint URL] [--api-key KEY] FACEID", stderr)
	newClient := endpointFlags(fs)
	limits := limitFlags(fs)
	asJSON := fs.Bool("json", false, "print the API's JSON answer")
	c, err := parseClientArgs(fs, newClient, args, oneArg, "exactly one FaceId is required")
	if err != nil {
		return err
	}
	res, err := c.Matches(ctx, fs.Arg(0), limits())
	return printAnswer(stdout, *asJSON, res, err, client.PrintMatches)
}

// stats prints the counts of GET /stats, as lines or the JSON.
func stats(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stats", "stats [--json] [--endpoint URL] [--api-key KEY]", stderr)
	newClient := endpointFlags(fs)
	asJSON := fs.Bool("json", false, "print the API's JSON answer")
	c, err := parseClientArgs(fs, newClient, args, noArgs, "stats takes no arguments")
	if err != nil {
		return err
	}
	st, err := c.Stats(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, st)
	}
	_, err = fmt.Fprintf(stdout, "collection %s: %d faces, %d persons, %d images indexed, %d rejected\n",
		st.CollectionID, st.FaceCount, st.PersonCount, st.IndexedImages, st.RejectedImages)
	return err
}
