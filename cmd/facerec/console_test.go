package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/console"
)

// TestConsole_servesThePageForAnEndpoint runs `facerec console` for a
// deployed endpoint and key: it prints its address, serves the page there
// and hands the page the endpoint and key, and stops when ctx ends. With a
// key it refuses a non-loopback address.
func TestConsole_servesThePageForAnEndpoint(t *testing.T) {
	err := run(context.Background(), []string{"console", "--addr", "0.0.0.0:0", "--api-key", "k"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("console on 0.0.0.0 with a key: %v, want a refusal", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"console", "--addr", "127.0.0.1:0", "--endpoint", "https://abc.execute-api.eu-west-1.amazonaws.com/prod/", "--api-key", "k"}, w, io.Discard)
		w.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("no address printed: %v (%v)", err, <-done)
	}
	go io.Copy(io.Discard, out)
	base := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(line)
	if base == "" {
		t.Fatalf("no address in %q", line)
	}
	resp, err := http.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, err = http.Get(strings.TrimSuffix(base, "/") + console.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	var cfg console.Config
	err = json.NewDecoder(resp.Body).Decode(&cfg)
	resp.Body.Close()
	if want := (console.Config{Endpoint: "https://abc.execute-api.eu-west-1.amazonaws.com/prod/", APIKey: "k"}); err != nil || cfg != want {
		t.Errorf("config %+v (%v), want %+v", cfg, err, want)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("console stopped with %v", err)
	}
}
