package cloud

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Adding a role to or removing it from an instance profile changes the profile:
// the role is a parameter, as DetachRolePolicy's policy is.
func TestIdentifiersInstanceProfileRole(t *testing.T) {
	for _, tc := range []struct {
		op    string
		input any
		want  []string
	}{
		{"RemoveRoleFromInstanceProfile", &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("c42s07-profile"), RoleName: aws.String("shared-role")}, []string{"c42s07-profile"}},
		{"AddRoleToInstanceProfile", &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("c42s07-profile"), RoleName: aws.String("shared-role")}, []string{"c42s07-profile"}},
		{"DeleteInstanceProfile", &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("c42s07-profile")}, []string{"c42s07-profile"}},
		{"CreateInstanceProfile", &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("c42s07-profile"), Path: aws.String("/labdash/")}, []string{"c42s07-profile"}},
		{"DetachRolePolicy", &iam.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String("arn:aws:iam::aws:policy/P")}, []string{"r"}},
	} {
		if got := Identifiers(tc.op, tc.input); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.op, got, tc.want)
		}
	}
}
