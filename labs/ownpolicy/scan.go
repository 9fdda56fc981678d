package ownpolicy

// The scanner: which AWS operations a set of Go files calls, read from their
// syntax (go/parser), so the policy follows the code without a list to keep.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/labdash/labdash/labs/cloud"
)

// Source is a set of Go files whose AWS calls a part needs.
type Source struct {
	// Dir is a slash path from the repository root; an element "*" matches
	// every directory there ("labs/catalog/*": each lab's folder).
	Dir string
	// Files, when set, are the only files of Dir taken; Skip are left out
	// (Part.Why says why). Test files never count.
	Files, Skip []string
	// ReadOnly keeps only the calls cloud.IsMutating says change nothing.
	ReadOnly bool
}

// Call is one AWS call the scanner found.
type Call struct {
	Service, Op string // the cloud.Clients field and the operation: "ECS", "DescribeServices"
	Pos         string // "labs/catalog/fargate/observe.go:120"
}

// Key is the call's operation as "ECS.DescribeServices".
func (c Call) Key() string { return c.Service + "." + c.Op }

// Input is an SDK operation input the file builds (&ecs.DescribeServicesInput{…}).
type Input = Call

// FileCalls is what the scanner read in one file.
type FileCalls struct {
	Calls  []Call  // calls of an operation through a cloud.Clients field
	Inputs []Input // operation inputs the file builds: each should be in Calls
}

// operations indexes cloud.Operations by service and name.
func operations() map[string]map[string]cloud.Operation {
	out := map[string]map[string]cloud.Operation{}
	for _, op := range cloud.Operations {
		if out[op.Service] == nil {
			out[op.Service] = map[string]cloud.Operation{}
		}
		out[op.Service][op.Op] = op
	}
	return out
}

// clientTypes maps each cloud.Clients interface field to its interface's type
// name ("Quotas" → "ServiceQuotas") and to the SDK package its operations take
// their inputs from ("github.com/aws/aws-sdk-go-v2/service/servicequotas").
func clientTypes() (typeName, sdkPkg map[string]string) {
	typeName, sdkPkg = map[string]string{}, map[string]string{}
	ops := operations()
	t := reflect.TypeOf(cloud.Clients{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if _, ok := ops[f.Name]; !ok || f.Type.Kind() != reflect.Interface {
			continue
		}
		typeName[f.Name] = f.Type.Name()
		for m := 0; m < f.Type.NumMethod(); m++ {
			if mt := f.Type.Method(m).Type; mt.NumIn() >= 2 && mt.In(1).Kind() == reflect.Pointer {
				sdkPkg[f.Name] = mt.In(1).Elem().PkgPath()
				break
			}
		}
	}
	return typeName, sdkPkg
}

// ScanFile reads one Go file's AWS calls. A call counts when it is
// X.<Field>.<Op>(…) with Field a cloud.Clients field and Op one of its
// operations in cloud.Operations, or <v>.<Op>(…) with v a local variable
// holding such a field (ga := c.GlobalAccelerator) or declared with its
// interface type (api cloud.ECS), or an SDK paginator built on such a client
// (ecs.NewListTasksPaginator(c.ECS, …) calls ListTasks). rel names the file in
// positions.
func ScanFile(fset *token.FileSet, filename, rel string) (FileCalls, error) {
	f, err := parser.ParseFile(fset, filename, nil, 0) // with object resolution: v's uses share its declaration
	if err != nil {
		return FileCalls{}, err
	}
	ops := operations()
	typeName, sdkPkg := clientTypes()
	fieldOfType := map[string]string{}
	for field, tn := range typeName {
		fieldOfType[tn] = field
	}
	fieldOfPkg := map[string]string{}
	for field, p := range sdkPkg {
		fieldOfPkg[p] = field
	}
	imports := map[string]string{} // local name → import path
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		name := path.Base(p)
		if im.Name != nil {
			name = im.Name.Name
		}
		imports[name] = p
	}
	const cloudPkg = "github.com/labdash/labdash/labs/cloud"
	// fieldOf says which Clients field an expression is, if it is one.
	aliases := map[*ast.Object]string{}
	fieldOf := func(e ast.Expr) string {
		switch x := e.(type) {
		case *ast.SelectorExpr:
			if _, ok := ops[x.Sel.Name]; ok {
				return x.Sel.Name
			}
		case *ast.Ident:
			if x.Obj != nil {
				return aliases[x.Obj]
			}
		}
		return ""
	}
	// typeField says which Clients field a declared type is the interface of (cloud.ECS).
	typeField := func(e ast.Expr) string {
		if s, ok := e.(*ast.SelectorExpr); ok {
			if id, ok := s.X.(*ast.Ident); ok && imports[id.Name] == cloudPkg {
				return fieldOfType[s.Sel.Name]
			}
		}
		return ""
	}
	bind := func(id *ast.Ident, field string) {
		if id != nil && id.Obj != nil && field != "" {
			aliases[id.Obj] = field
		}
	}
	// First pass: the variables that hold a client.
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			if len(x.Lhs) == len(x.Rhs) {
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						if s, ok := x.Rhs[i].(*ast.SelectorExpr); ok {
							bind(id, fieldOf(s))
						}
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range x.Names {
				if x.Type != nil {
					bind(id, typeField(x.Type))
				}
				if i < len(x.Values) {
					if s, ok := x.Values[i].(*ast.SelectorExpr); ok {
						bind(id, fieldOf(s))
					}
				}
			}
		case *ast.Field: // parameters and results
			for _, id := range x.Names {
				bind(id, typeField(x.Type))
			}
		}
		return true
	})
	var out FileCalls
	pos := func(p token.Pos) string { return fmt.Sprintf("%s:%d", rel, fset.Position(p).Line) }
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
				if field := fieldOf(sel.X); field != "" {
					if _, ok := ops[field][sel.Sel.Name]; ok {
						out.Calls = append(out.Calls, Call{Service: field, Op: sel.Sel.Name, Pos: pos(x.Pos())})
					}
				}
				// An SDK paginator calls its operation on the client it is given:
				// ecs.NewListTasksPaginator(c.ECS, in).
				if id, ok := sel.X.(*ast.Ident); ok && len(x.Args) > 0 && strings.HasPrefix(sel.Sel.Name, "New") && strings.HasSuffix(sel.Sel.Name, "Paginator") {
					op := strings.TrimSuffix(strings.TrimPrefix(sel.Sel.Name, "New"), "Paginator")
					if field := fieldOf(x.Args[0]); field != "" && sdkPkg[field] == imports[id.Name] {
						if _, ok := ops[field][op]; ok {
							out.Calls = append(out.Calls, Call{Service: field, Op: op, Pos: pos(x.Pos())})
						}
					}
				}
			}
		case *ast.CompositeLit:
			if s, ok := x.Type.(*ast.SelectorExpr); ok {
				if id, ok := s.X.(*ast.Ident); ok {
					if field := fieldOfPkg[imports[id.Name]]; field != "" && strings.HasSuffix(s.Sel.Name, "Input") {
						if op := strings.TrimSuffix(s.Sel.Name, "Input"); ops[field][op].Op != "" {
							out.Inputs = append(out.Inputs, Input{Service: field, Op: op, Pos: pos(x.Pos())})
						}
					}
				}
			}
		}
		return true
	})
	return out, nil
}

