package handler

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// casesDir holds the inputs that failed for users of systems like ours,
// copied from the field; each folder is one case with its case.md.
const casesDir = "testdata/cases"

// caseChecks gives each case folder its expected behaviour. A folder
// without an entry fails TestCases, so no case is skipped silently.
var caseChecks = map[string]func(t *testing.T, h *harness, event []byte){
	"s3-event-delivered-twice": func(t *testing.T, h *harness, event []byte) {
		h.put(t, "dup/obama_1.jpg", "obama_1.jpg", "")
		deliverS3(t, h, event)
		first := servicetest.FaceIDs(h.faceItems(t))
		collection := len(h.env.Rek.Faces())
		deliverS3(t, h, event)
		if got := servicetest.FaceIDs(h.faceItems(t)); strings.Join(got, ",") != strings.Join(first, ",") || len(first) != 1 {
			t.Errorf("face items after second delivery = %v, after first = %v", got, first)
		}
		if got := len(h.env.Rek.Faces()); got != collection || got != 1 {
			t.Errorf("collection holds %d faces after second delivery, %d after first", got, collection)
		}
		if n := h.env.Rek.Calls("IndexFaces"); n != 1 {
			t.Errorf("IndexFaces called %d times, want 1", n)
		}
	},
	"s3-key-url-encoded": func(t *testing.T, h *harness, event []byte) {
		h.put(t, "uploads/Jane Doe+1.jpg", "biden_2.jpg", "")
		deliverS3(t, h, event)
		items := h.faceItems(t)
		if len(items) != 1 || items[0]["ObjectKey"] != "uploads/Jane Doe+1.jpg" {
			t.Fatalf("face items = %v, want one with the real key", items)
		}
		ext, _ := items[0]["ExternalImageId"].(string)
		if !regexp.MustCompile(`^[a-zA-Z0-9_.\-:]{1,255}$`).MatchString(ext) {
			t.Errorf("ExternalImageId %q does not match Rekognition's pattern", ext)
		}
	},
	"s3-multipart-upload": func(t *testing.T, h *harness, event []byte) {
		h.put(t, "big/obama_2.jpg", "obama_2.jpg", "")
		deliverS3(t, h, event)
		if items := h.faceItems(t); len(items) != 1 || items[0]["ObjectKey"] != "big/obama_2.jpg" {
			t.Errorf("face items = %v, want the face of big/obama_2.jpg", items)
		}
	},
	"s3-several-records": func(t *testing.T, h *harness, event []byte) {
		keys := map[string]string{"a/obama_1.jpg": "obama_1.jpg", "a/biden_2.jpg": "biden_2.jpg", "a/collins_1.png": "collins_1.png"}
		for k, p := range keys {
			h.put(t, k, p, "")
		}
		// The first IndexFaces call fails: the other records are indexed
		// and the failure is reported, so the event is retried.
		h.env.Rek.FailNext("IndexFaces", 1, "InternalServerError", http.StatusInternalServerError)
		if _, err := h.index(t, withBucket(t, event, h.env.Bucket)); err == nil || !strings.Contains(err.Error(), "a/obama_1.jpg") {
			t.Fatalf("error = %v, want one naming the failed record a/obama_1.jpg", err)
		}
		if got := servicetest.ObjectKeys(h.faceItems(t)); strings.Join(got, ",") != "a/biden_2.jpg,a/collins_1.png" {
			t.Fatalf("indexed after a failed record: %v", got)
		}
		deliverS3(t, h, event)
		if got := servicetest.ObjectKeys(h.faceItems(t)); strings.Join(got, ",") != "a/biden_2.jpg,a/collins_1.png,a/obama_1.jpg" {
			t.Errorf("indexed after retry: %v", got)
		}
		for _, it := range h.faceItems(t) {
			if it["Bucket"] != h.env.Bucket {
				t.Errorf("item %v has bucket %v", it["ObjectKey"], it["Bucket"])
			}
		}
		if n := len(h.env.Rek.Faces()); n != 3 {
			t.Errorf("collection holds %d faces, want 3", n)
		}
	},
	"s3-test-event": func(t *testing.T, h *harness, event []byte) {
		deliverS3(t, h, event) // fails the test on a function error or batch item failure
		if n := h.env.Rek.Calls("IndexFaces"); n != 0 {
			t.Errorf("IndexFaces called %d times on a test event", n)
		}
	},
	"search-base64-text-body": func(t *testing.T, h *harness, event []byte) {
		indexPhoto(t, h, "index/obama_1.jpg", "obama_1.jpg", "obama")
		indexPhoto(t, h, "index/biden_2.jpg", "biden_2.jpg", "biden")
		var asText contract.SearchResult
		resp := h.search(t, proxyRequest(t, event), &asText)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		if len(asText.Faces) != 1 || len(asText.Faces[0].Matches) == 0 || asText.Faces[0].Matches[0].Person != "obama" {
			t.Fatalf("result = %+v, want a first match on obama", asText)
		}
		raw := searchRequest([]byte(base64.StdEncoding.EncodeToString(photos.MustRead("obama_2.jpg"))), true, "image/jpeg")
		var asBytes contract.SearchResult
		h.search(t, raw, &asBytes)
		a, _ := json.Marshal(asText)
		b, _ := json.Marshal(asBytes)
		if string(a) != string(b) {
			t.Errorf("raw bytes answer %s, base64 text answers %s", b, a)
		}
	},
	"search-corrupt-png": func(t *testing.T, h *harness, event []byte) {
		wantImageRefused(t, h, event, http.StatusUnprocessableEntity, contract.CodeInvalidImage, "png image is corrupt")
	},
	"search-empty-body": func(t *testing.T, h *harness, event []byte) {
		wantError(t, h, proxyRequest(t, event), http.StatusBadRequest, contract.CodeImageRequired, "image is required")
	},
	"search-no-face": func(t *testing.T, h *harness, event []byte) {
		indexPhoto(t, h, "index/obama_1.jpg", "obama_1.jpg", "obama")
		var res contract.SearchResult
		resp := h.search(t, proxyRequest(t, event), &res)
		if resp.StatusCode != http.StatusOK || res.Faces == nil || len(res.Faces) != 0 {
			t.Errorf("status %d body %s, want 200 with \"faces\": []", resp.StatusCode, resp.Body)
		}
		if !strings.Contains(resp.Body, `"faces":[]`) {
			t.Errorf("body %s does not say \"faces\":[]", resp.Body)
		}
	},
	"search-not-an-image": func(t *testing.T, h *harness, event []byte) {
		eb := wantError(t, h, proxyRequest(t, event), http.StatusUnsupportedMediaType, contract.CodeUnsupportedMedia, "JPEG")
		if !strings.Contains(eb.Error.Message, "PNG") {
			t.Errorf("message %q does not name PNG", eb.Error.Message)
		}
		if eb.RequestID != "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" {
			t.Errorf("requestId = %q, want the API Gateway request id", eb.RequestID)
		}
	},
	"search-too-many-pixels": func(t *testing.T, h *harness, event []byte) {
		wantImageRefused(t, h, event, http.StatusRequestEntityTooLarge, contract.CodeImageTooLarge, "10000x5001 pixels; the most this service accepts is 50000000 pixels")
	},
	"search-truncated-jpeg": func(t *testing.T, h *harness, event []byte) {
		wantImageRefused(t, h, event, http.StatusUnprocessableEntity, contract.CodeInvalidImage, "jpeg image is truncated")
	},
	"search-tiny-image": func(t *testing.T, h *harness, event []byte) {
		wantError(t, h, proxyRequest(t, event), http.StatusUnprocessableEntity, contract.CodeImageTooSmall, "80x80")
	},
}

