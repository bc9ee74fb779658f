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

	"github.com/facerec/facerec-cdk/console"
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
			if method == "GET" && path == "/" {
				continue // the web console (TestRoutes_serveTheConsole)
			}
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

// TestRoutes_serveTheConsole checks that the web console is served at "/"
// and under console.AssetPrefix, to GET and HEAD, without the API key the
// API routes require; that it answers no other method of "/"; and that its
// config names no endpoint or key, so the page calls the API of its own
// origin and asks for the key.
func TestRoutes_serveTheConsole(t *testing.T) {
	opts := quietOptions(t.TempDir())
	opts.APIKey = "secret"
	l, err := offline.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ts := httptest.NewServer(l.Handler())
	defer ts.Close()
	for _, tc := range []struct{ method, path, contentType string }{
		{"GET", "/", "text/html"},
		{"HEAD", "/", "text/html"},
		{"GET", console.AssetPrefix + "app.js", "text/javascript"},
		{"GET", console.AssetPrefix + "style.css", "text/css"},
		{"GET", console.ConfigPath, "application/json"},
	} {
		req, _ := http.NewRequest(tc.method, ts.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.contentType) {
			t.Errorf("%s %s: %d %q, want 200 %s", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), tc.contentType)
		}
		if tc.path == console.ConfigPath {
			var cfg console.Config
			if err := json.Unmarshal(body, &cfg); err != nil || cfg != (console.Config{}) {
				t.Errorf("config %s (%v), want no endpoint and no key", body, err)
			}
		}
	}
	for _, method := range []string{"PUT", "DELETE", "PATCH"} {
		req, _ := http.NewRequest(method, ts.URL+"/", nil)
		req.Header.Set("x-api-key", "secret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s /: %d, want the API's 404", method, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("GET", ts.URL+console.AssetPrefix+"missing.js", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET a missing asset: %v %v, want 404", resp, err)
	}
}
