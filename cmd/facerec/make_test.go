package main

import (
	"bufio"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMakeServe runs `make serve` from the repository root, as the
// README's quick start does, on a free port and a temporary data
// directory: it must build the command and serve the API in the
// foreground without the synth (no cdk, no npm), and stop on Ctrl-C (a
// SIGINT to its process group). It builds bin/facerec, so -short skips it.
func TestMakeServe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs bin/facerec through make")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	cmd := exec.Command("make", "--no-print-directory", "serve", "ADDR=127.0.0.1:0", "DATA="+t.TempDir())
	cmd.Dir = "../.."
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var printed []string
	url := ""
	serving := regexp.MustCompile(`serving on (http://\S+)`)
	timeout := time.After(installedBound)
	for url == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("make serve ended before serving:\n%s", strings.Join(printed, "\n"))
			}
			printed = append(printed, line)
			if m := serving.FindStringSubmatch(line); m != nil {
				url = m[1]
			}
		case <-timeout:
			t.Fatalf("make serve did not serve within %v:\n%s", installedBound, strings.Join(printed, "\n"))
		}
	}
	for _, l := range printed {
		if strings.Contains(l, "cdk") || strings.Contains(l, "npm") {
			t.Errorf("make serve ran %q; it needs neither the synth nor npm", l)
		}
	}
	resp, err := http.Get(url + "/info")
	if err != nil {
		t.Fatalf("GET /info: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /info: %s", resp.Status)
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	stopped := false
	for line := range lines {
		stopped = stopped || strings.Contains(line, "facerec: stopped")
	}
	cmd.Wait()
	if !stopped {
		t.Error("facerec serve did not stop cleanly on Ctrl-C")
	}
}
