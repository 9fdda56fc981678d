package catalog

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// immutable lists the package-level variables of labs/catalog that are tables
// written once at initialisation and only read after ("dir/name").
var immutable = map[string]bool{
	"./all":      true, // the catalog's labs, in order
	"ga/Regions": true, // the lab's two regions
}

// constantLike reports whether a package-level variable's value is one the house
// treats as a constant: a sentinel error or a compiled regular expression.
func constantLike(v ast.Expr) bool {
	call, ok := v.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && (x.Name == "errors" && sel.Sel.Name == "New" || x.Name == "regexp" && sel.Sel.Name == "MustCompile")
}

// TestNoPackageLevelState: what a lab remembers between cycles lives in the
// monitor's labs.Cache, never in a package-level variable (a sync.Map, a map, a
// slice, a pointer …), which would outlive classes and students, be shared by two
// simulated worlds and miss the cache's evictions. //go:embed files, sentinel
// errors, compiled regular expressions and the tables in immutable are allowed.
func TestNoPackageLevelState(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		checked++
		dir := filepath.ToSlash(filepath.Dir(path))
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if embedded(gd.Doc) || embedded(vs.Doc) {
					continue
				}
				for i, name := range vs.Names {
					if name.Name == "_" || immutable[dir+"/"+name.Name] || i < len(vs.Values) && constantLike(vs.Values[i]) {
						continue
					}
					t.Errorf("%s: package-level variable %s: keep a lab's memory in its labs.Cache (or list an immutable table in immutable)", fset.Position(name.Pos()), name.Name)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("checked %d files: the walk did not reach the labs", checked)
	}
}

func embedded(doc *ast.CommentGroup) bool {
	if doc == nil {
		return false
	}
	for _, c := range doc.List {
		if strings.HasPrefix(c.Text, "//go:embed ") {
			return true
		}
	}
	return false
}
