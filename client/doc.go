// Package client talks to the face-recognition HTTP API, deployed behind
// API Gateway or served locally by `facerec serve`. It holds the logic of
// the facerec index and search subcommands: requests with retries
// (Client), bulk uploads with progress and status polling (IndexFiles),
// and readable output (PrintMatches, Summary.Print).
//
// Where and why: client is public so that other Go programs can drive any
// deployment (or `facerec serve`) the way the facerec command does. It
// imports only the contract package and the standard library (plus a
// retry backoff and a progress bar), never aws-lambda-go or an AWS SDK service client, so a
// program that only calls the API stays small.
package client
