package handler

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// TestSearch_awsErrorsMapToStatuses injects each AWS error on the calls a
// search makes and checks the deliberate status each maps to.
func TestSearch_awsErrorsMapToStatuses(t *testing.T) {
	tests := []struct {
		name       string
		op         string
		code       string
		httpStatus int
		want       int
		retryAfter bool
	}{
		{"Rekognition throttling", "SearchFacesByImage", "ThrottlingException", 400, http.StatusTooManyRequests, true},
		{"Rekognition throughput", "SearchFacesByImage", "ProvisionedThroughputExceededException", 400, http.StatusTooManyRequests, true},
		{"Rekognition limit", "SearchFacesByImage", "LimitExceededException", 400, http.StatusTooManyRequests, true},
		{"Rekognition server error", "SearchFacesByImage", "InternalServerError", 500, http.StatusBadGateway, false},
		{"Rekognition image format", "SearchFacesByImage", "InvalidImageFormatException", 400, http.StatusUnsupportedMediaType, false},
		{"Rekognition image size", "SearchFacesByImage", "ImageTooLargeException", 400, http.StatusRequestEntityTooLarge, false},
		{"Rekognition unusable image", "SearchFacesByImage", "InvalidParameterException", 400, http.StatusUnprocessableEntity, false},
		{"Rekognition access denied", "SearchFacesByImage", "AccessDeniedException", 400, http.StatusInternalServerError, false},
		{"collection missing", "SearchFacesByImage", "ResourceNotFoundException", 400, http.StatusInternalServerError, false},
		{"DynamoDB throttling", "BatchGetItem", "ProvisionedThroughputExceededException", 400, http.StatusTooManyRequests, true},
		{"DynamoDB server error", "BatchGetItem", "InternalServerError", 500, http.StatusBadGateway, false},
		{"DynamoDB access denied", "BatchGetItem", "AccessDeniedException", 400, http.StatusInternalServerError, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			indexPhoto(t, h, "index/obama_1.jpg", "obama_1.jpg", "obama")
			fail := h.env.Rek.FailNext
			if tc.op == "BatchGetItem" {
				fail = h.env.DB.FailNext
			}
			fail(tc.op, 1, tc.code, tc.httpStatus)
			var eb contract.ErrorBody
			resp := h.search(t, searchRequest(photos.MustRead("obama_2.jpg"), false, "image/jpeg"), &eb)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, resp.Body, tc.want)
			}
			if got := resp.Headers["Retry-After"] != ""; got != tc.retryAfter {
				t.Errorf("Retry-After present = %v, want %v", got, tc.retryAfter)
			}
			if tc.want >= 500 && !strings.Contains(h.logs.String(), tc.code) {
				t.Errorf("the cause %s was not logged", tc.code)
			}
		})
	}
}

// TestSearch_bodyEncodings covers every way a client may send the photo.
func TestSearch_bodyEncodings(t *testing.T) {
	h := newHarness(t)
	indexPhoto(t, h, "index/obama_1.jpg", "obama_1.jpg", "obama")
	img := photos.MustRead("obama_2.jpg")
	b64 := base64.StdEncoding.EncodeToString(img)
	jsonBody, _ := json.Marshal(map[string]string{"image": b64})
	wrapped := strings.Join([]string{b64[:76], b64[76:152], b64[152:]}, "\n")
	ok := []struct {
		name string
		body []byte
		b64  bool
		ct   string
	}{
		{"raw bytes", img, false, "image/jpeg"},
		{"binary media type", []byte(b64), true, "image/jpeg"},
		{"base64 text", []byte(b64), false, "text/plain"},
		{"base64 text wrapped at 76 columns", []byte(wrapped), false, "text/plain"},
		{"url-safe base64", []byte(base64.RawURLEncoding.EncodeToString(img)), false, "text/plain"},
		{"data URL", []byte("data:image/jpeg;base64," + b64), false, "text/plain"},
		{"JSON", jsonBody, false, "application/json"},
		{"JSON delivered base64-encoded", []byte(base64.StdEncoding.EncodeToString(jsonBody)), true, "application/json"},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			var res contract.SearchResult
			resp := h.search(t, searchRequest(tc.body, tc.b64, tc.ct), &res)
			if resp.StatusCode != http.StatusOK || len(res.Faces) != 1 || res.Faces[0].Matches[0].Person != "obama" {
				t.Errorf("status %d body %s", resp.StatusCode, resp.Body)
			}
		})
	}
	bad := []struct {
		name   string
		body   []byte
		b64    bool
		status int
		code   string
	}{
		{"invalid JSON", []byte(`{"image": `), false, http.StatusBadRequest, contract.CodeInvalidBody},
		{"JSON without image", []byte(`{"photo": "x"}`), false, http.StatusBadRequest, contract.CodeImageRequired},
		{"JSON image not base64", []byte(`{"image": "***"}`), false, http.StatusBadRequest, contract.CodeInvalidBody},
		{"flagged base64 but not", []byte("***"), true, http.StatusBadRequest, contract.CodeInvalidBody},
		{"white space only", []byte(" \n"), false, http.StatusBadRequest, contract.CodeImageRequired},
		{"plain text", []byte("hello, world"), false, http.StatusUnsupportedMediaType, contract.CodeUnsupportedMedia},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00"), false, http.StatusUnsupportedMediaType, contract.CodeUnsupportedMedia},
		{"truncated JPEG", img[:40], false, http.StatusUnprocessableEntity, contract.CodeInvalidImage},
		{"over 5 MB", append(append([]byte{}, img...), make([]byte, contract.MaxImageBytes)...), false, http.StatusRequestEntityTooLarge, contract.CodeImageTooLarge},
		{"tiny PNG", tinyPNG(t, 79, 200), false, http.StatusUnprocessableEntity, contract.CodeImageTooSmall},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			before := h.env.Rek.Calls("SearchFacesByImage")
			var eb contract.ErrorBody
			resp := h.search(t, searchRequest(tc.body, tc.b64, "text/plain"), &eb)
			if resp.StatusCode != tc.status || eb.Error.Code != tc.code {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, resp.Body, tc.status, tc.code)
			}
			if h.env.Rek.Calls("SearchFacesByImage") != before {
				t.Error("Rekognition was called for a refused body")
			}
		})
	}
}

