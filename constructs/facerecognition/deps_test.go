package facerecognition

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
)

// allowedDeps is an allowlist of the packages a bundle may link: the
// standard library, the listed packages of this module (by exact import
// path, relative to modulePath) and the packages of the listed modules
// (a module path, or an owner whose every module is allowed, such as
// "github.com/cdklabs"). Anything else fails the test, so a new
// dependency is a deliberate edit of the list, not an accident of an
// import.
type allowedDeps struct {
	packages []string
	modules  []string
}

// functionDeps are what the bundled functions (the Main packages of
// contract.Functions) may link besides their Main: the contract, the
// service core and the packages it needs, the Lambda adapters, the Lambda
// runtime, the AWS SDK and the small libraries the core uses. The offline
// mode (faceengine, offline, and bbolt, gofakes3, pigo, gonum under them),
// the HTTP client, the commands, the OpenAPI checks (kin-openapi) and every
// test-support package (internal/awstest, internal/consumertest,
// internal/service/*test) are left out: the functions run on Rekognition
// behind API Gateway, and those packages would only grow the bootstraps.
var functionDeps = allowedDeps{
	packages: []string{"contract", "internal/service", "internal/imageio", "internal/dynamotable", "lambdas/handler", "lambdas/metrics"},
	modules: []string{
		"github.com/aws/aws-lambda-go", "github.com/aws/aws-sdk-go-v2", "github.com/aws/smithy-go",
		"github.com/google/uuid", "golang.org/x/image", "golang.org/x/sync",
	},
}

// constructDeps are what the construct's package may link besides itself:
// the contract, for the names and the function table, and the CDK with
// what it needs (jsii, constructs, cdk-nag and CDK's asset and schema
// modules). It never links the functions' code: handlers, core, AWS SDK
// (see doc.go).
var constructDeps = allowedDeps{
	packages: []string{"contract"},
	modules: []string{
		"github.com/aws/aws-cdk-go", "github.com/aws/constructs-go", "github.com/aws/jsii-runtime-go",
		"github.com/cdklabs", "github.com/Masterminds/semver",
	},
}

// allows reports whether a may link the package importPath, of the module
// module ("" for the standard library).
func (a allowedDeps) allows(importPath, module string) bool {
	switch {
	case module == "":
		return true
	case module == modulePath:
		return slices.Contains(a.packages, strings.TrimPrefix(importPath, modulePath+"/"))
	}
	return slices.ContainsFunc(a.modules, func(m string) bool { return module == m || strings.HasPrefix(module, m+"/") })
}

// TestBundlesLinkOnlyAllowedPackages checks every package the bundled
// functions link against functionDeps, and every package the construct's
// package links against constructDeps.
func TestBundlesLinkOnlyAllowedPackages(t *testing.T) {
	check := func(pkg string, allowed allowedDeps) {
		for _, line := range goListDeps(t, "{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}", "./"+pkg) {
			dep, module, _ := strings.Cut(line, " ")
			if dep != modulePath+"/"+pkg && !allowed.allows(dep, module) {
				t.Errorf("%s links %s, which is not on its allowlist", pkg, dep)
			}
		}
	}
	for _, f := range contract.Functions {
		check(f.Main, functionDeps)
	}
	check("constructs/facerecognition", constructDeps)
}

// TestAllowlistsLeaveOutTheOfflineAndTestPackages pins what the allowlists
// must never let in, whatever is added to them: the offline mode and its
// libraries, the client, the commands, the OpenAPI checker and the
// test-support packages; the construct also none of the functions' code.
func TestAllowlistsLeaveOutTheOfflineAndTestPackages(t *testing.T) {
	own := func(p string) [2]string { return [2]string{modulePath + "/" + p, modulePath} }
	banned := [][2]string{
		own("faceengine"), own("offline"), own("client"), own("cmd/facerec"),
		own("internal/awstest"), own("internal/consumertest"),
		own("internal/service/servicetest"), own("internal/service/tabletest"), own("internal/service/rekognitiontest"),
		{"go.etcd.io/bbolt", "go.etcd.io/bbolt"},
		{"github.com/johannesboyne/gofakes3", "github.com/johannesboyne/gofakes3"},
		{"github.com/getkin/kin-openapi/openapi3", "github.com/getkin/kin-openapi"},
		{"github.com/esimov/pigo/core", "github.com/esimov/pigo"},
		{"gonum.org/v1/gonum/mat", "gonum.org/v1/gonum"},
		{"github.com/viterin/vek/vek32", "github.com/viterin/vek"},
	}
	for name, allowed := range map[string]allowedDeps{"functionDeps": functionDeps, "constructDeps": constructDeps} {
		for _, b := range banned {
			if allowed.allows(b[0], b[1]) {
				t.Errorf("%s allows %s", name, b[0])
			}
		}
	}
	for _, p := range []string{"internal/service", "lambdas/handler", "internal/dynamotable"} {
		if constructDeps.allows(own(p)[0], modulePath) {
			t.Errorf("constructDeps allows %s", p)
		}
	}
	if constructDeps.allows("github.com/aws/aws-sdk-go-v2/service/s3", "github.com/aws/aws-sdk-go-v2/service/s3") {
		t.Error("constructDeps allows the AWS SDK")
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
