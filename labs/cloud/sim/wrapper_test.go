package sim

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs/cloud"
)

// TestOneWrapper reads the package's source: every exported method of a type
// that embeds base (the service clients) runs its operation through do, and no
// method of such a type touches the world's lock itself, so counting, locking,
// catching up the clock and authorizing cannot be skipped by one operation
// written differently. do is the only caller of authorizeLocked.
func TestOneWrapper(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	clients := map[string]bool{}
	var parsed []*ast.File
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, af)
		ast.Inspect(af, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			if st, ok := ts.Type.(*ast.StructType); ok {
				for _, fl := range st.Fields.List {
					if id, ok := fl.Type.(*ast.Ident); ok && id.Name == "base" && len(fl.Names) == 0 {
						clients[ts.Name.Name] = true
					}
				}
			}
			return true
		})
	}
	if len(clients) < 20 {
		t.Fatalf("found %d client types embedding base; the source scan is wrong", len(clients))
	}
	ops := 0
	for _, af := range parsed {
		for _, d := range af.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			name := fn.Name.Name
			where := fset.Position(fn.Pos()).String()
			if fn.Recv == nil {
				if name != "do" && calls(fn.Body, "authorizeLocked") {
					t.Errorf("%s: %s calls authorizeLocked; only do may", where, name)
				}
				continue
			}
			recv := fn.Recv.List[0].Type
			if s, ok := recv.(*ast.StarExpr); ok {
				recv = s.X
			}
			id, ok := recv.(*ast.Ident)
			if !ok {
				continue
			}
			if calls(fn.Body, "authorizeLocked") {
				t.Errorf("%s: %s.%s calls authorizeLocked; only do may", where, id.Name, name)
			}
			if !clients[id.Name] {
				continue
			}
			if touchesLock(fn.Body) {
				t.Errorf("%s: %s.%s touches the world's lock; run the operation through do", where, id.Name, name)
			}
			if ast.IsExported(name) {
				ops++
				if !calls(fn.Body, "do") {
					t.Errorf("%s: %s.%s does not run through do", where, id.Name, name)
				}
			}
		}
	}
	if ops < 200 {
		t.Fatalf("found %d client operations; the source scan is wrong", ops)
	}
}

// calls reports whether body calls the function or method named name.
func calls(body ast.Node, name string) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		switch f := c.Fun.(type) {
		case *ast.Ident:
			found = found || f.Name == name
		case *ast.SelectorExpr:
			found = found || f.Sel.Name == name
		case *ast.IndexExpr: // do[T](…)
			if id, ok := f.X.(*ast.Ident); ok {
				found = found || id.Name == name
			}
		}
		return true
	})
	return found
}

// touchesLock reports whether body names a field called mu (w.mu.Lock, c.w.mu).
func touchesLock(body ast.Node) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if s, ok := n.(*ast.SelectorExpr); ok && s.Sel.Name == "mu" {
			found = true
		}
		return true
	})
	return found
}

// TestEveryOperationIsAuthorized calls every operation of every cloud.Clients
// interface, with an empty input, as a role that has no policy at all: IAM
// denies every one of them (sts:GetCallerIdentity needs no permission), in the
// service's own error code, before the operation looks at its input; or, for
// a write whose resource the simulator does not model, the authorizer refuses
// it (fails closed) rather than let it through. Labdash's own
// clients are never refused. Run through reflection, so an operation added
// later is covered without being listed here.
func TestEveryOperationIsAuthorized(t *testing.T) {
	ctx := context.Background()
	w := New(Options{Clock: NewManualClock(time.Unix(1_800_000_000, 0))})
	admin, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + admin.Account + `:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := admin.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("nobody"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	as, err := w.ClientsAs(ctx, "arn:aws:iam::"+admin.Account+":role/nobody", "s01", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range []struct {
		who     string
		clients *cloud.Clients
		denied  bool
	}{{"the role", as, true}, {"labdash", admin, false}} {
		v := reflect.ValueOf(c.clients).Elem()
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if f.Type.Kind() != reflect.Interface || f.Type.PkgPath() != reflect.TypeOf(cloud.Clients{}).PkgPath() || f.Name == "Prober" {
				continue
			}
			client := v.Field(i)
			for m := 0; m < f.Type.NumMethod(); m++ {
				meth := f.Type.Method(m)
				mt := client.MethodByName(meth.Name)
				if mt.Type().NumIn() < 2 || mt.Type().In(1).Kind() != reflect.Pointer {
					continue
				}
				n++
				in := reflect.New(mt.Type().In(1).Elem())
				out := mt.Call([]reflect.Value{reflect.ValueOf(ctx), in})
				err, _ := out[len(out)-1].Interface().(error)
				op := f.Name + "." + meth.Name
				refused := isAccessDenied(err)
				switch {
				case c.denied && op == "STS.GetCallerIdentity":
					if err != nil {
						t.Errorf("%s: %s: %v; it needs no permission", c.who, op, err)
					}
				case c.denied && unsignedOps[op]:
					// Called without credentials on AWS: the trust policy or the
					// identity pool decides, not the caller's policies.
					if refused {
						t.Errorf("%s: %s was refused: %v; it needs no permission of the caller", c.who, op, err)
					}
				case c.denied && !refused:
					t.Errorf("%s: %s was not refused (err %v)", c.who, op, err)
				case !c.denied && refused:
					t.Errorf("%s: %s was refused: %v", c.who, op, err)
				}
			}
		}
	}
	if n < 400 {
		t.Fatalf("called %d operations; the reflection is wrong", n)
	}
}

// unsignedOps are the calls a browser makes without AWS credentials.
var unsignedOps = map[string]bool{"STS.AssumeRoleWithWebIdentity": true, "CognitoIdentity.GetId": true,
	"CognitoIdentity.GetOpenIdToken": true, "CognitoIdentity.GetCredentialsForIdentity": true,
	"Cognito.SignUp": true} // "Amazon Cognito doesn't evaluate IAM policies in requests for this API operation" (SignUp)

func isAccessDenied(err error) bool {
	if err != nil && strings.HasPrefix(err.Error(), "sim: IAM: ") {
		return true
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError":
		return strings.Contains(api.ErrorMessage(), "is not authorized to perform")
	}
	return false
}
