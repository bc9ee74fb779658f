package handler

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
)

// moduleRoot is the module's root directory, from this package's.
const moduleRoot = "../.."

// TestHandlers_everyFunctionHasItsHandlerAndMain checks the registry
// against contract.Functions: every function has a handler (the Indexer for
// the index function and the Sweeper for the sweep function, which alone
// have no routes; an entry of Handlers for the others), Handlers has no entry for a function that is not in the
// table, and every function's Main is a main package whose main is
// handler.Start of that very function. Every main package under lambdas/
// is some function's Main.
func TestHandlers_everyFunctionHasItsHandlerAndMain(t *testing.T) {
	// The handlers are built, never run: they need no service.
	handlers := Handlers(nil, nil)
	names := contractStrings(t)
	var mains []string
	for _, f := range contract.Functions {
		if _, err := lambdaHandler(f.Name, nil, nil); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
		if _, ok := handlers[f.Name]; ok != (len(f.Routes) > 0) {
			t.Errorf("%s: in Handlers %v, but it has %d routes", f.Name, ok, len(f.Routes))
		}
		if len(f.Routes) == 0 && f.Name != contract.FunctionIndex && f.Name != contract.FunctionSweep {
			t.Errorf("%s has no routes, yet it is neither the index nor the sweep function", f.Name)
		}
		if got := startedFunction(t, filepath.Join(moduleRoot, f.Main, "main.go"), names); got != f.Name {
			t.Errorf("%s/main.go starts function %q, want %q", f.Main, got, f.Name)
		}
		mains = append(mains, f.Main)
	}
	for name := range handlers {
		if f, ok := contract.FunctionNamed(name); !ok || f.Name != name {
			t.Errorf("Handlers has %q, which is not a function of contract.Functions", name)
		}
	}
	if _, err := lambdaHandler("NoSuchFunction", nil, nil); err == nil {
		t.Error("lambdaHandler found a function that is not in the table")
	}
	files, err := filepath.Glob(filepath.Join(moduleRoot, "lambdas", "*", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		dir, _ := filepath.Rel(moduleRoot, filepath.Dir(file))
		if !slices.Contains(mains, filepath.ToSlash(dir)) {
			t.Errorf("%s is the Main of no function of contract.Functions", dir)
		}
	}
}

// startedFunction returns the name of the function that the main package
// in file starts: the value of X in a main whose body is only
// handler.Start(contract.X), resolved with names; "" if it is not such a
// main.
func startedFunction(t *testing.T, file string, names map[string]string) string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name.Name != "main" || !importsUnnamed(f, "github.com/facerec/facerec-cdk/contract") || !importsUnnamed(f, "github.com/facerec/facerec-cdk/lambdas/handler") {
		return ""
	}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "main" || fn.Recv != nil || len(fn.Body.List) != 1 {
			continue
		}
		stmt, ok := fn.Body.List[0].(*ast.ExprStmt)
		if !ok {
			return ""
		}
		call, ok := stmt.X.(*ast.CallExpr)
		if !ok || !isSelector(call.Fun, "handler", "Start") || len(call.Args) != 1 {
			return ""
		}
		if arg, ok := call.Args[0].(*ast.SelectorExpr); ok && isSelector(arg, "contract", arg.Sel.Name) {
			return names[arg.Sel.Name]
		}
	}
	return ""
}

// importsUnnamed reports whether f imports path under its package name.
func importsUnnamed(f *ast.File, path string) bool {
	return slices.ContainsFunc(f.Imports, func(s *ast.ImportSpec) bool {
		return s.Name == nil && s.Path.Value == strconv.Quote(path)
	})
}

// isSelector reports whether e is pkg.name.
func isSelector(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == pkg && sel.Sel.Name == name
}

// contractStrings returns the string constants declared in package
// contract's sources (tests left out), by name.
func contractStrings(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(moduleRoot, "contract", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							out[name.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
		}
	}
	return out
}