func TestInfo(t *testing.T) {
	h := newHarness(t)
	resp, err := h.api.Info(context.Background(), searchRequest(nil, false, ""))
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, resp)
	var info contract.InfoBody
	if err := json.Unmarshal([]byte(resp.Body), &info); err != nil {
		t.Fatal(err)
	}
	want := contract.InfoBody{
		CollectionID: "test-collection", FaceMatchThreshold: 80, MaxFaces: 10, QualityFilter: "AUTO",
		ImagePrefix: "index/", SearchMaxImageBytes: 5 << 20, IndexMaxImageBytes: 15 << 20, MinImageDimension: 80, MaxImagePixels: 50_000_000,
		AcceptedFormats: []string{"image/jpeg", "image/png"}, Version: contract.Version,
	}
	a, _ := json.Marshal(info)
	b, _ := json.Marshal(want)
	if !bytes.Equal(a, b) {
		t.Errorf("info = %s, want %s", a, b)
	}
	if strings.Contains(resp.Body, "test-table") {
		t.Error("info leaks the table name")
	}
}

// TestHandlers_pathAndQueryParameters: the handlers decode the
// percent-encoded path parameters before calling the service, and refuse
// the parameter values the service has no say in (bad escapes, limits
// that are not integers, faces values other than "all") before calling it.
func TestHandlers_pathAndQueryParameters(t *testing.T) {
	t.Run("bad faces value", func(t *testing.T) {
		h := newHarness(t)
		for _, v := range []string{"", "ALL", "largest", "2"} {
			req := searchAllRequest(photos.MustRead("group_obama_biden.jpg"))
			req.QueryStringParameters[contract.FacesParam] = v
			wantError(t, h, req, http.StatusBadRequest, contract.CodeInvalidParameter, fmt.Sprintf("not %q", v))
		}
		if n := h.env.Rek.Calls("DetectFaces"); n != 0 {
			t.Errorf("DetectFaces called %d times", n)
		}
	})
	t.Run("filename", func(t *testing.T) {
		h := newHarness(t)
		// S3 events carry the key form-encoded, API Gateway passes the
		// path parameter percent-encoded.
		h.put(t, "index/Jane Doe+1.jpg", "biden_2.jpg", "")
		deliverS3(t, h, s3Event(h.env.Bucket, "ObjectCreated:Put", "index/Jane+Doe%2B1.jpg"))
		if resp, st := h.status(t, "Jane%20Doe+1.jpg"); st.Status != contract.StatusIndexed || st.Key != "index/Jane Doe+1.jpg" {
			t.Errorf("escaped filename: %d %s", resp.StatusCode, resp.Body)
		}
		if resp, _ := h.status(t, "bad%zzescape"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("bad escape: %d %s", resp.StatusCode, resp.Body)
		}
	})
	t.Run("person", func(t *testing.T) {
		h := newHarness(t)
		indexPhoto(t, h, "index/a.jpg", "obama_1.jpg", "Barack Obama")
		var p contract.Person
		if resp := h.persons(t, "Barack%20Obama", nil, &p); resp.StatusCode != http.StatusOK || p.Person != "Barack Obama" || len(p.Faces) != 1 {
			t.Errorf("GET /persons/Barack%%20Obama: %d %s", resp.StatusCode, resp.Body)
		}
		if resp := h.persons(t, "bad%zz", nil, new(any)); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /persons/bad%%zz: %d %s", resp.StatusCode, resp.Body)
		}
		if resp := h.deletePerson(t, "bad%zz", new(any)); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("DELETE /persons/bad%%zz: %d %s", resp.StatusCode, resp.Body)
		}
		var deleted contract.DeletedPerson
		if resp := h.deletePerson(t, "Barack%20Obama", &deleted); resp.StatusCode != http.StatusOK || deleted.Person != "Barack Obama" || deleted.DeletedFaces != 1 {
			t.Errorf("DELETE /persons/Barack%%20Obama: %d %s", resp.StatusCode, resp.Body)
		}
	})
	t.Run("limit not an integer", func(t *testing.T) {
		h := newHarness(t)
		if resp := h.faces(t, "", map[string]string{contract.LimitParam: "ten"}, nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /faces?limit=ten: %d %s", resp.StatusCode, resp.Body)
		}
		if resp := h.persons(t, "", map[string]string{contract.LimitParam: "x"}, new(any)); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /persons?limit=x: %d %s", resp.StatusCode, resp.Body)
		}
	})
}

// tinyPNG encodes a w×h PNG.
func tinyPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	return servicetest.TinyPNG(t, w, h)
}
