package facerecognition

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// updateReadme makes TestReadmePropsTableMatchesDocComments rewrite the
// README's props table instead of failing on a difference.
var updateReadme = flag.Bool("update-readme", false, "rewrite the props table of README.md from the doc comments of FaceRecognitionServiceProps")

// The README's props table sits between these two lines.
const (
	propsTableBegin = "<!-- props table: generated from the doc comments of FaceRecognitionServiceProps; go test ./constructs/facerecognition -run ReadmeProps -update-readme -->"
	propsTableEnd   = "<!-- end of props table -->"
)

// sentenceEnd ends a doc comment's first sentence: a period followed by a
// space and a capital letter, or the end of the text.
var sentenceEnd = regexp.MustCompile(`\.(\s+[A-Z]|$)`)

// propsTable renders one row per field of FaceRecognitionServiceProps, in
// declaration order: the field's name, the text after "Default:" in its doc
// comment, and the doc comment's first sentence. It fails the test if a
// field has no doc comment or no "Default:".
func propsTable(t *testing.T) string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "props.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var fields *ast.FieldList
	ast.Inspect(file, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.Name == "FaceRecognitionServiceProps" {
			fields = ts.Type.(*ast.StructType).Fields
		}
		return fields == nil
	})
	if fields == nil {
		t.Fatal("props.go declares no FaceRecognitionServiceProps")
	}
	var b strings.Builder
	b.WriteString("| prop | default | what |\n|---|---|---|\n")
	for _, f := range fields.List {
		doc := strings.Join(strings.Fields(f.Doc.Text()), " ")
		for _, name := range f.Names {
			def, ok := strings.CutPrefix(doc[max(0, strings.LastIndex(doc, "Default:")):], "Default:")
			if !ok {
				t.Errorf("FaceRecognitionServiceProps.%s: the doc comment does not end with \"Default: ...\"", name.Name)
				continue
			}
			what := doc
			if loc := sentenceEnd.FindStringIndex(doc); loc != nil {
				what = doc[:loc[0]+1]
			}
			cell := func(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "|", `\|`) }
			b.WriteString("| `" + name.Name + "` | " + cell(def) + " | " + cell(what) + " |\n")
		}
	}
	return b.String()
}

// TestReadmePropsTableMatchesDocComments keeps the README's props table equal
// to the one propsTable renders from the Go doc comments, so that the two
// cannot drift. With -update-readme it rewrites the table instead.
func TestReadmePropsTableMatchesDocComments(t *testing.T) {
	dir, err := moduleDir()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "README.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	begin := strings.Index(readme, propsTableBegin+"\n")
	end := strings.Index(readme, propsTableEnd)
	if begin < 0 || end < begin {
		t.Fatalf("README.md has no props table between the lines %q and %q", propsTableBegin, propsTableEnd)
	}
	begin += len(propsTableBegin) + 1
	want := propsTable(t)
	if readme[begin:end] == want {
		return
	}
	if *updateReadme {
		if err := os.WriteFile(path, []byte(readme[:begin]+want+readme[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's props table differs from the doc comments of FaceRecognitionServiceProps; "+
		"run go test ./constructs/facerecognition -run ReadmeProps -update-readme. Want:\n%s", want)
}
