package handler

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
)

// contractRouter routes requests to the operations of the OpenAPI
// document.
func contractRouter(t *testing.T) routers.Router {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(contract.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return router
}

// findRoute returns the request method path (on the document's local
// server), its operation in the document and its path parameters.
func findRoute(t *testing.T, router routers.Router, method, path string) (*http.Request, *routers.Route, map[string]string) {
	t.Helper()
	req := httptest.NewRequest(method, "http://127.0.0.1:8080"+path, nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s is not in the document: %v", method, path, err)
	}
	return req, route, params
}

// checkContract validates resp as the answer to method path (on the
// document's local server): the operation must document its status itself,
// not only through the default response, and its headers and JSON body must
// match that response's.
func checkContract(t *testing.T, router routers.Router, method, path string, resp events.APIGatewayProxyResponse) {
	t.Helper()
	req, route, params := findRoute(t, router, method, path)
	if route.Operation.Responses.Value(strconv.Itoa(resp.StatusCode)) == nil {
		t.Fatalf("%s %s: status %d is not documented (%s)", method, path, resp.StatusCode, resp.Body)
	}
	header := http.Header{}
	for k, v := range resp.Headers {
		header.Set(k, v)
	}
	if resp.IsBase64Encoded {
		// A binary answer: its Content-Type must be one the response
		// documents, and its body must be the base64 API Gateway decodes.
		ct := header.Get("Content-Type")
		if route.Operation.Responses.Value(strconv.Itoa(resp.StatusCode)).Value.Content.Get(ct) == nil {
			t.Errorf("%s %s %d: Content-Type %q is not documented", method, path, resp.StatusCode, ct)
		}
		if _, err := base64.StdEncoding.DecodeString(resp.Body); err != nil {
			t.Errorf("%s %s %d: the body is not base64: %v", method, path, resp.StatusCode, err)
		}
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in.SetBodyBytes([]byte(resp.Body))); err != nil {
		t.Errorf("%s %s %d does not match the document: %v\nbody: %s", method, path, resp.StatusCode, err, resp.Body)
	}
	var body any
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatal(err)
	}
	schema := route.Operation.Responses.Value(strconv.Itoa(resp.StatusCode)).Value.Content.Get("application/json").Schema.Value
	for _, field := range undocumented(schema, body, "") {
		t.Errorf("%s %s %d: field %s is not in the document", method, path, resp.StatusCode, field)
	}
}

