package facerecognition

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
)

// brokenPackage is a package of this module that does not compile.
const brokenPackage = "constructs/facerecognition/testdata/broken"

// elfMachine is the ELF machine of each GOARCH the construct builds for.
var elfMachine = map[string]elf.Machine{"arm64": elf.EM_AARCH64, "amd64": elf.EM_X86_64}

// testModuleDir returns the module's directory or fails the test.
func testModuleDir(t *testing.T) string {
	t.Helper()
	dir, err := moduleDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// assertBootstrap checks that path is an executable static Linux ELF for goarch.
func assertBootstrap(t *testing.T, path, goarch string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm()&0o111 == 0 {
		t.Errorf("%s is not executable: %v", path, info.Mode())
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s is not an ELF file: %v", path, err)
	}
	defer f.Close()
	if f.Machine != elfMachine[goarch] || f.OSABI != elf.ELFOSABI_NONE && f.OSABI != elf.ELFOSABI_LINUX {
		t.Errorf("%s: machine %v, OS ABI %v; want %v for Linux", path, f.Machine, f.OSABI, elfMachine[goarch])
	}
	if interp := f.Section(".interp"); interp != nil {
		t.Errorf("%s has a dynamic loader (.interp): it would not start on provided.al2023 without libc", path)
	}
}

// TestTryBundleBuildsReproducibleBootstrap builds the info function twice per
// architecture through TryBundle and wants the same executable bytes both
// times, so that the OUTPUT asset hash does not change between synths.
func TestTryBundleBuildsReproducibleBootstrap(t *testing.T) {
	dir := testModuleDir(t)
	for _, goarch := range []string{"arm64", "amd64"} {
		t.Run(goarch, func(t *testing.T) {
			b := &goBundler{moduleDir: dir, pkg: "./lambdas/info", goarch: goarch}
			var builds [][]byte
			for i := range 2 {
				out := filepath.Join(t.TempDir(), fmt.Sprint(i))
				if err := os.Mkdir(out, 0o755); err != nil {
					t.Fatal(err)
				}
				if ok := b.TryBundle(jsii.String(out), nil); ok == nil || !*ok {
					t.Fatalf("TryBundle = %v, want true", ok)
				}
				bootstrap := filepath.Join(out, "bootstrap")
				assertBootstrap(t, bootstrap, goarch)
				data, err := os.ReadFile(bootstrap)
				if err != nil {
					t.Fatal(err)
				}
				builds = append(builds, data)
			}
			if !bytes.Equal(builds[0], builds[1]) {
				t.Errorf("two builds differ (%d and %d bytes): the asset hash would change on every synth", len(builds[0]), len(builds[1]))
			}
		})
	}
}

// TestTryBundleReportsBuildError wants a failed build to panic with an error
// that names the package and carries the compiler's message.
func TestTryBundleReportsBuildError(t *testing.T) {
	b := &goBundler{moduleDir: testModuleDir(t), pkg: "./" + brokenPackage, goarch: "arm64"}
	msg, panicked := recovered(func() { b.TryBundle(jsii.String(t.TempDir()), nil) })
	if !panicked {
		t.Fatal("building a broken package succeeded")
	}
	for _, want := range []string{"cannot build Lambda package ./" + brokenPackage, "linux/arm64", "cannot use"} {
		if !strings.Contains(msg, want) {
			t.Errorf("panic message lacks %q:\n%s", want, msg)
		}
	}
}

// childEnv marks the test process that TestBuildErrorThroughJsii starts.
const childEnv = "FACEREC_BUILD_ERROR_CHILD"

// TestBuildErrorThroughJsii creates a function from the broken package, so
// that CDK calls TryBundle back through jsii, in a child test process that is
// left to panic as a CDK app would. It checks what the user sees: the
// compiler's message and a panic naming the package, and no Docker error.
// The child runs apart because a panic in a jsii callback leaves the kernel
// waiting for the callback's result (jsii-runtime-go returns the error to the
// Go caller without completing the callback), so node ends with EPIPE.
func TestBuildErrorThroughJsii(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("BrokenStack"), nil)
		awslambda.NewFunction(stack, jsii.String("Broken"), &awslambda.FunctionProps{
			Runtime: awslambda.Runtime_PROVIDED_AL2023(),
			Handler: jsii.String("bootstrap"),
			Code:    goFunctionCode(brokenPackage, "arm64"),
		})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBuildErrorThroughJsii$")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("building a broken package succeeded:\n%s", out)
	}
	for _, want := range []string{
		"panic: facerecognition: cannot build Lambda package ./" + brokenPackage + " for linux/arm64",
		`cannot use "not a number"`,
	} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if bytes.Contains(bytes.ToLower(out), []byte("docker")) {
		t.Errorf("output mentions Docker, so CDK fell back to Docker bundling:\n%s", out)
	}
}

// recovered runs f and returns the message of its panic, if it panicked.
func recovered(f func()) (msg string, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			msg, panicked = fmt.Sprint(r), true
		}
	}()
	f()
	return "", false
}
