package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/facerec/facerec-cdk/console"
)

// defaultConsoleAddr is where `facerec console` listens by default: the
// loopback interface, a port next to serve's.
const defaultConsoleAddr = "127.0.0.1:8090"

// consoleCmd serves the web console for an endpoint (a deployed API) on a
// local address until ctx ends. The page gets the endpoint and the API key
// from the console's config, so the key reaches only the browser and the
// API; for that reason it listens on loopback addresses only when a key is
// given.
func consoleCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("console", "console [--addr 127.0.0.1:8090] [--endpoint URL] [--api-key KEY]", stderr)
	addr := fs.String("addr", defaultConsoleAddr, "local address to serve the console on")
	newClient := endpointFlags(fs)
	c, err := parseClientArgs(fs, newClient, args, noArgs, "console takes no arguments")
	if err != nil {
		return err
	}
	ln, err := listenConsole(*addr, c.APIKey != "")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: console.Handler(console.Config{Endpoint: c.Endpoint.String(), APIKey: c.APIKey}), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "facerec: console for %s on http://%s/ (the API must allow this origin in CORS); Ctrl-C stops\n", c.Endpoint.Redacted(), ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// listenConsole listens on addr; with an API key to serve, only on a
// loopback address.
func listenConsole(addr string, servesKey bool) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); servesKey && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, errors.New("the console hands the API key to the browsers that load it: listen on a loopback address (such as 127.0.0.1:8090), not " + addr)
	}
	return net.Listen("tcp", addr)
}
