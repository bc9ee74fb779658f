// Package consumertest writes Go modules that import this one the way a
// program outside it does (a require of the module at v0.0.0, replaced by a
// directory) and runs the go command on them, for the tests that prove the
// public packages are usable from another module.
package consumertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ModulePath is the path of the module the consumers import.
const ModulePath = "github.com/facerec/facerec-cdk"

// ConsumerPath is the module path of the consumers Write writes.
const ConsumerPath = "example.com/consumer"

// ModuleDir returns the directory of this module's go.mod (the repository
// root), as `go env GOMOD` run in the test's package directory gives it;
// it fails the test when there is none.
func ModuleDir(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		t.Fatalf("no go.mod found with `go env GOMOD` (%q): %v", gomod, err)
	}
	return filepath.Dir(gomod)
}

// Write creates the directory dir holding the module ConsumerPath: its
// go.mod requires ModulePath v0.0.0 and replaces it with the directory
// moduleDir (absolute; this repository or a copy of it, go.sum included),
// its go.sum is moduleDir's, and files maps the other file names (for
// example "main.go") to their contents. The go.mod lists no indirect
// requirement: run the go command on it with Go, which lets it complete
// them. It fails the test on any error.
func Write(t testing.TB, dir, moduleDir string, files map[string]string) {
	t.Helper()
	goSum, err := os.ReadFile(filepath.Join(moduleDir, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]string{
		"go.mod": "module " + ConsumerPath + "\n\ngo 1.26.0\n\nrequire " + ModulePath + " v0.0.0\n\n" +
			"replace " + ModulePath + " => " + moduleDir + "\n",
		"go.sum": string(goSum),
	}
	for name, content := range files {
		all[name] = content
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range all {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Go returns the command `go args...` to run in the consumer module dir:
// with GOFLAGS=-mod=mod, so that the go command adds to its go.mod the
// indirect requirements of ModulePath (their sums are in go.sum, so no
// download is needed once this module's are in the module cache), and
// with GOWORK=off, so that no go.work above dir takes part. Its Env is
// the process's with these two; add to it before running it.
func Go(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	return cmd
}
