package metrics

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/contract"
)

// parseLines decodes each line of out as a generic JSON object, so that
// the test checks the EMF structure itself, not this package's types.
func parseLines(t *testing.T, out []byte) []map[string]any {
	t.Helper()
	var docs []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line is not a JSON object: %v: %s", err, sc.Text())
		}
		docs = append(docs, m)
	}
	return docs
}

// TestEmit_documentsFollowTheSpecification: one document of totals under
// CollectionId, one per reason under CollectionId and Reason, each with
// the _aws metadata (Timestamp in ms, one directive naming Namespace,
// Dimensions and Metrics with Name and Unit) and the values as top-level
// members.
func TestEmit_documentsFollowTheSpecification(t *testing.T) {
	var buf bytes.Buffer
	e := NewEmitter(&buf, "faces")
	at := time.UnixMilli(1_700_000_000_123)
	e.now = func() time.Time { return at }
	c := NewCounts(contract.MetricFacesIndexed, contract.MetricFacesNotIndexed, contract.MetricImagesRejected)
	c.Add(contract.MetricFacesIndexed, 3)
	c.Add(contract.MetricFacesNotIndexed, 2)
	c.AddReason(contract.MetricFacesNotIndexed, "LOW_SHARPNESS", 2)
	c.AddReason(contract.MetricFacesNotIndexed, "EXTREME_POSE", 1)
	c.AddReason(contract.MetricFacesNotIndexed, "", 5) // ignored
	if err := e.Emit(c); err != nil {
		t.Fatal(err)
	}
	docs := parseLines(t, buf.Bytes())
	metric := func(names ...string) []any {
		var out []any
		for _, n := range names {
			out = append(out, map[string]any{"Name": n, "Unit": "Count"})
		}
		return out
	}
	aws := func(dims []any, metrics []any) map[string]any {
		return map[string]any{
			"Timestamp": float64(1_700_000_000_123),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace": "FaceRecognition", "Dimensions": []any{dims}, "Metrics": metrics,
			}},
		}
	}
	want := []map[string]any{
		{
			"_aws":            aws([]any{"CollectionId"}, metric("FacesIndexed", "FacesNotIndexed", "ImagesRejected")),
			"CollectionId":    "faces",
			"FacesIndexed":    float64(3),
			"FacesNotIndexed": float64(2),
			"ImagesRejected":  float64(0),
		},
		{
			"_aws":            aws([]any{"CollectionId", "Reason"}, metric("FacesNotIndexed")),
			"CollectionId":    "faces",
			"Reason":          "EXTREME_POSE",
			"FacesNotIndexed": float64(1),
		},
		{
			"_aws":            aws([]any{"CollectionId", "Reason"}, metric("FacesNotIndexed")),
			"CollectionId":    "faces",
			"Reason":          "LOW_SHARPNESS",
			"FacesNotIndexed": float64(2),
		},
	}
	if !reflect.DeepEqual(docs, want) {
		got, _ := json.MarshalIndent(docs, "", " ")
		t.Errorf("documents:\n%s", got)
	}
}

// TestDocument_roundTrip: a written document reads back into the same
// Document.
func TestDocument_roundTrip(t *testing.T) {
	e := NewEmitter(nil, "c")
	c := NewCounts(contract.MetricSearches)
	c.Add(contract.MetricSearches, 1)
	d := e.Documents(c)[0]
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Document
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.AWS, d.AWS) || back.Members["Searches"] != float64(1) || back.Members["CollectionId"] != "c" {
		t.Errorf("read back %+v from %s", back, b)
	}
}

// TestEmit_nothingWithoutMetrics: Counts that declare nothing and saw
// nothing write no line; a nil Emitter writes nothing.
func TestEmit_nothingWithoutMetrics(t *testing.T) {
	var buf bytes.Buffer
	if err := NewEmitter(&buf, "c").Emit(NewCounts()); err != nil || buf.Len() != 0 {
		t.Errorf("wrote %q, err %v", buf.String(), err)
	}
	var nilEmitter *Emitter
	if err := nilEmitter.Emit(NewCounts(contract.MetricSearches)); err != nil {
		t.Error(err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestEmit_reportsWriteErrors: a failed write is returned to the caller.
func TestEmit_reportsWriteErrors(t *testing.T) {
	if err := NewEmitter(failingWriter{}, "c").Emit(NewCounts(contract.MetricSearches)); err == nil {
		t.Error("no error from a failed write")
	}
}

// BenchmarkEmit: the metrics of one search invocation (one document).
func BenchmarkEmit(b *testing.B) {
	e := NewEmitter(io.Discard, "faces")
	b.ReportAllocs()
	for b.Loop() {
		c := NewCounts(contract.MetricSearches, contract.MetricMatches, contract.MetricRekognitionThrottles)
		c.Add(contract.MetricSearches, 1)
		c.Add(contract.MetricMatches, 3)
		if err := e.Emit(c); err != nil {
			b.Fatal(err)
		}
	}
}
