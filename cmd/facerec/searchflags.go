package main

import (
	"flag"

	"github.com/facerec/facerec-cdk/client"
)

// searchFlags adds --threshold and --max-faces, the request's own
// FaceMatchThreshold and MaxFaces, and returns the options they set once
// the flags are parsed (a flag left out keeps the deployment's value).
func searchFlags(fs *flag.FlagSet) func() client.SearchOptions {
	threshold := fs.Float64("threshold", 0, "minimum similarity of a match, 0-100 (default the deployment's, GET /info)")
	maxFaces := fs.Int("max-faces", 0, "most matches per searched face, 1-100 (default the deployment's, GET /info)")
	return func() client.SearchOptions {
		o := client.SearchOptions{MaxFaces: *maxFaces}
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "threshold" {
				o.Threshold = threshold
			}
		})
		return o
	}
}