// undocumented returns the paths of the object members in value that are
// not properties of their schema (its own or those of the schemas of its
// allOf): the document's schemas allow additional properties, so
// validation alone would let them through.
func undocumented(schema *openapi3.Schema, value any, path string) []string {
	var out []string
	switch v := value.(type) {
	case map[string]any:
		props := properties(schema)
		for name, member := range v {
			prop, ok := props[name]
			if !ok {
				out = append(out, path+"."+name)
				continue
			}
			out = append(out, undocumented(prop.Value, member, path+"."+name)...)
		}
	case []any:
		for i, item := range v {
			out = append(out, undocumented(schema.Items.Value, item, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return out
}

// properties returns the properties of schema with those of the schemas
// its allOf combines.
func properties(schema *openapi3.Schema) openapi3.Schemas {
	props := maps.Clone(schema.Properties)
	if props == nil {
		props = openapi3.Schemas{}
	}
	for _, part := range schema.AllOf {
		maps.Copy(props, properties(part.Value))
	}
	return props
}

// TestHandlers_answerAsTheOpenAPIDocumentSays runs the handlers on
// successes and on each error they can be driven to, and validates every
// answer against the document's response for its status. Every route of
// contract.Functions has its cases.
func TestHandlers_answerAsTheOpenAPIDocumentSays(t *testing.T) {
	router := contractRouter(t)
	h := newHarness(t)
	indexPhoto(t, h, "index/obama_1.jpg", "obama_1.jpg", "obama")
	h.put(t, "index/waiting.jpg", "biden_2.jpg", "")
	h.env.PutObject(t, "index/notes.txt", []byte("hello"), nil)
	deliverS3(t, h, s3Event(h.env.Bucket, "ObjectCreated:Put", "index/notes.txt"))
	noFace, err := os.ReadFile("testdata/cases/search-no-face/event.json")
	if err != nil {
		t.Fatal(err)
	}

	search := func(body []byte, contentType string) func(t *testing.T) events.APIGatewayProxyResponse {
		return func(t *testing.T) events.APIGatewayProxyResponse {
			return h.search(t, searchRequest(body, false, contentType), nil)
		}
	}
	failingSearch := func(code string, httpStatus int) func(t *testing.T) events.APIGatewayProxyResponse {
		return func(t *testing.T) events.APIGatewayProxyResponse {
			h.env.Rek.FailNext("SearchFacesByImage", 1, code, httpStatus)
			return search(photos.MustRead("obama_2.jpg"), "image/jpeg")(t)
		}
	}
	searchAll := func(body []byte, faces string) func(t *testing.T) events.APIGatewayProxyResponse {
		return func(t *testing.T) events.APIGatewayProxyResponse {
			req := searchAllRequest(body)
			req.QueryStringParameters[contract.FacesParam] = faces
			return h.search(t, req, nil)
		}
	}
	searchBy := func(query map[string]string) func(t *testing.T) events.APIGatewayProxyResponse {
		return func(t *testing.T) events.APIGatewayProxyResponse {
			req := searchRequest(photos.MustRead("obama_2.jpg"), false, "image/jpeg")
			req.QueryStringParameters = query
			return h.search(t, req, nil)
		}
	}
	h.env.Rek.RecognizeCrops(t, photos.MustRead("group_obama_biden.jpg"))
	status := func(filename string) func(t *testing.T) events.APIGatewayProxyResponse {
		return func(t *testing.T) events.APIGatewayProxyResponse {
			resp, _ := h.status(t, filename)
			return resp
		}
	}
	_, st := h.status(t, "obama_1.jpg")
	if len(st.Faces) != 1 {
		t.Fatalf("obama_1.jpg has faces %+v", st.Faces)
	}
	faceID := st.Faces[0].FaceID
	faces := func(id string, query map[string]string) func(t *testing.T) events.APIGatewayProxyResponse {
		return func(t *testing.T) events.APIGatewayProxyResponse {
			return h.faces(t, id, query, new(any))
		}
	}
	persons := func(person string, query map[string]string) func(t *testing.T) events.APIGatewayProxyResponse {
		return func(t *testing.T) events.APIGatewayProxyResponse {
			return h.persons(t, person, query, new(any))
		}
	}
	thumbnail := func(id string) func(t *testing.T) events.APIGatewayProxyResponse {
		return func(t *testing.T) events.APIGatewayProxyResponse {
			resp, _ := h.thumbnail(t, id)
			return resp
		}
	}
	download := func(filename string) func(t *testing.T) events.APIGatewayProxyResponse {
		return func(t *testing.T) events.APIGatewayProxyResponse {
			return h.get(t, h.api.Download, "/images", contract.FilenameParam, filename, nil, nil)
		}
	}
	deleteFace := func(id string) func(t *testing.T) events.APIGatewayProxyResponse {
		return func(t *testing.T) events.APIGatewayProxyResponse { return h.deleteFace(t, id) }
	}
	deletePerson := func(person string) func(t *testing.T) events.APIGatewayProxyResponse {
		return func(t *testing.T) events.APIGatewayProxyResponse { return h.deletePerson(t, person, new(any)) }
	}
	rename := func(person, body string) func(t *testing.T) events.APIGatewayProxyResponse {
		return func(t *testing.T) events.APIGatewayProxyResponse { return h.rename(t, person, body, new(any)) }
	}
	deleteImage := func(filename string) func(t *testing.T) events.APIGatewayProxyResponse {
		return func(t *testing.T) events.APIGatewayProxyResponse { return h.deleteImage(t, filename, new(any)) }
	}
	tests := []struct {
		name, method, path string
		run                func(t *testing.T) events.APIGatewayProxyResponse
		want               int
	}{
		{"search with a match", "POST", "/search", search(photos.MustRead("obama_2.jpg"), "image/jpeg"), http.StatusOK},
		{"search without a face", "POST", "/search", func(t *testing.T) events.APIGatewayProxyResponse {
			return h.search(t, proxyRequest(t, noFace), nil)
		}, http.StatusOK},
		{"search without an image", "POST", "/search", search(nil, "text/plain"), http.StatusBadRequest},
		{"search over 5 MB", "POST", "/search", search(append(photos.MustRead("obama_2.jpg"), make([]byte, contract.MaxImageBytes)...), "image/jpeg"), http.StatusRequestEntityTooLarge},
		{"search of text", "POST", "/search", search([]byte("hello, world"), "text/plain"), http.StatusUnsupportedMediaType},
		{"search under 80×80", "POST", "/search", search(tinyPNG(t, 79, 200), "image/png"), http.StatusUnprocessableEntity},
		{"search throttled", "POST", "/search", failingSearch("ThrottlingException", 400), http.StatusTooManyRequests},
		{"search misconfigured", "POST", "/search", failingSearch("AccessDeniedException", 400), http.StatusInternalServerError},
		{"search upstream failure", "POST", "/search", failingSearch("InternalServerError", 500), http.StatusBadGateway},
		{"search of every face", "POST", "/search?faces=all", searchAll(photos.MustRead("group_obama_biden.jpg"), contract.FacesAll), http.StatusOK},
		{"search of every face, with a reason", "POST", "/search?faces=all", searchAll(photos.MustRead("obama_2.jpg"), contract.FacesAll), http.StatusOK},
		{"search of every face throttled", "POST", "/search?faces=all", func(t *testing.T) events.APIGatewayProxyResponse {
			h.env.Rek.FailNext("SearchFacesByImage", 1, "ThrottlingException", 400)
			return searchAll(photos.MustRead("group_obama_biden.jpg"), contract.FacesAll)(t)
		}, http.StatusTooManyRequests},
		{"search with a bad faces value", "POST", "/search?faces=some", searchAll(photos.MustRead("group_obama_biden.jpg"), "some"), http.StatusBadRequest},
		{"search by person", "POST", "/search?by=person", searchBy(map[string]string{contract.ByParam: contract.ByPerson}), http.StatusOK},
		{"search by a bad value", "POST", "/search?by=face", searchBy(map[string]string{contract.ByParam: "face"}), http.StatusBadRequest},
		{"search by person of every face", "POST", "/search?by=person&faces=all", searchBy(map[string]string{contract.ByParam: contract.ByPerson, contract.FacesParam: contract.FacesAll}), http.StatusBadRequest},
		{"search with a threshold and maxFaces", "POST", "/search?threshold=0&maxFaces=1", searchBy(map[string]string{contract.ThresholdParam: "0", contract.MaxFacesParam: "1"}), http.StatusOK},
		{"search by person with a threshold", "POST", "/search?by=person&threshold=50", searchBy(map[string]string{contract.ByParam: contract.ByPerson, contract.ThresholdParam: "50"}), http.StatusOK},
		{"search with a threshold over 100", "POST", "/search?threshold=101", searchBy(map[string]string{contract.ThresholdParam: "101"}), http.StatusBadRequest},
		{"search with a maxFaces that is not an integer", "POST", "/search?maxFaces=2.5", searchBy(map[string]string{contract.MaxFacesParam: "2.5"}), http.StatusBadRequest},
		{"search by person throttled", "POST", "/search?by=person", func(t *testing.T) events.APIGatewayProxyResponse {
			h.env.Rek.FailNext("SearchUsersByImage", 1, "ThrottlingException", 400)
			return searchBy(map[string]string{contract.ByParam: contract.ByPerson})(t)
		}, http.StatusTooManyRequests},
		{"status indexed", "GET", "/index/obama_1.jpg", status("obama_1.jpg"), http.StatusOK},
		{"status pending", "GET", "/index/waiting.jpg", status("waiting.jpg"), http.StatusOK},
		{"status rejected", "GET", "/index/notes.txt", status("notes.txt"), http.StatusOK},
		{"status of an unknown image", "GET", "/index/missing.jpg", status("missing.jpg"), http.StatusNotFound},
		{"status of an invalid filename", "GET", "/index/a%2F..%2Fb", status("a%2F..%2Fb"), http.StatusBadRequest},
		{"download indexed", "GET", "/images/obama_1.jpg", download("obama_1.jpg"), http.StatusOK},
		{"download pending", "GET", "/images/waiting.jpg", download("waiting.jpg"), http.StatusOK},
		{"download rejected", "GET", "/images/notes.txt", download("notes.txt"), http.StatusOK},
		{"download of an unknown image", "GET", "/images/missing.jpg", download("missing.jpg"), http.StatusNotFound},
		{"download of an invalid filename", "GET", "/images/a%2F..%2Fb", download("a%2F..%2Fb"), http.StatusBadRequest},
		{"download throttled", "GET", "/images/obama_1.jpg", func(t *testing.T) events.APIGatewayProxyResponse {
			h.env.DB.FailNext("GetItem", 1, "ProvisionedThroughputExceededException", 400)
			return download("obama_1.jpg")(t)
		}, http.StatusTooManyRequests},
		{"info", "GET", "/info", func(t *testing.T) events.APIGatewayProxyResponse {
			resp, err := h.api.Info(context.Background(), searchRequest(nil, false, ""))
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}, http.StatusOK},
		{"stats", "GET", "/stats", func(t *testing.T) events.APIGatewayProxyResponse {
			return h.get(t, h.api.Stats, "/stats", "", "", nil, nil)
		}, http.StatusOK},
		{"stats throttled", "GET", "/stats", func(t *testing.T) events.APIGatewayProxyResponse {
			h.env.Rek.FailNext("DescribeCollection", 1, "ThrottlingException", 400)
			return h.get(t, h.api.Stats, "/stats", "", "", nil, nil)
		}, http.StatusTooManyRequests},
		{"reindex", "POST", "/reindex", func(t *testing.T) events.APIGatewayProxyResponse {
			withFakeSFN(h)
			return call(t, h.api.Reindex, reindexRequest(""), nil)
		}, http.StatusAccepted},
		{"reindex throttled", "POST", "/reindex", func(t *testing.T) events.APIGatewayProxyResponse {
			withFakeSFN(h).throttle = true
			return call(t, h.api.Reindex, reindexRequest(""), nil)
		}, http.StatusTooManyRequests},
		{"reindex progress", "GET", "/reindex/reindex-1", func(t *testing.T) events.APIGatewayProxyResponse {
			withFakeSFN(h)
			var r contract.Reindex
			if err := json.Unmarshal([]byte(call(t, h.api.Reindex, reindexRequest(""), nil).Body), &r); err != nil {
				t.Fatal(err)
			}
			return call(t, h.api.Reindex, reindexRequest(r.ReindexID), nil)
		}, http.StatusOK},
		{"reindex progress of an unknown id", "GET", "/reindex/reindex-1", func(t *testing.T) events.APIGatewayProxyResponse {
			withFakeSFN(h)
			return call(t, h.api.Reindex, reindexRequest("reindex-1"), nil)
		}, http.StatusNotFound},
		{"reindex progress of a bad id", "GET", "/reindex/a:b", func(t *testing.T) events.APIGatewayProxyResponse {
			withFakeSFN(h)
			return call(t, h.api.Reindex, reindexRequest("a:b"), nil)
		}, http.StatusBadRequest},
		{"faces", "GET", "/faces", faces("", nil), http.StatusOK},
		{"faces of a person, a page", "GET", "/faces?person=obama&limit=1", faces("", map[string]string{contract.PersonParam: "obama", contract.LimitParam: "1"}), http.StatusOK},
		{"faces with a bad limit", "GET", "/faces?limit=0", faces("", map[string]string{contract.LimitParam: "0"}), http.StatusBadRequest},
		{"faces with a bad token", "GET", "/faces?nextToken=x", faces("", map[string]string{contract.NextTokenParam: "x"}), http.StatusBadRequest},
		{"faces throttled", "GET", "/faces", func(t *testing.T) events.APIGatewayProxyResponse {
			h.env.DB.FailNext("Scan", 1, "ProvisionedThroughputExceededException", 400)
			return faces("", nil)(t)
		}, http.StatusTooManyRequests},
		{"persons", "GET", "/persons", persons("", nil), http.StatusOK},
		{"persons, a page", "GET", "/persons?limit=1", persons("", map[string]string{contract.LimitParam: "1"}), http.StatusOK},
		{"persons with a bad limit", "GET", "/persons?limit=101", persons("", map[string]string{contract.LimitParam: "101"}), http.StatusBadRequest},
		{"persons throttled", "GET", "/persons", func(t *testing.T) events.APIGatewayProxyResponse {
			h.env.DB.FailNext("Scan", 1, "ProvisionedThroughputExceededException", 400)
			return persons("", nil)(t)
		}, http.StatusTooManyRequests},
		{"person", "GET", "/persons/obama", persons("obama", nil), http.StatusOK},
		{"unknown person", "GET", "/persons/nobody", persons("nobody", nil), http.StatusNotFound},
		{"person with a bad encoding", "GET", "/persons/a%25zz", persons("a%zz", nil), http.StatusBadRequest},
		{"face", "GET", "/faces/" + faceID, faces(faceID, nil), http.StatusOK},
		{"unknown face", "GET", "/faces/missing", faces("missing", nil), http.StatusNotFound},
		{"thumbnail", "GET", "/thumbnails/" + faceID, thumbnail(faceID), http.StatusOK},
		{"thumbnail of an unknown face", "GET", "/thumbnails/missing", thumbnail("missing"), http.StatusNotFound},
		{"matches of a face", "GET", "/matches/" + faceID + "?threshold=0&maxFaces=1", func(t *testing.T) events.APIGatewayProxyResponse {
			return h.matches(t, faceID, map[string]string{contract.ThresholdParam: "0", contract.MaxFacesParam: "1"}, nil)
		}, http.StatusOK},
		{"matches with a bad threshold", "GET", "/matches/" + faceID + "?threshold=x", func(t *testing.T) events.APIGatewayProxyResponse {
			return h.matches(t, faceID, map[string]string{contract.ThresholdParam: "x"}, nil)
		}, http.StatusBadRequest},
		{"matches of an unknown face", "GET", "/matches/missing", func(t *testing.T) events.APIGatewayProxyResponse {
			return h.matches(t, "missing", nil, nil)
		}, http.StatusNotFound},
		{"compare two photos", "POST", "/compare", func(t *testing.T) events.APIGatewayProxyResponse {
			return h.compare(t, compareBody(t, contract.CompareRequest{Source: photo64("obama_2.jpg"), Target: photo64("group_obama_biden.jpg")}), nil, nil)
		}, http.StatusOK},
		{"compare with a face", "POST", "/compare?threshold=90", func(t *testing.T) events.APIGatewayProxyResponse {
			return h.compare(t, compareBody(t, contract.CompareRequest{Source: photo64("obama_2.jpg"), FaceID: faceID}), map[string]string{contract.ThresholdParam: "90"}, nil)
		}, http.StatusOK},
		{"compare with an unknown face", "POST", "/compare", func(t *testing.T) events.APIGatewayProxyResponse {
			return h.compare(t, compareBody(t, contract.CompareRequest{Source: photo64("obama_2.jpg"), FaceID: "missing"}), nil, nil)
		}, http.StatusNotFound},
		{"compare a photo without a face", "POST", "/compare", func(t *testing.T) events.APIGatewayProxyResponse {
			return h.compare(t, compareBody(t, contract.CompareRequest{Source: photo64("noface_rocket.jpg"), Person: "obama"}), nil, nil)
		}, http.StatusBadRequest},
		{"compare throttled", "POST", "/compare", func(t *testing.T) events.APIGatewayProxyResponse {
			h.env.Rek.FailNext("CompareFaces", 1, "ThrottlingException", 400)
			return h.compare(t, compareBody(t, contract.CompareRequest{Source: photo64("obama_2.jpg"), Target: photo64("obama_1.jpg")}), nil, nil)
		}, http.StatusTooManyRequests},
		{"delete an unknown face", "DELETE", "/faces/missing", deleteFace("missing"), http.StatusNotFound},
		{"delete a face", "DELETE", "/faces/" + faceID, deleteFace(faceID), http.StatusOK},
		{"rename a person", "PATCH", "/persons/obama", rename("obama", `{"person": "Barack Obama"}`), http.StatusOK},
		{"rename a person back", "PATCH", "/persons/Barack%20Obama", rename("Barack%20Obama", `{"person": "obama"}`), http.StatusOK},
		{"rename to the same name", "PATCH", "/persons/obama", rename("obama", `{"person": "obama"}`), http.StatusOK},
		{"rename with a body that is not JSON", "PATCH", "/persons/obama", rename("obama", "obama"), http.StatusBadRequest},
		{"rename to an invalid name", "PATCH", "/persons/obama", rename("obama", `{"person": " "}`), http.StatusBadRequest},
		{"rename an unknown person", "PATCH", "/persons/nobody", rename("nobody", `{"person": "somebody"}`), http.StatusNotFound},
		{"rename onto another person", "PATCH", "/persons/obama", func(t *testing.T) events.APIGatewayProxyResponse {
			indexPhoto(t, h, "index/biden_2.jpg", "biden_2.jpg", "biden")
			return rename("obama", `{"person": "biden"}`)(t)
		}, http.StatusConflict},
		{"rename throttled", "PATCH", "/persons/obama", func(t *testing.T) events.APIGatewayProxyResponse {
			h.env.DB.FailNext("BatchGetItem", 1, "ProvisionedThroughputExceededException", 400)
			return rename("obama", `{"person": "Barack Obama"}`)(t)
		}, http.StatusTooManyRequests},
		{"delete an unknown person", "DELETE", "/persons/nobody", deletePerson("nobody"), http.StatusNotFound},
		{"delete a person with a bad encoding", "DELETE", "/persons/a%25zz", deletePerson("a%zz"), http.StatusBadRequest},
		{"delete a person", "DELETE", "/persons/obama", deletePerson("obama"), http.StatusOK},
		{"erase an image", "DELETE", "/index/waiting.jpg", deleteImage("waiting.jpg"), http.StatusOK},
		{"erase an image never stored", "DELETE", "/index/never%20stored.jpg", deleteImage("never%20stored.jpg"), http.StatusOK},
		{"erase an invalid filename", "DELETE", "/index/a%25zz", deleteImage("a%zz"), http.StatusBadRequest},
	}
	covered := map[contract.Route]bool{}
	for _, tc := range tests {
		_, route, _ := findRoute(t, router, tc.method, tc.path)
		covered[contract.Route{Method: route.Method, Path: route.Path}] = true
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.run(t)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, resp.Body)
			}
			checkContract(t, router, tc.method, tc.path, resp)
		})
	}
	for _, f := range contract.Functions {
		for _, r := range f.Routes {
			if !covered[r] {
				t.Errorf("no case checks the answers of %s %s (function %s)", r.Method, r.Path, f.Name)
			}
		}
	}
}

// TestHandlers_answerTheRoutesOfTheirFunction sends one request to every
// route of contract.Functions through the handler that Handlers registers
// under the route's function, with the route's path as the resource and
// "probe" as its path parameter, as API Gateway would, and validates the
// answer against the document's operation for that route: a handler
// registered under another function's name gives another answer.
func TestHandlers_answerTheRoutesOfTheirFunction(t *testing.T) {
	router := contractRouter(t)
	h := newHarness(t)
	for _, f := range contract.Functions {
		for _, r := range f.Routes {
			t.Run(r.Method+" "+r.Path, func(t *testing.T) {
				req := events.APIGatewayProxyRequest{Resource: r.Path, Path: r.Path, HTTPMethod: r.Method}
				if prefix, param, ok := r.PathParam(); ok {
					req.Path, req.PathParameters = prefix+"probe", map[string]string{param: "probe"}
				}
				req.RequestContext.RequestID = "req-probe"
				resp, err := h.handlers[f.Name](context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				checkResponse(t, resp)
				checkContract(t, router, r.Method, req.Path, resp)
			})
		}
	}
}
