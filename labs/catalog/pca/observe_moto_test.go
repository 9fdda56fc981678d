package pca

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/labdash/labdash/labs"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// TestLabOnMoto runs the provisioning and read paths through aws-sdk-go-v2 against
// moto (5.x serves acm-pca's CA lifecycle, CSR, IssueCertificate, GetCertificate,
// ImportCertificateAuthorityCertificate, ListCertificateAuthorities and ListTags,
// and ACM's RequestCertificate with a CA ARN): the prerequisite stack deploys, the
// virtual student's whole script runs (root, its certificate, the subordinate
// signed by the root, the private certificate, the HTTPS listener), and Observe
// reads it all back by tag in one pass: both CAs ACTIVE with their certificates
// parsed, the subordinate's issued by the root, the certificate PRIVATE and
// ISSUED from the subordinate, the :443 listener presenting it. Another student
// sees none of it.
//
// What moto does not serve, so is judged on the simulator (pca_sim_test.go):
//   - UsageMode: moto ignores it and reports every CA SHORT_LIVED_CERTIFICATE, so
//     checkpoints 1 and 2 fail there on "short-lived certificate mode";
//   - the SubordinateCACertificate_PathLen0/V1 template: moto adds no basic
//     constraints for it, so the path length cannot be judged;
//   - ACM private certificates: moto's is self-signed with a fresh key, not
//     signed by the CA, and its InUseBy lists the listener's ARN where AWS lists
//     the load balancer's (checkpoint 5);
//   - the ALB answers no TLS (checkpoint 6): the probe's dial is refused here
//     rather than sent to a DNS name that does not exist.
func TestLabOnMoto(t *testing.T) {
	awstest.Reset(t)
	ctx := context.Background()
	c, err := awstest.NewProvider(t, awsprovider.Options{}).Clients(ctx, "", awstest.Region)
	if err != nil {
		t.Fatal(err)
	}
	c.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, errors.New("moto serves no TLS listener")
	}
	tg := labs.NewTarget("c42", "s07", c.Account, c.Region)
	name, err := labs.CreatePrereqStack(ctx, c, Lab(), tg)
	if err != nil {
		t.Fatal(err)
	}
	out, err := labs.StackOutputs(ctx, c, name)
	if err != nil {
		t.Fatalf("stack outputs: %v", err)
	}
	t.Logf("stack outputs: %v", out)
	e := &labs.Env{C: c, T: tg, Persona: &labs.Persona{Pace: 1, StuckAfter: -1}, Stack: out, Memo: map[string]string{}}
	for _, st := range Lab().Script {
		if err := st.Do(ctx, e); err != nil {
			t.Errorf("step %q: %v", st.Name, err)
		}
	}
	got, err := Observe(ctx, c, labs.NewCache(), []labs.Target{tg, labs.NewTarget("c42", "s08", "", "")})
	if err != nil {
		t.Fatal(err)
	}
	o := got["s07"].(*Observation)
	if len(o.Problems) > 0 || len(o.Stale) > 0 {
		t.Errorf("problems %v, stale %v", o.Problems, o.Stale)
	}
	if o.Root == nil || o.Sub == nil || o.Billed != 2 {
		t.Fatalf("CAs read: root %v, sub %v, billed %d", o.Root != nil, o.Sub != nil, o.Billed)
	}
	for _, ca := range []*CA{o.Root, o.Sub} {
		if ca.Status != "ACTIVE" || ca.Cert == nil {
			t.Errorf("CA %s: %s, certificate parsed %v", aws.ToString(ca.Arn), ca.Status, ca.Cert != nil)
		}
	}
	if cn, _ := subject(o.Root); cn != rootCN {
		t.Errorf("root's subject %q", cn)
	}
	if o.Sub.Cert != nil && o.Root.Cert != nil && o.Sub.Cert.Issuer.String() != o.Root.Cert.Subject.String() {
		t.Errorf("subordinate issued by %q, want the root %q", o.Sub.Cert.Issuer, o.Root.Cert.Subject)
	}
	r := map[string]labs.Result{}
	for _, cp := range Lab().Checkpoints {
		r[cp.ID] = cp.Check(o)
		t.Logf("%s: %s %s", cp.ID, r[cp.ID].Status, r[cp.ID].Evidence)
	}
	if r["private-cert"].Status != labs.Pass || r["https-listener"].Status != labs.Pass {
		t.Errorf("certificate %+v, listener %+v", r["private-cert"], r["https-listener"])
	}
	if o.Probe == nil || o.Probe.Err == "" {
		t.Errorf("the TLS probe was not attempted: %+v", o.Probe)
	}
	if other := got["s08"].(*Observation); other.Root != nil || other.Sub != nil || other.Cert != nil || other.Billed != 0 {
		t.Errorf("s08 (nothing made) got s07's resources: %+v", other)
	}
}
