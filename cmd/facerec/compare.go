package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/facerec/facerec-cdk/client"
)

// compare verifies the largest face of a photo against a second photo, an
// indexed face (--face-id) or a person (--person), and prints the
// similarity and whether it reaches the threshold, or the JSON.
func compare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compare", "compare [--threshold N] [--json] [--endpoint URL] [--api-key KEY] [--face-id ID | --person NAME] PHOTO [TARGET-PHOTO]", stderr)
	newClient := endpointFlags(fs)
	threshold := fs.Float64("threshold", 0, "similarity needed, 0-100 (default the deployment's, GET /info)")
	faceID := fs.String("face-id", "", "compare with this indexed face")
	person := fs.String("person", "", "compare with this person")
	asJSON := fs.Bool("json", false, "print the API's JSON answer")
	c, err := parseClientArgs(fs, newClient, args, func(n int) bool { return n == 1 || n == 2 }, "a photo and one target (a second photo, --face-id or --person) are required")
	if err != nil {
		return err
	}
	var target client.CompareTarget
	target.FaceID, target.Person = *faceID, *person
	if fs.NArg() == 2 {
		if target.Image, err = os.ReadFile(fs.Arg(1)); err != nil {
			return err
		}
	}
	targets := 0
	for _, given := range []bool{target.Image != nil, target.FaceID != "", target.Person != ""} {
		if given {
			targets++
		}
	}
	if targets != 1 {
		return errors.New("give exactly one target: a second photo, --face-id or --person")
	}
	source, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	var t *float64
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "threshold" {
			t = threshold
		}
	})
	res, err := c.Compare(ctx, source, target, t)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, res)
	}
	verdict := "no match"
	if res.Match {
		verdict = "match"
	}
	_, err = fmt.Fprintf(stdout, "similarity %.1f (threshold %g): %s\n", res.Similarity, res.Threshold, verdict)
	return err
}
