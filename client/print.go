package client

import (
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/facerec/facerec-cdk/contract"
)

// PrintMatches writes res as text: "no face found in the photo" when it
// has no face, else one block per searched face, headed by its bounding
// box (left, top, width and height as percentages of the photo) and
// detection confidence, followed by "not searched: " and the reason of a
// face that was not searched, "no match above the threshold", or a table
// of its matches, best first: rank, person ("-" when none), similarity in
// percent with one decimal, object key and face ID (persons and keys as
// SafeText gives them).
func PrintMatches(w io.Writer, res *contract.SearchResult) {
	if res == nil || len(res.Faces) == 0 {
		fmt.Fprintln(w, "no face found in the photo")
		return
	}
	for i, f := range res.Faces {
		if i > 0 {
			fmt.Fprintln(w)
		}
		b := f.BoundingBox
		fmt.Fprintf(w, "face %d at left %.1f%%, top %.1f%%, width %.1f%%, height %.1f%% (confidence %.1f%%)\n",
			i+1, b.Left*100, b.Top*100, b.Width*100, b.Height*100, f.Confidence)
		if f.Reason != "" {
			fmt.Fprintln(w, "  not searched: "+f.Reason)
			continue
		}
		if len(f.Matches) == 0 {
			fmt.Fprintln(w, "  no match above the threshold")
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  RANK\tPERSON\tSIMILARITY\tKEY\tFACE ID")
		for j, m := range f.Matches {
			fmt.Fprintf(tw, "  %d\t%s\t%.1f%%\t%s\t%s\n", j+1, cmp.Or(SafeText(m.Person), "-"), m.Similarity, SafeText(m.Key), m.FaceID)
		}
		_ = tw.Flush()
	}
}

// PrintFaces writes faces as a table, one face a line: face ID, person
// ("-" when none) and object key (as SafeText gives them), detection confidence in percent with one
// decimal, and when it was indexed (RFC 3339); "no faces" when there is
// none.
func PrintFaces(w io.Writer, faces []contract.Face) {
	if len(faces) == 0 {
		fmt.Fprintln(w, "no faces")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FACE ID\tPERSON\tKEY\tCONFIDENCE\tINDEXED AT")
	for _, f := range faces {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f%%\t%s\n", f.FaceID, cmp.Or(SafeText(f.Person), "-"), SafeText(f.Key), f.Confidence, f.IndexedAt.Format(time.RFC3339))
	}
	_ = tw.Flush()
}

// PrintPersons writes a table of persons: name (as SafeText gives it),
// Rekognition UserId and number of faces; "no persons" when there is none.
func PrintPersons(w io.Writer, persons []contract.PersonSummary) {
	if len(persons) == 0 {
		fmt.Fprintln(w, "no persons")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PERSON\tUSER ID\tFACES")
	for _, p := range persons {
		fmt.Fprintf(tw, "%s\t%s\t%d\n", SafeText(p.Person), p.UserID, p.FaceCount)
	}
	_ = tw.Flush()
}

// SafeText returns s as it is when it prints as one plain field of a line
// (graphic characters and inner spaces only), else as a Go-quoted string
// with its control characters, line breaks, tabs and invalid UTF-8
// escaped ("\"two\\nlines\""): a name or key read from the service can
// then never add a line or a column to a table, nor move the cursor.
func SafeText(s string) string {
	plain := strings.TrimSpace(s) == s && !strings.ContainsFunc(s, func(r rune) bool {
		return r == unicode.ReplacementChar || r == '"' || (!unicode.IsGraphic(r) && r != ' ')
	})
	if plain {
		return s
	}
	return strconv.Quote(s)
}

// safeJoin joins keys with ", ", each printed safely (SafeText).
func safeJoin(keys []string) string {
	safe := make([]string, len(keys))
	for i, k := range keys {
		safe[i] = SafeText(k)
	}
	return strings.Join(safe, ", ")
}

// PrintDeletedPerson writes the answer of an erasure as one line: "person
// NAME: deleted N faces and N images (KEY, ...); kept N images (KEY,
// ...)", each count with its noun in the singular for 1 (Count), each list
// of keys only when it is not empty.
func PrintDeletedPerson(w io.Writer, res *contract.DeletedPerson) {
	fmt.Fprintf(w, "person %s: deleted %s and %s; kept %s\n", SafeText(res.Person), Count(res.DeletedFaces, "face"),
		listed(res.DeletedImages, "image"), listed(res.KeptImages, "image"))
}

// listed returns the count of keys with noun, followed by the keys in
// parentheses when there are some.
func listed(keys []string, noun string) string {
	if len(keys) == 0 {
		return Count(0, noun)
	}
	return Count(len(keys), noun) + " (" + safeJoin(keys) + ")"
}

// Count returns n and noun, a countable English noun with a regular
// plural, in the singular for 1 and with "s" added otherwise: "1 face",
// "0 faces", "2 faces".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
