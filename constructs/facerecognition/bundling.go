package facerecognition

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/jsii-runtime-go"
)

// modulePath is the Go module that holds this package and the functions'
// sources (lambdas/...). The functions are built from that module's
// directory, wherever the Go command keeps it.
const modulePath = "github.com/facerec/facerec-cdk"

// unusedBundlingImage names the Docker image that awscdk.BundlingOptions
// requires. It is never pulled: goBundler.TryBundle either builds the
// function or panics, so CDK never falls back to Docker.
const unusedBundlingImage = "unused-local-go-bundling"

// goBuildFlags are the flags of every function build: no file-system paths
// or VCS stamps in the binary (so two builds of the same sources are
// byte-identical and the asset hash is stable), symbol tables stripped, and
// the lambda.norpc tag that drops aws-lambda-go's legacy RPC server, which
// the provided.al2023 runtime never uses.
var goBuildFlags = []string{"-trimpath", "-buildvcs=false", "-ldflags", "-s -w", "-tags", "lambda.norpc"}

// goBundler builds one function package into a bootstrap executable with the
// local Go toolchain. It implements awscdk.ILocalBundling; CDK calls TryBundle
// through jsii while it stages the function's asset.
type goBundler struct {
	moduleDir string // the module's root directory; go build runs there
	pkg       string // package to build, relative to moduleDir: "./lambdas/index"
	goarch    string // GOARCH: "arm64" or "amd64"
}

// buildEnv is the environment, on top of the caller's, of a function build:
// a static Linux binary for goarch, outside any go.work of the caller, and
// with go.mod and go.sum used as they are (a module in the read-only module
// cache cannot be updated anyway).
func buildEnv(goarch string) map[string]string {
	return map[string]string{
		"GOOS":        "linux",
		"GOARCH":      goarch,
		"CGO_ENABLED": "0",
		"GOWORK":      "off",
		"GOFLAGS":     "-mod=readonly",
	}
}

// TryBundle builds the package into outputDir/bootstrap and returns true. A
// failed build panics with an error naming the package (the go command's
// output is also printed to stderr): returning false would make CDK try Docker
// instead and bury the compiler's message under a Docker error.
func (b *goBundler) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	if err := b.build(*outputDir); err != nil {
		panic(err)
	}
	return jsii.Bool(true)
}

// build runs go build for b.pkg, writing outDir/bootstrap.
func (b *goBundler) build(outDir string) error {
	args := append([]string{"build"}, goBuildFlags...)
	args = append(args, "-o", filepath.Join(outDir, "bootstrap"), b.pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir = b.moduleDir
	cmd.Env = os.Environ()
	for k, v := range buildEnv(b.goarch) {
		cmd.Env = append(cmd.Env, k+"="+v) // exec keeps the last value of a key
	}
	out, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	msg := strings.TrimSpace(string(out))
	fmt.Fprintf(os.Stderr, "facerecognition: go build %s failed:\n%s\n", b.pkg, msg)
	return fmt.Errorf("facerecognition: cannot build Lambda package %s for linux/%s in %s: %v: %s",
		b.pkg, b.goarch, b.moduleDir, err, msg)
}

// moduleDir returns the directory of modulePath as the go command of the
// running program's module sees it: the repository itself when the program
// runs inside it, a replace target, or a read-only directory of the module
// cache when a consumer imports the construct with go get. It runs
// `go list -m` in the process's working directory once per process; the
// error says what failed and what the go command printed.
var moduleDir = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", modulePath).Output()
	dir := strings.TrimSpace(string(out))
	if err == nil && dir != "" {
		return dir, nil
	}
	detail := "it printed no directory (a vendored module has none)"
	if ee, ok := err.(*exec.ExitError); ok {
		detail = strings.TrimSpace(string(ee.Stderr))
	} else if err != nil {
		detail = err.Error()
	}
	return "", fmt.Errorf("facerecognition: cannot find the directory of module %s with `go list -m` "+
		"(run the CDK app from a Go module that requires it, with the go command on PATH): %s", modulePath, detail)
})

// goFunctionCode returns the code of the function package pkg (a directory of
// the module, "lambdas/index") compiled for goarch at synth time. The asset
// hash is the hash of the built bootstrap (AssetHashType_OUTPUT): a hash of
// the package's folder alone would miss changes in the packages it imports
// and ship stale binaries. Panics if the module directory cannot be found.
func goFunctionCode(pkg, goarch string) awslambda.AssetCode {
	dir, err := moduleDir()
	if err != nil {
		panic(err)
	}
	env := make(map[string]*string)
	for k, v := range buildEnv(goarch) {
		env[k] = jsii.String(v)
	}
	return awslambda.Code_FromAsset(jsii.String(filepath.Join(dir, pkg)), &awss3assets.AssetOptions{
		AssetHashType: awscdk.AssetHashType_OUTPUT,
		Bundling: &awscdk.BundlingOptions{
			Image: awscdk.DockerImage_FromRegistry(jsii.String(unusedBundlingImage)),
			// Not used by the local build; it documents the build in the
			// cloud assembly and keeps CDK's per-process asset cache
			// from handing one architecture's binary to the other.
			Environment: &env,
			Local:       &goBundler{moduleDir: dir, pkg: "./" + filepath.ToSlash(pkg), goarch: goarch},
		},
	})
}
