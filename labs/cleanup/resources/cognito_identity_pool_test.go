package resources_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

func TestCognitoIdentityPoolSim(t *testing.T)  { testCognitoIdentityPool(t, simEnv(t)) }
func TestCognitoIdentityPoolMoto(t *testing.T) { testCognitoIdentityPool(t, motoEnv(t)) }

// testCognitoIdentityPool: the student's pool (tagged, named <class><student>_slots)
// is found by the class prefix and proven by its tags; an untagged one with a
// student's exact prefix <class><student>- is proven by the name rule (on moto:
// the simulator refuses the hyphen), one without the hyphen is not; the decoys
// are left alone:
// another class's pool, a near-miss name (s1 against s10, the class id as a mere
// prefix of another), a pool of this class's name tagged for another class, and
// the student's own pool in another region, which a lister of this region never sees.
func testCognitoIdentityPool(t *testing.T, e *env) {
	mk := func(c *cloud.Clients, name string, tags map[string]string) string {
		t.Helper()
		out, err := c.CognitoIdentity.CreateIdentityPool(e.ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String(name),
			AllowUnauthenticatedIdentities: true, IdentityPoolTags: tags})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return aws.ToString(out.IdentityPoolId)
	}
	// The lab's names, <class><student>_slots: the simulator refuses a hyphen in a
	// pool's name (the older pattern [\w ]+). AWS takes one today, so on moto a
	// hand-made, untagged <class><student>-slots is proven by the name rule too.
	mine := mk(e.c, classID+"s01_slots", map[string]string{"labdash:class": classID, "labdash:student": "s01"})
	owned := []string{mine}
	if e.world == nil {
		owned = append(owned, mk(e.c, classID+"s02-slots", nil))
	}
	decoys := map[string]string{
		"another class":          mk(e.c, "c9zzzs01_slots", map[string]string{"labdash:class": "c9zzz", "labdash:student": "s01"}),
		"near-miss student":      mk(e.c, classID+"s010_slots", nil),
		"near-miss class":        mk(e.c, classID+"xs01_slots", nil),
		"tagged elsewhere":       mk(e.c, classID+"s03_slots", map[string]string{"labdash:class": "c9zzz", "labdash:student": "s03"}),
		"untagged, no prefix":    mk(e.c, "slots", nil),
		"untagged, not the rule": mk(e.c, classID+"s02_slots", nil),
	}
	away := e.region("eu-west-1")
	elsewhere := mk(away, classID+"s01_slots", map[string]string{"labdash:class": classID, "labdash:student": "s01"})

	pools, ok := resources.Lookup("AWS::Cognito::IdentityPool")
	if !ok {
		t.Fatal("AWS::Cognito::IdentityPool is not registered")
	}
	arn := func(c *cloud.Clients, id string) string { return c.ARN("cognito-identity", "identitypool/"+id) }
	scope := resources.Scope{ClassID: classID, Students: []string{"s01", "s02", "s03", "s1"}, Owned: map[string]resources.Ref{}}
	found, err := judge(e.ctx, pools, e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	proven := map[string]resources.Ref{}
	for _, f := range found {
		if f.Proof != "" {
			proven[f.ARN] = f.Ref
		}
		if f.ARN == arn(away, elsewhere) {
			t.Errorf("the lister of %s found the pool in eu-west-1", e.c.Region)
		}
	}
	for _, id := range owned {
		if _, ok := proven[arn(e.c, id)]; !ok {
			t.Errorf("pool %s not proven the class's: %+v", id, found)
		}
	}
	for why, id := range decoys {
		if _, ok := proven[arn(e.c, id)]; ok {
			t.Errorf("decoy (%s) %s proven the class's", why, id)
		}
	}
	if tags, err := pools.Tags(e.ctx, e.c, proven[arn(e.c, mine)]); err != nil || tags["labdash:student"] != "s01" {
		t.Fatalf("Tags: %v %v", tags, err)
	}
	if got, ok := resources.ForARN(arn(e.c, mine)); !ok || got.Name != "AWS::Cognito::IdentityPool" {
		t.Errorf("ForARN = %q, %v", got.Name, ok)
	}
	for _, bad := range []string{"arn:aws:cognito-identity:us-east-1:111122223333:identitypool/", "arn:aws:cognito-identity:us-east-1:111122223333:identitypool/us-east-1",
		"arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_AbC", "arn:aws:cognito-identity:us-east-1:111122223333:identitypool/us-east-1:XYZ"} {
		if got, ok := resources.ForARN(bad); ok && got.Name == "AWS::Cognito::IdentityPool" {
			t.Errorf("%s taken for an identity pool", bad)
		}
	}

	for _, id := range owned {
		r := proven[arn(e.c, id)]
		e.DeleteUntilGone(e.c, r, 3)
		e.Gone(e.c, r)
		if _, err := pools.Tags(e.ctx, e.c, r); !errors.Is(err, resources.ErrGone) {
			t.Errorf("Tags of the deleted pool %s: %v, want ErrGone", id, err)
		}
	}
	for why, id := range decoys {
		if _, err := e.c.CognitoIdentity.DescribeIdentityPool(e.ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: aws.String(id)}); err != nil {
			t.Errorf("decoy (%s) %s: %v", why, id, err)
		}
	}
	if d, err := away.CognitoIdentity.DescribeIdentityPool(e.ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: aws.String(elsewhere)}); err != nil || d.IdentityPoolTags["labdash:student"] != "s01" {
		t.Errorf("the pool in eu-west-1: %v", err)
	}
}
