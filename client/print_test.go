package client

import (
	"bytes"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
)

func TestPrintMatches(t *testing.T) {
	res := &contract.SearchResult{Faces: []contract.SearchedFace{
		{
			BoundingBox: contract.BoundingBox{Left: 0.1, Top: 0.25, Width: 0.3, Height: 0.4},
			Confidence:  99.87,
			Matches: []contract.Match{
				{FaceID: "face-1", Similarity: 98.76, Person: "alice", Key: "index/alice.jpg"},
				{FaceID: "face-2", Similarity: 91.04, Key: "index/unknown.jpg"},
			},
		},
		{Confidence: 95, Matches: []contract.Match{}},
		{Confidence: 90, Matches: []contract.Match{}, Reason: "face too small to search"},
	}}
	var out bytes.Buffer
	PrintMatches(&out, res)
	lines := strings.Split(out.String(), "\n")
	want := map[int][]string{
		0: {"face 1", "left 10.0%", "top 25.0%", "width 30.0%", "height 40.0%", "confidence 99.9%"},
		1: {"RANK", "PERSON", "SIMILARITY", "KEY", "FACE ID"},
		2: {"1", "alice", "98.8%", "index/alice.jpg", "face-1"},
		3: {"2", " - ", "91.0%", "index/unknown.jpg", "face-2"},
		5: {"face 2"},
		6: {"no match above the threshold"},
		8: {"face 3"},
		9: {"not searched: face too small to search"},
	}
	for i, parts := range want {
		if i >= len(lines) {
			t.Fatalf("output has %d lines:\n%s", len(lines), out.String())
		}
		for _, p := range parts {
			if !strings.Contains(lines[i], p) {
				t.Errorf("line %d = %q, lacks %q", i, lines[i], p)
			}
		}
	}
	if strings.Contains(out.String(), "no face found") {
		t.Errorf("output claims no face:\n%s", out.String())
	}

	for _, empty := range []*contract.SearchResult{nil, {Faces: []contract.SearchedFace{}}} {
		out.Reset()
		PrintMatches(&out, empty)
		if out.String() != "no face found in the photo\n" {
			t.Errorf("PrintMatches(%v) = %q", empty, out.String())
		}
	}
}

// TestPrintPersonsEscapesNames: a name with a line break, a tab or an
// escape sequence stays in its own row and column, quoted.
func TestPrintPersonsEscapesNames(t *testing.T) {
	var out bytes.Buffer
	PrintPersons(&out, []contract.PersonSummary{
		{Person: "Jane Doe", UserID: "u1", FaceCount: 1},
		{Person: "evil\nroot\tu0\t99", UserID: "u2", FaceCount: 2},
		{Person: "\x1b[2Jclear", UserID: "u3", FaceCount: 3},
	})
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want a header and 3 rows:\n%s", len(lines), out.String())
	}
	for i, want := range []string{"Jane Doe ", `"evil\nroot\tu0\t99"`, `"\x1b[2Jclear"`} {
		if !strings.HasPrefix(lines[i+1], want) {
			t.Errorf("row %d = %q, want it to start with %q", i+1, lines[i+1], want)
		}
	}
	for s, want := range map[string]string{"Zoë": "Zoë", " padded": `" padded"`, `say "hi"`: `"say \"hi\""`, "\xff": `"\xff"`} {
		if got := SafeText(s); got != want {
			t.Errorf("SafeText(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 faces", 1: "1 face", 2: "2 faces", 11: "11 faces"} {
		if got := Count(n, "face"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPrintDeletedPerson(t *testing.T) {
	tests := []struct {
		res  contract.DeletedPerson
		want string
	}{
		{contract.DeletedPerson{Person: "alice", DeletedFaces: 1, DeletedImages: []string{"index/a.jpg"}, KeptImages: []string{}},
			"person alice: deleted 1 face and 1 image (index/a.jpg); kept 0 images\n"},
		{contract.DeletedPerson{Person: "bob", DeletedFaces: 3, DeletedImages: []string{"index/b.jpg", "index/c.jpg"}, KeptImages: []string{"index/d.jpg"}},
			"person bob: deleted 3 faces and 2 images (index/b.jpg, index/c.jpg); kept 1 image (index/d.jpg)\n"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		PrintDeletedPerson(&out, &tt.res)
		if out.String() != tt.want {
			t.Errorf("PrintDeletedPerson(%+v) = %q, want %q", tt.res, out.String(), tt.want)
		}
	}
}
