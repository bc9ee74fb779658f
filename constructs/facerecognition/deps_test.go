package facerecognition

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
)

// TestFunctionsDoNotLinkTheLocalEngine: the bundled functions (the Main
// packages of contract.Functions) must not link the offline mode's face
// engine, its detector or its matrix library, nor the offline server, the
// HTTP client or the commands: they run on Rekognition behind API Gateway,
// and those packages would only grow the bootstraps.
func TestFunctionsDoNotLinkTheLocalEngine(t *testing.T) {
	banned := []string{
		modulePath + "/faceengine", modulePath + "/offline", modulePath + "/client", modulePath + "/cmd",
		"github.com/esimov/pigo", "gonum.org/v1/gonum",
	}
	for _, f := range contract.Functions {
		for _, dep := range goListDeps(t, "{{.ImportPath}}", "./"+f.Main) {
			for _, b := range banned {
				if dep == b || strings.HasPrefix(dep, b+"/") {
					t.Errorf("%s links %s", f.Main, dep)
				}
			}
		}
	}
}

// goListDeps runs `go list -deps -f format pkgs` in the module's directory
// as the bundler builds the functions (goBuildFlags, buildEnv for arm64),
// and returns its non-empty output lines: one per package that pkgs import,
// directly or not, and pkgs themselves.
func goListDeps(t *testing.T, format string, pkgs ...string) []string {
	t.Helper()
	args := append([]string{"list", "-deps", "-f", format}, goBuildFlags...)
	cmd := exec.Command("go", append(args, pkgs...)...)
	cmd.Dir = testModuleDir(t)
	cmd.Env = os.Environ()
	for k, v := range buildEnv("arm64") {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps %v: %v\n%s", pkgs, err, stderr)
	}
	var lines []string
	for _, line := range strings.Split(string(out), "\n") {
		if line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}
