package client

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsTheContractAlone: a program that only calls the API links the
// client, the contract, the standard library and the client's own small
// helpers (retry backoff, progress bar), never aws-lambda-go, an AWS SDK
// service client or another package of this module.
func TestImportsTheContractAlone(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const module = "github.com/facerec/facerec-cdk/"
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == module+"client", dep == module+"contract":
		case strings.HasPrefix(dep, module),
			strings.HasPrefix(dep, "github.com/aws/aws-lambda-go"),
			strings.HasPrefix(dep, "github.com/aws/aws-sdk-go-v2/service/"):
			t.Errorf("the client links %s", dep)
		}
	}
}
