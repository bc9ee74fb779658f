package facerecognition

import (
	"os/exec"
	"strings"
	"testing"
)

// TestFunctionsDoNotLinkTheLocalEngine: the bundled functions must not link
// the offline mode's face engine, its detector or its matrix library: they
// run on Rekognition, and those packages would only grow the bootstraps.
func TestFunctionsDoNotLinkTheLocalEngine(t *testing.T) {
	dir, err := moduleDir()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"./lambdas/index", "./lambdas/search", "./lambdas/status", "./lambdas/info", "./lambdas/faces", "./lambdas/deleteface", "./lambdas/persons", "./lambdas/deleteperson"} {
		cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", pkg)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, banned := range []string{modulePath + "/cmd/", "github.com/esimov/pigo", "gonum.org/v1/gonum"} {
				if strings.HasPrefix(dep, banned) {
					t.Errorf("%s links %s", pkg, dep)
				}
			}
		}
	}
}
