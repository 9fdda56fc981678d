package sim

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/labdash/labdash/labs/cloud"
)

func (e *env) roleWith(name, policy string) *cloud.Clients {
	e.t.Helper()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := e.c.IAM.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.c.IAM.PutRolePolicy(e.ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
		e.t.Fatal(err)
	}
	as, err := e.w.ClientsAs(e.ctx, "arn:aws:iam::111122223333:role/"+name, "t", "us-east-1")
	if err != nil {
		e.t.Fatal(err)
	}
	return as
}

// A student allowed the user pool actions on their own pool may use them there
// and not on a classmate's; allowed Stop/Start on instances tagged as theirs, not
// on another student's instance.
func TestLab1WritesNameTheirResources(t *testing.T) {
	e := newEnv(t)
	mine, theirs := e.userPool("c42s07-photos"), e.userPool("c42s08-photos")
	as := e.roleWith("s07", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["cognito-idp:CreateUserPoolClient","cognito-idp:AdminConfirmSignUp"],"Resource":"arn:aws:cognito-idp:us-east-1:111122223333:userpool/`+mine+`"},
		{"Effect":"Allow","Action":["rds:StopDBInstance","rds:StartDBInstance"],"Resource":"arn:aws:rds:us-east-1:111122223333:db:*","Condition":{"StringEquals":{"aws:ResourceTag/labdash:student":"s07"}}}]}`)
	if _, err := as.Cognito.CreateUserPoolClient(e.ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(mine), ClientName: aws.String("web")}); err != nil {
		t.Errorf("own pool: %v", err)
	}
	if _, err := as.Cognito.CreateUserPoolClient(e.ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(theirs), ClientName: aws.String("web")}); !isAccessDenied(err) {
		t.Errorf("classmate's pool: %v, want access denied", err)
	}
	for id, student := range map[string]string{"c42s07-photos-db": "s07", "c42s08-photos-db": "s08"} {
		if _, err := e.c.RDS.CreateDBInstance(e.ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t3.micro"),
			Engine: aws.String("mysql"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secret-pw-1"), AllocatedStorage: aws.Int32(20),
			Tags: []rdstypes.Tag{{Key: aws.String("labdash:student"), Value: aws.String(student)}}}); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(10 * time.Minute)
	if _, err := as.RDS.StopDBInstance(e.ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("c42s07-photos-db")}); err != nil {
		t.Errorf("stop own instance: %v", err)
	}
	if _, err := as.RDS.StopDBInstance(e.ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("c42s08-photos-db")}); !isAccessDenied(err) {
		t.Errorf("stop a classmate's instance: %v, want access denied", err)
	}
	if s := e.dbStatus("c42s08-photos-db"); s != "available" {
		t.Errorf("classmate's instance %s", s)
	}
}
