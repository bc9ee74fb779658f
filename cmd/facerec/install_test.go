package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/examples/photos"
)

// installedBound bounds each run of the installed facerec in
// TestInstalled_indexesAndFindsTheSampleFaces.
const installedBound = 2 * time.Minute

// TestInstalled_indexesAndFindsTheSampleFaces installs facerec with
// `go install` into a temporary GOBIN and runs it as a user would, outside
// the repository: `facerec serve` in an empty working directory (no
// repository, no node_modules) with its data in data/ there, `facerec
// index --wait --person "Barack Obama" obama_1.jpg` and `facerec search
// obama_2.jpg`, which must rank Barack Obama first. SIGINT then stops the
// server cleanly, and it has written nothing in the directory but data/.
// It builds the command, so -short skips it.
func TestInstalled_indexesAndFindsTheSampleFaces(t *testing.T) {
	if testing.Short() {
		t.Skip("installs and runs the facerec command")
	}
	gobin := t.TempDir()
	install := exec.Command("go", "install", "github.com/facerec/facerec-cdk/cmd/facerec")
	install.Env = append(os.Environ(), "GOBIN="+gobin)
	start := time.Now()
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	t.Logf("go install took %v", time.Since(start).Round(time.Millisecond))
	facerec := filepath.Join(gobin, "facerec")

	// The photos, outside the working directory.
	photoDir := t.TempDir()
	for _, name := range []string{"obama_1.jpg", "obama_2.jpg"} {
		if err := os.WriteFile(filepath.Join(photoDir, name), photos.MustRead(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	work := t.TempDir()
	url, stop := startInstalledServe(t, facerec, work)
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), installedBound)
		defer cancel()
		cmd := exec.CommandContext(ctx, facerec, args...)
		cmd.Dir = work
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("facerec %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
		}
		return stdout.String()
	}
	// Flags before the files: the flag package stops at the first one.
	out := run("index", "--wait", "--person", "Barack Obama", "--endpoint", url, filepath.Join(photoDir, "obama_1.jpg"))
	if !strings.Contains(out, "1 indexed (1 face)") {
		t.Fatalf("facerec index printed:\n%s\nwant obama_1.jpg indexed with one face", out)
	}
	out = run("search", "--endpoint", url, filepath.Join(photoDir, "obama_2.jpg"))
	first := regexp.MustCompile(`(?m)^\s+1\s+(.+?)\s+([\d.]+)%\s+(\S+)\s`).FindStringSubmatch(out)
	if first == nil {
		t.Fatalf("facerec search printed no match:\n%s", out)
	}
	if similarity, _ := strconv.ParseFloat(first[2], 64); first[1] != "Barack Obama" || similarity < 80 || first[3] != "index/obama_1.jpg" {
		t.Errorf("first match %q %s%% %s, want Barack Obama (index/obama_1.jpg) with similarity >= 80:\n%s", first[1], first[2], first[3], out)
	}

	stop()
	entries, err := os.ReadDir(work)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != "data" {
		t.Errorf("the working directory holds %v, want data only", names)
	}
	if _, err := os.Stat(filepath.Join(work, "data", "facerec.db")); err != nil {
		t.Errorf("no database in data/: %v", err)
	}
}

// startInstalledServe starts `facerec serve --addr 127.0.0.1:0 --data
// data` with the binary facerec in the working directory dir and returns
// the URL it prints once it answers, and stop, which interrupts it as
// Ctrl-C does and fails the test unless it exits cleanly within
// installedBound; the test's cleanup kills it if it still runs.
func startInstalledServe(t *testing.T, facerec, dir string) (url string, stop func()) {
	t.Helper()
	cmd := exec.Command(facerec, "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"))
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan string)
	var rest bytes.Buffer
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		rest.ReadFrom(r) // until the process closes stdout
		exited <- cmd.Wait()
	}()
	kill := func() {
		cmd.Process.Kill()
		<-exited
	}
	var line string
	select {
	case line = <-lines:
	case <-time.After(installedBound):
		kill()
		t.Fatalf("facerec serve printed nothing within %v; stderr:\n%s", installedBound, stderr.String())
	}
	url = regexp.MustCompile(`http://\S+`).FindString(line)
	if url == "" {
		kill()
		t.Fatalf("facerec serve printed %q, no URL; stderr:\n%s", line, stderr.String())
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			kill()
		}
	})
	return url, func() {
		t.Helper()
		stopped = true
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("facerec serve exited with %v; stderr:\n%s", err, stderr.String())
			}
			if !strings.Contains(rest.String(), "facerec: stopped") {
				t.Errorf("facerec serve printed %q after its URL, want \"facerec: stopped\"", rest.String())
			}
		case <-time.After(installedBound):
			kill()
			t.Fatalf("facerec serve still runs %v after SIGINT", installedBound)
		}
	}
}
