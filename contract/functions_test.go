package contract

import (
	"strings"
	"testing"
)

// TestFunctions_namesAndRoutesAreUnique checks the table's invariants:
// FunctionNamed finds every function (so no two names differ only in case),
// every route belongs to one function or to StorageRoutes, and a path's
// parameter, if any, is its last segment, as Route.PathParam assumes.
func TestFunctions_namesAndRoutesAreUnique(t *testing.T) {
	for _, f := range Functions {
		if got, ok := FunctionNamed(strings.ToLower(f.Name)); !ok || got.Name != f.Name {
			t.Errorf("FunctionNamed(%q) = %q, %v; want %q", strings.ToLower(f.Name), got.Name, ok, f.Name)
		}
	}
	if _, ok := FunctionNamed("nosuchfunction"); ok {
		t.Error("FunctionNamed found a function that is not in the table")
	}
	seen := map[Route]bool{}
	for _, r := range tableRoutes() {
		if seen[r] {
			t.Errorf("%s %s is in the table twice", r.Method, r.Path)
		}
		seen[r] = true
		prefix, name, ok := r.PathParam()
		switch {
		case !strings.HasPrefix(r.Path, "/"):
			t.Errorf("%s: not an absolute path", r.Path)
		case strings.Contains(prefix, "}"),
			ok && (!strings.HasSuffix(prefix, "/") || name == "" || prefix+"{"+name+"}" != r.Path || strings.ContainsAny(name, "{}/")):
			t.Errorf("%s: the parameter is not the whole last segment", r.Path)
		}
	}
}

// TestRoute_PathParam checks both kinds of path.
func TestRoute_PathParam(t *testing.T) {
	if prefix, name, ok := (Route{"GET", "/faces/{faceId}"}).PathParam(); prefix != "/faces/" || name != "faceId" || !ok {
		t.Errorf("/faces/{faceId}: %q %q %v", prefix, name, ok)
	}
	if prefix, name, ok := (Route{"GET", "/faces"}).PathParam(); prefix != "/faces" || name != "" || ok {
		t.Errorf("/faces: %q %q %v", prefix, name, ok)
	}
}

// TestRoutes_pathParamsAreDeclared checks that the parameter of every
// route's path is one of the path parameter constants, which the
// construct, the handlers and the offline server use, and that the
// StorageRoutes, which the construct and the offline server answer
// without a function, have FilenameParam.
func TestRoutes_pathParamsAreDeclared(t *testing.T) {
	declared := map[string]bool{FilenameParam: true, FaceIDParam: true, PersonNameParam: true, ReindexIDParam: true}
	for _, r := range tableRoutes() {
		if _, name, ok := r.PathParam(); ok && !declared[name] {
			t.Errorf("%s %s: the parameter %q is no path parameter constant", r.Method, r.Path, name)
		}
	}
	for _, r := range StorageRoutes {
		if _, name, _ := r.PathParam(); name != FilenameParam {
			t.Errorf("%s %s: the parameter is %q, want FilenameParam %q", r.Method, r.Path, name, FilenameParam)
		}
	}
}
