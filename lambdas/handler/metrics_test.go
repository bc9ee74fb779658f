package handler

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image/color"
	"maps"
	"net/http"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/awstest"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
	"github.com/facerec/facerec-cdk/lambdas/metrics"
)

// emitted reads the EMF lines of out and checks each against the EMF
// specification as the construct's alarms rely on it: a "_aws" member with
// a millisecond Timestamp and one directive in contract.MetricsNamespace
// whose one dimension set starts with CollectionId; a string member for
// each dimension, a number member for each metric, unit Count.
func emitted(t testing.TB, out *bytes.Buffer) []metrics.Document {
	t.Helper()
	var docs []metrics.Document
	sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
	for sc.Scan() {
		var d metrics.Document
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("metrics line is not an EMF document: %v: %s", err, sc.Text())
		}
		if d.AWS.Timestamp < 1e12 || len(d.AWS.CloudWatchMetrics) != 1 {
			t.Fatalf("bad _aws metadata: %s", sc.Text())
		}
		dir := d.AWS.CloudWatchMetrics[0]
		if dir.Namespace != contract.MetricsNamespace || len(dir.Dimensions) != 1 || len(dir.Dimensions[0]) == 0 ||
			dir.Dimensions[0][0] != contract.MetricsDimensionCollectionId || len(dir.Metrics) == 0 {
			t.Fatalf("bad directive: %s", sc.Text())
		}
		for _, dim := range dir.Dimensions[0] {
			if _, ok := d.Members[dim].(string); !ok {
				t.Fatalf("dimension %s has no string member: %s", dim, sc.Text())
			}
		}
		for _, m := range dir.Metrics {
			if _, ok := d.Members[m.Name].(float64); !ok || m.Unit != "Count" {
				t.Fatalf("metric %s has no number member or unit Count: %s", m.Name, sc.Text())
			}
		}
		docs = append(docs, d)
	}
	return docs
}

// metricValues returns, for each document whose dimensions are exactly
// dims (name → value), the value of the metric name it holds, summed.
// ok is false when no such document holds the metric.
func metricValues(docs []metrics.Document, name string, dims map[string]string) (sum int, ok bool) {
	for _, d := range docs {
		dir := d.AWS.CloudWatchMetrics[0]
		got := map[string]string{}
		for _, dim := range dir.Dimensions[0] {
			got[dim] = d.Members[dim].(string)
		}
		if !maps.Equal(got, dims) {
			continue
		}
		for _, m := range dir.Metrics {
			if m.Name == name {
				sum += int(d.Members[name].(float64))
				ok = true
			}
		}
	}
	return sum, ok
}

// assertMetrics checks the summed values of metrics under dims.
func assertMetrics(t testing.TB, docs []metrics.Document, dims map[string]string, want map[string]int) {
	t.Helper()
	for name, n := range want {
		if got, ok := metricValues(docs, name, dims); !ok || got != n {
			t.Errorf("%s %v = %d (reported %v), want %d", name, dims, got, ok, n)
		}
	}
}

