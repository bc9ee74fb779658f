package facerecognition

import (
	"cmp"
	"slices"
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

// apiRoutes returns the template's API methods, OPTIONS aside, as sorted
// "METHOD /path" strings, each path built from the AWS::ApiGateway::Resource
// chain of PathParts up to the API's root resource.
func (f *fixture) apiRoutes(t *testing.T) []string {
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
	var routes []string
	for id := range f.ofType("AWS::ApiGateway::Method") {
		p := f.props(id)
		method := p["HttpMethod"].(string)
		if method == "OPTIONS" {
			continue
		}
		routes = append(routes, method+" "+cmp.Or(path(p["ResourceId"], 0), "/"))
	}
	slices.Sort(routes)
	return routes
}
