package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// update makes TestTemplateSnapshot rewrite the snapshot instead of
// comparing with it.
var update = flag.Bool("update", false, "rewrite "+snapshotFile+" from the synthesized template")

// snapshotFile is the committed template of FaceRecognitionStack, masked.
const snapshotFile = "testdata/template.snapshot.json"

// updateCommand regenerates the snapshot, from the repository root.
const updateCommand = "go test ./examples/basic -run Snapshot -update"

// assetHash matches the SHA-256 hex digests CDK names assets by (the
// functions' S3 keys). They depend on the Go toolchain that compiled the
// functions and change with every change of their code, so the snapshot
// holds assetHashMask instead. Nothing else in the template varies between
// machines or runs: logical IDs, the derived collection ID and bucket name
// come from construct paths, and the bootstrap version rule changes only with
// a CDK upgrade that requires a newer `cdk bootstrap`, which the snapshot
// should show.
var assetHash = regexp.MustCompile(`[0-9a-f]{64}`)

const assetHashMask = "<asset-hash>"

// TestMain runs the tests, then stops the jsii kernel (node).
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// TestTemplateSnapshot synthesizes the app's stack with the feature flags of
// the repository's cdk.json and compares its template, asset hashes masked,
// with the committed snapshot, so that any change of the infrastructure the
// sample app deploys shows up in review as a change of the snapshot.
func TestTemplateSnapshot(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &cdkJSON); err != nil {
		t.Fatalf("cdk.json: %v", err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir()), Context: &cdkJSON.Context})
	template := mask(*assertions.Template_FromStack(addStack(app), nil).ToJSON())
	got := encode(template, "  ")

	if *update {
		if err := os.MkdirAll(filepath.Dir(snapshotFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(snapshotFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", snapshotFile)
		return
	}
	want, err := os.ReadFile(snapshotFile)
	if err != nil {
		t.Fatalf("%v; to create it, run from the repository root: %s", err, updateCommand)
	}
	if bytes.Equal(got, want) {
		return
	}
	var snapshot any
	if err := json.Unmarshal(want, &snapshot); err != nil {
		t.Fatalf("%s: %v; to rewrite it, run from the repository root: %s", snapshotFile, err, updateCommand)
	}
	t.Errorf("the template of examples/basic differs from %s at:\n  %s\n"+
		"If the change is intended, run from the repository root\n  %s\nand commit the snapshot with the change.",
		snapshotFile, strings.Join(differences("", snapshot, template, 20), "\n  "), updateCommand)
}

// mask returns v, a template as JSON values, with every asset hash in its
// strings replaced by assetHashMask.
func mask(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[assetHash.ReplaceAllString(k, assetHashMask)] = mask(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = mask(e)
		}
		return out
	case string:
		return assetHash.ReplaceAllString(v, assetHashMask)
	}
	return v
}

// differences lists the JSON paths, under path, where want and got differ,
// at most limit of them (then "…"), with the values there: it descends into
// objects, and into arrays of the same length.
func differences(path string, want, got any, limit int) []string {
	if reflect.DeepEqual(want, got) {
		return nil
	}
	if wl, ok := want.([]any); ok {
		if gl, ok := got.([]any); ok && len(wl) == len(gl) {
			var out []string
			for i := range wl {
				if len(out) >= limit {
					return append(out, "…")
				}
				out = append(out, differences(fmt.Sprintf("%s[%d]", path, i), wl[i], gl[i], limit-len(out))...)
			}
			return out
		}
	}
	wm, wok := want.(map[string]any)
	gm, gok := got.(map[string]any)
	if !wok || !gok {
		return []string{fmt.Sprintf("%s: snapshot %s, now %s", path, short(want), short(got))}
	}
	keys := map[string]bool{}
	for k := range wm {
		keys[k] = true
	}
	for k := range gm {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var out []string
	for _, k := range sorted {
		if len(out) >= limit {
			return append(out, "…")
		}
		out = append(out, differences(path+"."+k, wm[k], gm[k], limit-len(out))...)
	}
	return out
}

// short is v as JSON, cut to 200 bytes; "(absent)" if v is nil.
func short(v any) string {
	if v == nil {
		return "(absent)"
	}
	raw := bytes.TrimSuffix(encode(v, ""), []byte("\n"))
	if len(raw) > 200 {
		return string(raw[:200]) + "…"
	}
	return string(raw)
}

// encode returns v, made of JSON values, as JSON ending in a newline, with
// sorted keys, indented by indent ("" for one line), and without escaping
// <, > and & (which templates and the mask hold).
func encode(v any, indent string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		panic(err) // v came from JSON
	}
	return buf.Bytes()
}
