package main

import (
	"context"
	"fmt"
	"io"

	"github.com/facerec/facerec-cdk/client"
)

// rename renames a person (PATCH /persons/{person}) and prints the person
// under its new name, or the JSON with --json. Its Rekognition user keeps
// its UserId and faces: nothing is indexed again.
func rename(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("rename", "rename [--json] [--endpoint URL] [--api-key KEY] OLD-NAME NEW-NAME", stderr)
	newClient := endpointFlags(fs)
	asJSON := fs.Bool("json", false, "print the renamed person as JSON")
	c, err := parseClientArgs(fs, newClient, args, func(n int) bool { return n == 2 }, "the person's name and its new name are required")
	if err != nil {
		return err
	}
	p, err := c.Rename(ctx, fs.Arg(0), fs.Arg(1))
	if err != nil {
		return fmt.Errorf("rename person %s: %w", client.SafeText(fs.Arg(0)), err)
	}
	if *asJSON {
		return printJSON(stdout, p)
	}
	fmt.Fprintf(stdout, "person %s: renamed to %s (the same Rekognition user, %s, %s)\n", client.SafeText(fs.Arg(0)), client.SafeText(p.Person),
		client.Count(len(p.Faces), "face"), client.Count(len(p.Images), "image"))
	return nil
}
