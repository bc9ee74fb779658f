package offline_test

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/offline"
)

// TestRoutes_areTheTableOnes checks that the local API answers
// exactly the routes of contract.Functions and contract.StorageRoutes,
// which the contract package checks are the OpenAPI document's operations:
// every route is routed; every other method on a route's path, the paths
// below and above those paths that are no route's, and a few other paths
// are not (404 RESOURCE_NOT_FOUND or 405). GET /openapi.json, the one local
// addition, serves the document behind the key.
func TestRoutes_areTheTableOnes(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(contract.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	opts := quietOptions(t.TempDir())
	opts.APIKey = "secret"
	l, err := offline.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ts := httptest.NewServer(l.Handler())
	defer ts.Close()
	srv := ts.URL
	do := func(method, path, key string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if key != "" {
			req.Header.Set("x-api-key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	routed := func(method, path string) bool {
		t.Helper()
		resp, body := do(method, path, "secret")
		var eb contract.ErrorBody
		json.Unmarshal(body, &eb)
		return resp.StatusCode != http.StatusMethodNotAllowed &&
			(resp.StatusCode != http.StatusNotFound || eb.Error.Code != contract.GatewayResourceNotFound)
	}

	table := slices.Clone(contract.StorageRoutes)
	for _, f := range contract.Functions {
		table = append(table, f.Routes...)
	}
	paths := map[string]bool{}
	for _, r := range table {
		paths[r.Path] = true
	}
	undocumented := []string{"/", "/openapi"}
	for path := range paths {
		r := contract.Route{Path: path}
		prefix, _, hasParam := r.PathParam()
		concrete := path
		if hasParam {
			concrete = prefix + "probe"
			if parent := strings.TrimSuffix(prefix, "/"); !paths[parent] {
				undocumented = append(undocumented, parent)
			}
		}
		if !slices.ContainsFunc(slices.Collect(maps.Keys(paths)), func(p string) bool { return strings.HasPrefix(p, path+"/") }) {
			undocumented = append(undocumented, concrete+"/x")
		}
		for _, method := range []string{"GET", "PUT", "POST", "DELETE", "PATCH"} {
			want := slices.Contains(table, contract.Route{Method: method, Path: path})
			if got := routed(method, concrete); got != want {
				t.Errorf("%s %s: routed %v, in the table %v", method, path, got, want)
			}
		}
	}
	for _, path := range undocumented {
		for _, method := range []string{"GET", "PUT", "POST"} {
			if routed(method, path) {
				t.Errorf("%s %s is routed but not in the table", method, path)
			}
		}
	}

	resp, body := do("GET", "/openapi.json", "secret")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" || !bytes.Equal(body, contract.OpenAPI) {
		t.Errorf("GET /openapi.json: %d %q, %d bytes; want 200 application/json with the document", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
	if resp, _ := do("GET", "/openapi.json", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET /openapi.json without the key: %d, want 403", resp.StatusCode)
	}
	if doc.Paths.Find("/openapi.json") != nil {
		t.Error("the document describes /openapi.json, which the deployed API does not serve")
	}
}
