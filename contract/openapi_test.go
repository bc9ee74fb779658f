package contract

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// load parses and validates OpenAPI.
func load(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	return doc
}

// TestDocument_isValidOpenAPI3 loads and validates the document, and
// checks it describes the version GET /info reports.
func TestDocument_isValidOpenAPI3(t *testing.T) {
	doc := load(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if doc.Info.Version != Version {
		t.Errorf("info.version = %q, want the service version %q", doc.Info.Version, Version)
	}
}

// TestDocument_sharedErrorBodyAndAPIKey checks that every operation is
// behind the x-api-key scheme or one of the other modes' and answers every
// error, the default response included, with the shared ErrorBody schema.
func TestDocument_sharedErrorBodyAndAPIKey(t *testing.T) {
	doc := load(t)
	scheme := doc.Components.SecuritySchemes["apiKey"]
	if scheme == nil || scheme.Value.Type != "apiKey" || scheme.Value.In != "header" || scheme.Value.Name != "x-api-key" {
		t.Fatalf("security scheme apiKey = %+v, want an apiKey in the x-api-key header", scheme)
	}
	// One alternative per Authorization mode but NONE, each a defined scheme.
	want := []string{"apiKey", "sigv4", "cognitoUserPool"}
	if len(doc.Security) != len(want) {
		t.Errorf("security = %v, want the alternatives %v", doc.Security, want)
	}
	for i, name := range want {
		if i < len(doc.Security) && (len(doc.Security[i]) != 1 || doc.Security[i][name] == nil || doc.Components.SecuritySchemes[name] == nil) {
			t.Errorf("security[%d] = %v, want the defined scheme %s alone", i, doc.Security[i], name)
		}
	}
	const errorBody = "#/components/schemas/ErrorBody"
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Security != nil {
				t.Errorf("%s %s overrides the security requirement", method, path)
			}
			for status, resp := range op.Responses.Map() {
				code, _ := strconv.Atoi(status)
				if code >= 200 && code < 300 {
					continue
				}
				content := resp.Value.Content
				mt := content.Get("application/json")
				if len(content) != 1 || mt == nil || mt.Schema == nil || mt.Schema.Ref != errorBody {
					t.Errorf("%s %s %s: the body is not the shared %s", method, path, status, errorBody)
				}
			}
			if op.Responses.Default() == nil {
				t.Errorf("%s %s has no default response", method, path)
			}
			if op.Responses.Status(http.StatusForbidden) == nil {
				t.Errorf("%s %s does not document 403 for a missing or wrong key", method, path)
			}
		}
	}
}

// TestDocument_operationsAreTheTableRoutes checks that the document's
// operations are exactly the routes of Functions and StorageRoutes, no
// more, no fewer.
func TestDocument_operationsAreTheTableRoutes(t *testing.T) {
	documented := map[Route]bool{}
	for path, item := range load(t).Paths.Map() {
		for method := range item.Operations() {
			documented[Route{method, path}] = true
		}
	}
	for _, r := range tableRoutes() {
		if !documented[r] {
			t.Errorf("%s %s is routed but not documented", r.Method, r.Path)
		}
		delete(documented, r)
	}
	for r := range documented {
		t.Errorf("%s %s is documented but in neither Functions nor StorageRoutes", r.Method, r.Path)
	}
}

// tableRoutes returns the routes of Functions and then StorageRoutes.
func tableRoutes() []Route {
	var routes []Route
	for _, f := range Functions {
		routes = append(routes, f.Routes...)
	}
	return append(routes, StorageRoutes...)
}

// TestDocument_methodsAllowedByCORS checks that browsers may make every
// documented call: each operation's method is in the preflight answer's
// CORSAllowMethods.
func TestDocument_methodsAllowedByCORS(t *testing.T) {
	allowed := strings.Split(CORSAllowMethods, ",")
	for path, item := range load(t).Paths.Map() {
		for method := range item.Operations() {
			if !slices.Contains(allowed, method) {
				t.Errorf("%s %s: %s is not in CORSAllowMethods %q", method, path, method, CORSAllowMethods)
			}
		}
	}
}
