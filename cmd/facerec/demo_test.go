package main

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
)

// TestMakeDemo_failsOnATakenPort runs `make demo` (its synth skipped) on
// the address of another HTTP server: it must fail with the bind error on
// its output, without sending that server a single request (no photo
// indexed into it).
func TestMakeDemo_failsOnATakenPort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI with make")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	var requests atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte(`{}`))
	}))
	defer other.Close()
	addr := strings.TrimPrefix(other.URL, "http://")
	cmd := exec.CommandContext(t.Context(), "make", "-C", "../..", "-o", "synth", "demo", "ADDR="+addr, "DATA="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("make demo on a taken port succeeded:\n%s", out)
	}
	if !strings.Contains(string(out), "address already in use") {
		t.Errorf("output does not show the bind error:\n%s", out)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("the other server got %d requests", n)
	}
}
