package facerecognition

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/consumertest"
)

// consumerMain is the program of the consumer module: the construct with
// its defaults in a stack, synthesized into CDK_OUTDIR.
const consumerMain = `package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/constructs/facerecognition"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("ConsumerStack"), nil)
	facerecognition.NewFaceRecognitionService(stack, jsii.String("Service"), nil)
	app.Synth(nil)
}
`

// TestConsumerModuleSynthesizes imports the construct from another module,
// as `go get` would, with the construct's module in a read-only directory
// (as in the module cache), and synthesizes: the functions must be built
// from that directory without writing to it, into executable arm64
// bootstraps. It compiles and runs a CDK app, so -short skips it.
func TestConsumerModuleSynthesizes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a CDK app in a second module")
	}
	root := testModuleDir(t)
	tmp := t.TempDir()

	// The construct's module, read-only: the packages the consumer's synth
	// compiles.
	ro := filepath.Join(tmp, "facerec-cdk")
	for _, dir := range synthDirs(t, root) {
		if err := os.CopyFS(filepath.Join(ro, dir), os.DirFS(filepath.Join(root, dir))); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ro, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshot(t, ro)
	setWritable(t, ro, false)
	t.Cleanup(func() { setWritable(t, ro, true) }) // before TempDir removes it

	// The consumer.
	consumer := filepath.Join(tmp, "consumer")
	consumertest.Write(t, consumer, ro, map[string]string{"main.go": consumerMain})

	outdir := filepath.Join(tmp, "cdk.out")
	cmd := consumertest.Go(consumer, "run", ".")
	cmd.Env = append(cmd.Env, "CDK_OUTDIR="+outdir)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("consumer synth: %v\n%s", err, out)
	}
	t.Logf("consumer built and synthesized in %v", time.Since(start).Round(time.Second))

	bootstraps, err := filepath.Glob(filepath.Join(outdir, "asset.*", "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bootstraps) != len(contract.Functions) {
		t.Fatalf("%d asset bootstraps, want one per function of contract.Functions (%d):\n%s", len(bootstraps), len(contract.Functions), out)
	}
	for _, b := range bootstraps {
		assertBootstrap(t, b, "arm64")
	}
	if after := snapshot(t, ro); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the synth wrote to the read-only module:\nbefore %v\nafter  %v", before, after)
	}
}

// synthDirs returns the directories, relative to the module root root, of
// the module's packages that a consumer's synth compiles: the construct's
// package and the functions' Main packages (contract.Functions), and the
// module's packages they import, directly or not. A directory inside
// another one of the list is left out: copying the outer one copies it.
func synthDirs(t *testing.T, root string) []string {
	t.Helper()
	pkgs := []string{"./constructs/facerecognition"}
	for _, f := range contract.Functions {
		pkgs = append(pkgs, "./"+f.Main)
	}
	var dirs []string
	for _, dir := range goListDeps(t, `{{if .Module}}{{if eq .Module.Path "`+modulePath+`"}}{{.Dir}}{{end}}{{end}}`, pkgs...) {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, rel)
	}
	slices.Sort(dirs) // outer directories first
	var out []string
	for _, dir := range dirs {
		if !slices.ContainsFunc(out, func(outer string) bool { return strings.HasPrefix(dir, outer+string(filepath.Separator)) }) {
			out = append(out, dir)
		}
	}
	return out
}

// snapshot lists the files under dir with their sizes and modification
// times (it runs as root too, where permissions alone prove nothing).
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files[path] = fmt.Sprintf("%d@%d", info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// setWritable adds or removes the write permission of everything under dir.
func setWritable(t *testing.T, dir string, writable bool) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := info.Mode().Perm() &^ 0o222
		if writable {
			mode |= 0o200
		}
		return os.Chmod(path, mode)
	})
	if err != nil {
		t.Fatal(err)
	}
}