// TestMetrics_indexInvocation: one SQS event with faces indexed and left
// out, images rejected for two reasons and a throttled image gives one
// document of totals and one per reason.
func TestMetrics_indexInvocation(t *testing.T) {
	h := newHarness(t, func(p *servicetest.Parts) {
		p.Config.MaxFaces = 1 // the group photo's second face: EXCEEDS_MAX_FACES
		p.Rekognition = fastRetries{p.Rekognition}
	})
	h.put(t, "index/throttled.jpg", "biden_2.jpg", "")
	h.put(t, "index/group.jpg", "group_obama_biden.jpg", "")
	h.put(t, "index/obama.jpg", "obama_1.jpg", "")
	h.env.PutObject(t, "index/tiny.png", awstest.PNG(t, 50, 50, color.White), nil)
	h.env.PutObject(t, "index/notes.txt", []byte("not an image"), nil)
	h.env.Rek.FailNext("IndexFaces", 3, "ThrottlingException", http.StatusBadRequest) // every attempt of the first call
	var bodies [][]byte
	for _, k := range []string{"throttled.jpg", "group.jpg", "obama.jpg", "tiny.png", "notes.txt"} {
		bodies = append(bodies, s3Event(h.env.Bucket, "ObjectCreated:Put", "index/"+k))
	}
	resp, err := h.index(t, sqsEvent(bodies...))
	if err != nil || len(resp.BatchItemFailures) != 1 {
		t.Fatalf("resp %+v err %v, want the throttled message failed", resp, err)
	}
	docs := emitted(t, h.metrics)
	if len(docs) != 4 {
		t.Fatalf("%d documents, want 4 (totals, EXCEEDS_MAX_FACES, IMAGE_TOO_SMALL, UNSUPPORTED_MEDIA_TYPE)", len(docs))
	}
	collection := map[string]string{"CollectionId": h.cfg.CollectionID}
	assertMetrics(t, docs, collection, map[string]int{
		"FacesIndexed": 2, "FacesNotIndexed": 1, "ImagesRejected": 2, "RekognitionThrottles": 1,
	})
	reason := func(r string) map[string]string {
		return map[string]string{"CollectionId": h.cfg.CollectionID, "Reason": r}
	}
	assertMetrics(t, docs, reason("EXCEEDS_MAX_FACES"), map[string]int{"FacesNotIndexed": 1})
	assertMetrics(t, docs, reason(contract.CodeImageTooSmall), map[string]int{"ImagesRejected": 1})
	assertMetrics(t, docs, reason(contract.CodeUnsupportedMedia), map[string]int{"ImagesRejected": 1})
	for _, other := range []string{"Searches", "Matches"} {
		if _, ok := metricValues(docs, other, collection); ok {
			t.Errorf("the index function reported %s", other)
		}
	}

	// The redelivered message indexes the image; the same bytes again
	// (a duplicate delivery) are not counted as indexed twice.
	h.metrics.Reset()
	for range 2 {
		if resp, err := h.index(t, sqsEvent(bodies[0])); err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("retry: %+v %v", resp, err)
		}
	}
	docs = emitted(t, h.metrics)
	if len(docs) != 2 {
		t.Fatalf("%d documents for two invocations without reasons, want 2", len(docs))
	}
	assertMetrics(t, docs, collection, map[string]int{"FacesIndexed": 1, "FacesNotIndexed": 0, "ImagesRejected": 0, "RekognitionThrottles": 0})
}

// TestMetrics_searchInvocations: a search reports Searches and Matches; a
// request refused before Rekognition reports no search; a throttled one
// reports the throttle.
func TestMetrics_searchInvocations(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/a.jpg", "obama_1.jpg", "")
	indexPhoto(t, h, "index/b.jpg", "obama_2.jpg", "")
	collection := map[string]string{"CollectionId": h.cfg.CollectionID}
	obama := photos.MustRead("obama_1.jpg")
	for _, tc := range []struct {
		name   string
		setup  func()
		body   []byte
		status int
		want   map[string]int
	}{
		{"matches", func() {}, obama, http.StatusOK, map[string]int{"Searches": 1, "Matches": 2, "RekognitionThrottles": 0}},
		{"refused", func() {}, []byte("not an image"), http.StatusUnsupportedMediaType, map[string]int{"Searches": 0, "Matches": 0, "RekognitionThrottles": 0}},
		{"throttled", func() { h.env.Rek.FailNext("SearchFacesByImage", 1, "ThrottlingException", http.StatusBadRequest) },
			obama, http.StatusTooManyRequests, map[string]int{"Searches": 1, "Matches": 0, "RekognitionThrottles": 1}},
		{"upstream failure", func() {
			h.env.Rek.FailNext("SearchFacesByImage", 1, "InternalServerError", http.StatusInternalServerError)
		},
			obama, http.StatusBadGateway, map[string]int{"Searches": 1, "Matches": 0, "RekognitionThrottles": 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.metrics.Reset()
			tc.setup()
			if resp := h.search(t, searchRequest(tc.body, false, "image/jpeg"), nil); resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, resp.Body)
			}
			docs := emitted(t, h.metrics)
			if len(docs) != 1 {
				t.Fatalf("%d documents, want 1", len(docs))
			}
			assertMetrics(t, docs, collection, tc.want)
			if _, ok := metricValues(docs, "FacesIndexed", collection); ok {
				t.Error("the search function reported FacesIndexed")
			}
		})
	}
}
