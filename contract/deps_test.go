package contract

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsTheStandardLibraryAlone: the construct (and so every CDK app
// that uses it) and the client import the contract, so it must not pull
// any module in.
func TestImportsTheStandardLibraryAlone(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	if deps := strings.Fields(string(out)); len(deps) != 1 || deps[0] != "github.com/facerec/facerec-cdk/contract" {
		t.Errorf("the contract links %v, want the standard library alone", deps)
	}
}