// TestCases runs every folder of testdata/cases. S3 events are delivered
// both directly and wrapped in SQS messages, as the construct wires them.
func TestCases(t *testing.T) {
	dirs, err := os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		check, ok := caseChecks[d.Name()]
		if !ok {
			t.Errorf("case %s has no expected behaviour in caseChecks", d.Name())
			continue
		}
		event, err := os.ReadFile(filepath.Join(casesDir, d.Name(), "event.json"))
		if err != nil {
			t.Fatal(err)
		}
		wrappings := []string{"direct"}
		if strings.HasPrefix(d.Name(), "s3-") {
			wrappings = append(wrappings, "sqs")
		}
		for _, w := range wrappings {
			t.Run(d.Name()+"/"+w, func(t *testing.T) {
				h := newHarness(t)
				h.sqs = w == "sqs"
				check(t, h, event)
				if strings.HasPrefix(d.Name(), "search-") {
					assertNoImageBytesLogged(t, h)
				}
			})
		}
	}
}

// deliverS3 delivers an S3 event (rewritten to the stand-in's bucket)
// directly or in an SQS message, and fails the test on any failure.
func deliverS3(t *testing.T, h *harness, event []byte) {
	t.Helper()
	event = withBucket(t, event, h.env.Bucket)
	if !h.sqs {
		if _, err := h.index(t, event); err != nil {
			t.Fatalf("index: %v", err)
		}
		return
	}
	resp, err := h.index(t, sqsEvent(event))
	if err != nil || resp == nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("index over SQS: resp %+v, err %v", resp, err)
	}
}

