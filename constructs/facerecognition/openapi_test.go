package facerecognition

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/facerec/facerec-cdk/contract"
)

// TestApi_routesAreTheOpenAPIDocument checks that each synthesized API has
// exactly the (method, path) pairs of the OpenAPI document, CORS preflight
// (OPTIONS) methods aside.
func TestApi_routesAreTheOpenAPIDocument(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(contract.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			want = append(want, method+" "+path)
		}
	}
	slices.Sort(want)
	f := synth()
	for name, fx := range map[string]*fixture{"base": f.base, "variant": f.variant, "existing": f.existing} {
		got := fx.apiRoutes(t)
		if !slices.Equal(got, want) {
			t.Errorf("%s stack routes %v, want the document's %v", name, got, want)
		}
	}
}

// TestApi_routesAreTheTable checks that each synthesized API answers the
// routes of contract.StorageRoutes with S3 integrations and the Routes of
// each function of contract.Functions with a Lambda proxy integration of
// that function, and nothing else (CORS preflights aside).
func TestApi_routesAreTheTable(t *testing.T) {
	f := synth()
	for name, fx := range map[string]*fixture{"base": f.base, "variant": f.variant, "existing": f.existing} {
		want := map[string]string{} // route to its integration: "s3", or the function's logical ID
		for _, r := range contract.StorageRoutes {
			want[r.Method+" "+r.Path] = "s3"
		}
		for _, nf := range fx.svc.functions {
			for _, r := range nf.Routes {
				want[r.Method+" "+r.Path] = logicalID(nf.fn)
			}
		}
		got := map[string]string{}
		for route, method := range fx.apiMethods(t) {
			integration := method["Integration"].(map[string]any)
			uri := jsonString(integration["Uri"])
			switch {
			case integration["Type"] == "AWS" && strings.Contains(uri, ":s3:path/"):
				got[route] = "s3"
			case integration["Type"] == "AWS_PROXY":
				for _, nf := range fx.svc.functions {
					if strings.Contains(uri, jsonString(getAtt(logicalID(nf.fn)))) {
						got[route] = logicalID(nf.fn)
					}
				}
			}
			if got[route] == "" {
				got[route] = fmt.Sprintf("%v integration %s", integration["Type"], uri)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s stack routes to integrations %v, want %v", name, got, want)
		}
	}
}

// contractRoutes returns the API's routes of the contract:
// contract.StorageRoutes, then the Routes of each function of
// contract.Functions.
func contractRoutes() []contract.Route {
	routes := slices.Clone(contract.StorageRoutes)
	for _, f := range contract.Functions {
		routes = append(routes, f.Routes...)
	}
	return routes
}

// apiRoutes returns the template's API methods, OPTIONS aside, as sorted
// "METHOD /path" strings (see apiMethods).
func (f *fixture) apiRoutes(t *testing.T) []string {
	t.Helper()
	return slices.Sorted(maps.Keys(f.apiMethods(t)))
}

// apiMethods returns the Properties of the template's API methods, OPTIONS
// aside, by "METHOD /path", each path built from the
// AWS::ApiGateway::Resource chain of PathParts up to the API's root
// resource.
func (f *fixture) apiMethods(t *testing.T) map[string]map[string]any {
	t.Helper()
	resources := f.ofType("AWS::ApiGateway::Resource")
	var path func(id any, depth int) string
	path = func(id any, depth int) string {
		ref, ok := id.(map[string]any)["Ref"].(string)
		if !ok {
			// Fn::GetAtt [api, RootResourceId]: the root resource.
			if att, _ := id.(map[string]any)["Fn::GetAtt"].([]any); len(att) != 2 || att[1] != "RootResourceId" {
				t.Fatalf("resource id %v is neither a Ref nor the root resource", id)
			}
			return ""
		}
		r, ok := resources[ref]
		if !ok || depth > len(resources) {
			t.Fatalf("no API resource %s (or a cycle)", ref)
		}
		p := r["Properties"].(map[string]any)
		return path(p["ParentId"], depth+1) + "/" + p["PathPart"].(string)
	}
	methods := map[string]map[string]any{}
	for id := range f.ofType("AWS::ApiGateway::Method") {
		p := f.props(id)
		method := p["HttpMethod"].(string)
		if method == "OPTIONS" {
			continue
		}
		methods[method+" "+cmp.Or(path(p["ResourceId"], 0), "/")] = p
	}
	return methods
}
