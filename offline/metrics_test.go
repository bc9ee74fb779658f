package offline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/lambdas/handler"
)

// TestMetrics_goToTheLog: offline, the handlers' EMF documents are logged
// as "metrics" records (the document in "emf"), and HTTP answers hold none.
func TestMetrics_goToTheLog(t *testing.T) {
	var logs bytes.Buffer
	l := testLocalLogging(t, handler.NewLogger(&logs))

	const key = "index/obama_1.jpg"
	if _, err := l.Objects.Put(key, photos.MustRead("obama_1.jpg"), "image/jpeg", nil); err != nil {
		t.Fatal(err)
	}
	ev, _ := json.Marshal(events.SQSEvent{Records: []events.SQSMessage{{
		MessageId: "m0", EventSource: "aws:sqs", Body: string(s3Notification(BucketName, "ObjectCreated:Put", key, 0)),
	}}})
	if resp, err := l.Indexer.Handle(t.Context(), ev); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("index: %+v %v", resp, err)
	}
	rec := httptest.NewRecorder()
	l.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/search", bytes.NewReader(photos.MustRead("obama_2.jpg"))))
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "_aws") {
		t.Fatalf("search: %d %s", rec.Code, rec.Body.String())
	}

	values := map[string]float64{}
	sc := bufio.NewScanner(&logs)
	for sc.Scan() {
		var r struct {
			Msg string         `json:"msg"`
			EMF map[string]any `json:"emf"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		if r.Msg != "metrics" {
			continue
		}
		if _, ok := r.EMF["_aws"]; !ok || r.EMF["CollectionId"] != CollectionID {
			t.Errorf("metrics record without an EMF document of the collection: %s", sc.Text())
		}
		for _, name := range []string{"FacesIndexed", "Searches", "Matches"} {
			if v, ok := r.EMF[name].(float64); ok {
				values[name] += v
			}
		}
	}
	if values["FacesIndexed"] != 1 || values["Searches"] != 1 || values["Matches"] != 1 {
		t.Errorf("logged metrics %v, want one face indexed, one search, one match", values)
	}
}