// Paths lists the files of a source under root, as slash paths from root, sorted.
func (s Source) Paths(root string) ([]string, error) {
	dirs, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(s.Dir)))
	if err != nil {
		return nil, err
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("ownpolicy: source %s: no such directory under %s", s.Dir, root)
	}
	var out []string
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue // "labs/catalog/*" matches catalog.go too
		}
		entries, err := os.ReadDir(d)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			n := e.Name()
			if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") || contains(s.Skip, n) || (len(s.Files) > 0 && !contains(s.Files, n)) {
				continue
			}
			rel, err := filepath.Rel(root, filepath.Join(d, n))
			if err != nil {
				return nil, err
			}
			out = append(out, filepath.ToSlash(rel))
		}
	}
	for _, want := range s.Files {
		found := false
		for _, p := range out {
			found = found || path.Base(p) == want
		}
		if !found {
			return nil, fmt.Errorf("ownpolicy: source %s names %s, which is not there", s.Dir, want)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Scan reads the sources of every part under root (the repository) and returns,
// per part, the calls found, sorted by operation then position.
func Scan(root string) (map[string][]Call, error) {
	out := map[string][]Call{}
	fset := token.NewFileSet()
	for _, p := range Parts() {
		out[p.Name] = []Call{}
		for _, s := range p.Sources {
			paths, err := s.Paths(root)
			if err != nil {
				return nil, err
			}
			for _, rel := range paths {
				fc, err := ScanFile(fset, filepath.Join(root, filepath.FromSlash(rel)), rel)
				if err != nil {
					return nil, err
				}
				for _, c := range fc.Calls {
					if s.ReadOnly && cloud.IsMutating(c.Op) {
						continue
					}
					out[p.Name] = append(out[p.Name], c)
				}
			}
		}
		sort.SliceStable(out[p.Name], func(i, j int) bool {
			a, b := out[p.Name][i], out[p.Name][j]
			if a.Key() != b.Key() {
				return a.Key() < b.Key()
			}
			return a.Pos < b.Pos
		})
	}
	return out, nil
}

// Operations reduces calls to their distinct operations, sorted ("ECS.DescribeServices").
func Operations(calls []Call) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range calls {
		if !seen[c.Key()] {
			seen[c.Key()] = true
			out = append(out, c.Key())
		}
	}
	sort.Strings(out)
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