// indexPhoto stores a sample photo with a person and indexes it.
func indexPhoto(t *testing.T, h *harness, key, photoName, person string) {
	t.Helper()
	h.put(t, key, photoName, person)
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectCreated:Put", key))
}

func proxyRequest(t *testing.T, event []byte) events.APIGatewayProxyRequest {
	t.Helper()
	var req events.APIGatewayProxyRequest
	if err := json.Unmarshal(event, &req); err != nil {
		t.Fatal(err)
	}
	return req
}

// wantError runs a search that must fail with status and code before any
// call to Rekognition, with a message containing text.
func wantError(t *testing.T, h *harness, req events.APIGatewayProxyRequest, status int, code, text string) contract.ErrorBody {
	t.Helper()
	var eb contract.ErrorBody
	resp := h.search(t, req, &eb)
	if resp.StatusCode != status || eb.Error.Code != code || !strings.Contains(eb.Error.Message, text) {
		t.Errorf("got %d %s, want %d %s with %q", resp.StatusCode, resp.Body, status, code, text)
	}
	if n := h.env.Rek.Calls("SearchFacesByImage"); n != 0 {
		t.Errorf("Rekognition was called %d times", n)
	}
	return eb
}

// wantImageRefused checks an image every route that takes one refuses
// before any Rekognition call: search, search by person, search of all
// faces (wantError), and an upload, recorded as rejected with the same
// message.
func wantImageRefused(t *testing.T, h *harness, event []byte, status int, code, text string) {
	t.Helper()
	req := proxyRequest(t, event)
	eb := wantError(t, h, req, status, code, text)
	for _, query := range []map[string]string{{contract.ByParam: contract.ByPerson}, {contract.FacesParam: contract.FacesAll}} {
		req.QueryStringParameters = query
		if again := wantError(t, h, req, status, code, text); again.Error.Message != eb.Error.Message {
			t.Errorf("%v: message %q, plain search %q", query, again.Error.Message, eb.Error.Message)
		}
	}
	body, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	h.env.PutObject(t, "index/upload", body, nil)
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectCreated:Put", "index/upload"))
	if img := h.core.ImageItem(t, "index/upload"); img == nil || img["Status"] != contract.StatusRejected || img["Reason"] != eb.Error.Message {
		t.Errorf("upload: image item %v, want rejected with %q", img, eb.Error.Message)
	}
	for _, op := range []string{"SearchFacesByImage", "SearchUsersByImage", "DetectFaces", "IndexFaces"} {
		if n := h.env.Rek.Calls(op); n != 0 {
			t.Errorf("%s called %d times", op, n)
		}
	}
}

// assertNoImageBytesLogged fails if the logs hold anything like image data.
func assertNoImageBytesLogged(t *testing.T, h *harness) {
	t.Helper()
	if strings.Contains(h.logs.String(), "/9j/") || len(h.logs.String()) > 20000 {
		t.Errorf("logs hold image bytes (%d bytes of logs)", h.logs.Len())
	}
}
