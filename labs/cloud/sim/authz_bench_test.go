package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/labs/sandbox"
)

// BenchmarkAuthorizedCall measures what IAM evaluation adds to one simulated call:
// ecs:DescribeServices of a student's own service, made as labdash (not evaluated)
// and as the student's fenced role (the class's boundary and its three labs'
// identity policies evaluated, with the service's tags).
//
//	go test -run '^$' -bench AuthorizedCall -benchtime 2s ./labs/cloud/sim/
func BenchmarkAuthorizedCall(b *testing.B) {
	ctx := context.Background()
	w := sim.New(sim.Options{Clock: sim.NewManualClock(time.Unix(1_800_000_000, 0)), DefaultAccount: "111122223333"})
	admin, _ := w.Clients(ctx, "", "us-east-1")
	var all []labs.Lab
	for _, l := range catalog.New().All() {
		if l.Grants != nil {
			all = append(all, l)
		}
	}
	scope := sandbox.ClassScope{ClassID: "cabcd", Account: "111122223333", Regions: []string{"us-east-1", "eu-west-1"}, Labs: all}
	var attach []string
	var boundary string
	for _, p := range sandbox.StudentPolicies(scope) {
		doc, _ := p.Document.JSON()
		out, err := admin.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(p.Name), PolicyDocument: aws.String(doc)})
		if err != nil {
			b.Fatal(err)
		}
		if p.Boundary {
			boundary = *out.Policy.Arn
		} else {
			attach = append(attach, *out.Policy.Arn)
		}
	}
	tags := []iamtypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("cabcd")}, {Key: aws.String("labdash:student"), Value: aws.String("s01")}}
	role, err := admin.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(sandbox.RoleName("cabcd", "s01")), Path: aws.String("/labdash/cabcd/s01/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`), PermissionsBoundary: aws.String(boundary), Tags: tags})
	if err != nil {
		b.Fatal(err)
	}
	for _, a := range attach {
		admin.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: role.Role.RoleName, PolicyArn: aws.String(a)})
	}
	et := []ecstypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("cabcd")}, {Key: aws.String("labdash:student"), Value: aws.String("s01")}}
	admin.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("cabcds01-cluster"), Tags: et})
	in := &ecs.DescribeServicesInput{Cluster: aws.String("cabcds01-cluster"), Services: []string{"cabcds01-svc"}}
	student, err := w.ClientsAs(ctx, *role.Role.Arn, "s01", "us-east-1")
	if err != nil {
		b.Fatal(err)
	}
	for name, c := range map[string]*cloud.Clients{"labdash": admin, "fenced role": student} {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := c.ECS.DescribeServices(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
