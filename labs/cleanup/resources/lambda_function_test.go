package resources_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

func TestLambdaFunctionSim(t *testing.T) { testLambdaFunction(t, simEnv(t)) }

// moto creates Python functions without Docker (only invoking needs it).
func TestLambdaFunctionMoto(t *testing.T) { testLambdaFunction(t, motoEnv(t)) }

// testLambdaFunction: the lister proves the student's class-prefixed function and
// not the decoys; Delete removes it and leaves them; a second run is harmless.
func testLambdaFunction(t *testing.T, e *env) {
	role, err := e.c.IAM.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String(classID + "s01-fn-role"), Path: aws.String("/labdash/" + classID + "/s01/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("index.py")
	w.Write([]byte("def handler(event, context):\n    return 1\n"))
	zw.Close()
	mk := func(name string, tags map[string]string) {
		t.Helper()
		if _, err := e.c.Lambda.CreateFunction(e.ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimePython312,
			Role: role.Role.Arn, Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: buf.Bytes()}, Tags: tags}); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	mine := classID + "s01-slotPull"
	other := "c9zzzs01-slotPull"
	lookalike := classID + "s02-slotPull"
	mk(mine, nil)
	mk(other, nil)
	mk(lookalike, map[string]string{"labdash:class": "c9zzz"})

	typ, _ := resources.Lookup("AWS::Lambda::Function")
	found, err := judge(e.ctx, typ, e.c, resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}})
	if err != nil {
		t.Fatal(err)
	}
	var ref resources.Ref
	for _, f := range found {
		switch f.ARN {
		case e.c.ARN("lambda", "function:"+mine):
			if f.Proof == "" || f.Student != "s01" {
				t.Errorf("own function not proven: %+v", f)
			}
			ref = f.Ref
		case e.c.ARN("lambda", "function:"+lookalike):
			if f.Proof != "" {
				t.Errorf("look-alike tagged for another class proven owned: %+v", f)
			}
		default:
			t.Errorf("lister found %s, which is not the class's", f.ARN)
		}
	}
	if ref.ARN == "" {
		t.Fatalf("lister did not find %s among %+v", mine, found)
	}
	if !typ.Match(ref.ARN) || typ.Match(ref.ARN+":1") {
		t.Error("Match: a function ARN must match, a qualified one must not")
	}
	if tags, err := typ.Tags(e.ctx, e.c, resources.Ref{ARN: e.c.ARN("lambda", "function:"+lookalike)}); err != nil || tags["labdash:class"] != "c9zzz" {
		t.Errorf("Tags of the look-alike: %v %v", tags, err)
	}
	e.DeleteUntilGone(e.c, ref, 5)
	e.Gone(e.c, ref)
	if _, err := typ.Tags(e.ctx, e.c, ref); !errors.Is(err, resources.ErrGone) {
		t.Errorf("Tags of the deleted function: %v, want ErrGone", err)
	}
	for _, name := range []string{other, lookalike} {
		if _, err := e.c.Lambda.GetFunction(e.ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}); err != nil {
			t.Errorf("decoy %s: %v", name, err)
		}
	}
}
