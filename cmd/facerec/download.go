package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/facerec/facerec-cdk/client"
	"github.com/facerec/facerec-cdk/contract"
)

// download writes the image uploaded as FILENAME to a file, from the link
// of GET /images/{filename}, and prints its face records as a table or the
// API's JSON. The file is written whole or not at all (a temporary file
// in the same directory, renamed once complete); with -o - the image goes
// to stdout and the records to stderr.
func download(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("download", "download [-o FILE] [--json] [--endpoint URL] [--api-key KEY] FILENAME", stderr)
	newClient := endpointFlags(fs)
	out := fs.String("o", "", "write the image to FILE (default: FILENAME's base name, in the current directory; - for stdout)")
	asJSON := fs.Bool("json", false, "print the API's JSON answer (its link included) instead of the table")
	c, err := parseClientArgs(fs, newClient, args, oneArg, "exactly one FILENAME is required")
	if err != nil {
		return err
	}
	filename, path := fs.Arg(0), *out
	if path == "-" {
		d, err := c.DownloadImage(ctx, filename, stdout)
		if err != nil {
			return err
		}
		return printDownload(stderr, d, *asJSON, "stdout")
	}
	if path == "" {
		path = filepath.Base(filepath.FromSlash(filename))
		if path == "." || path == ".." || path == string(filepath.Separator) {
			return fmt.Errorf("%q has no file name to write to; give one with -o FILE", filename)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".facerec-download-*")
	if err != nil {
		return err
	}
	d, err := c.DownloadImage(ctx, filename, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return errors.Join(err, os.Remove(tmp.Name()))
	}
	return printDownload(stdout, d, *asJSON, path)
}

// printDownload prints d's records to w, as the JSON or as client.PrintImage
// does followed by where the image was written.
func printDownload(w io.Writer, d *contract.ImageDownload, asJSON bool, where string) error {
	if asJSON {
		return printJSON(w, d)
	}
	client.PrintImage(w, &d.ImageStatus)
	_, err := fmt.Fprintf(w, "image written to %s\n", where)
	return err
}
