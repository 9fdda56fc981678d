package pca

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/batch"
	"github.com/labdash/labdash/labs/cloud"
)

// Cadences (LABS.md Lab 9): CA and certificate tiles 60 s, the TLS probe 30 s.
const (
	detailEvery  = 60 * time.Second
	probeEvery   = 30 * time.Second
	probeTimeout = 3 * time.Second
	pageCap      = 20
)

// Observation is one student's Private CA lab state as read in one cycle.
type Observation struct {
	Target labs.Target
	At     time.Time
	// Root and Sub are the student's CAs (tagged labdash:student) that are not
	// DELETED: the ROOT and the SUBORDINATE, the ACTIVE one first if there are two.
	Root, Sub *CA
	// Billed counts every CA of the student's that still bills (anything not DELETED).
	Billed int
	// Deleted counts the student's CAs in their restoration window (no longer billed).
	Deleted int
	// Cert is the student's ACM certificate (tagged), the ISSUED one first.
	Cert *acmtypes.CertificateDetail
	// ALB is the student's <prefix>myalb; Listeners its listeners; SGs its security groups.
	ALB       *elbtypes.LoadBalancer
	Listeners []elbtypes.Listener
	TGArn     string // <prefix>mytg's ARN
	SGs       []ec2types.SecurityGroup
	Probe     *TLSProbe
	Problems  []string
	// Stale names the parts whose read failed this cycle for a reason other than
	// "not found": they hold the last cycle's state.
	Stale []string
}

// CA is one certificate authority with its installed certificate, parsed.
type CA struct {
	pcatypes.CertificateAuthority
	Cert  *x509.Certificate   // nil until a certificate is installed (or unread)
	Chain []*x509.Certificate // the certificate's chain above it (a subordinate's)
}

// TLSProbe is the dashboard's TLS handshake with the student's HTTPS :443
// listener, verified against the root CA's certificate alone.
type TLSProbe struct {
	Addr       string
	ServerName string   // the certificate's domain
	Chain      []string // the verified chain's subjects, leaf first
	Err        string   // why verification (or the handshake) failed
	// ALBNameErr is what verifying with the ALB's DNS name as ServerName says:
	// the expected hostname mismatch (LABS.md Lab 9, checkpoint 6).
	ALBNameErr string
	At         time.Time
}

// Verified reports whether the chain verified.
func (p *TLSProbe) Verified() bool { return p != nil && p.Err == "" && len(p.Chain) > 0 }

// StaleParts reports the parts carried over from the last cycle (labs.Staler).
func (o *Observation) StaleParts() []string { return o.Stale }

func (o *Observation) stale(part string, err error) {
	if !slices.Contains(o.Stale, part) {
		o.Stale = append(o.Stale, part)
		o.Problems = append(o.Problems, part+": "+err.Error())
	}
}

// Resources lists what the observation found of the student's, for the ledger.
func (o *Observation) Resources() []labs.Resource {
	if o == nil {
		return nil
	}
	var out []labs.Resource
	for _, ca := range []*CA{o.Root, o.Sub} {
		if ca != nil {
			out = append(out, labs.Resource{ARN: aws.ToString(ca.Arn), Type: "AWS::ACMPCA::CertificateAuthority", Region: o.Target.Region, FoundBy: "tag"})
		}
	}
	if o.Cert != nil {
		out = append(out, labs.Resource{ARN: aws.ToString(o.Cert.CertificateArn), Type: "AWS::CertificateManager::Certificate", Region: o.Target.Region, FoundBy: "tag"})
	}
	if l := o.httpsListener(); l != nil && o.ALB != nil {
		out = append(out, labs.Resource{ARN: aws.ToString(l.ListenerArn), Type: "AWS::ElasticLoadBalancingV2::Listener", Region: o.Target.Region,
			Parent: aws.ToString(o.ALB.LoadBalancerArn), FoundBy: "prefix"})
	}
	return out
}

// memory is what the lab keeps between cycles: per group, the tags of every CA
// and certificate seen (tags are set at creation; a resource is asked once); per
// student, the last reads of the slower cadences and the last observation.
type group struct {
	owner map[string]string // resource ARN → "class/student" ("" when untagged by labdash)
}

type memory struct {
	caCerts  map[string]*caCertRead // CA ARN → its certificate, read at detailEvery
	cert     *certRead
	probe    *TLSProbe
	last     *Observation
	probedAt time.Time
}

type caCertRead struct {
	at     time.Time
	status pcatypes.CertificateAuthorityStatus
	cert   *x509.Certificate
	chain  []*x509.Certificate
}

type certRead struct {
	at     time.Time
	detail *acmtypes.CertificateDetail
}

func groupOf(cache *labs.Cache) *group {
	g := labs.Keep[group](cache, "", "pca")
	if g.owner == nil {
		g.owner = map[string]string{}
	}
	return g
}

func memoryOf(cache *labs.Cache, t labs.Target) *memory {
	m := labs.Keep[memory](cache, t.StudentID, "pca")
	if m.caCerts == nil {
		m.caCerts = map[string]*caCertRead{}
	}
	return m
}

// Observe reads the lab for every target of one (account, region) batch.
func Observe(ctx context.Context, c *cloud.Clients, cache *labs.Cache, targets []labs.Target) (map[string]labs.Observation, error) {
	if c == nil || c.PCA == nil || c.ACM == nil || c.ELBv2 == nil {
		return nil, errors.New("pca: no Private CA, ACM or ELB client")
	}
	obs := map[string]*Observation{}
	for _, t := range targets {
		obs[t.StudentID] = &Observation{Target: t, At: c.Clock()}
	}
	if len(targets) == 0 {
		return map[string]labs.Observation{}, nil
	}
	g := groupOf(cache)
	if err := observeCAs(ctx, c, cache, g, targets, obs); err != nil {
		return nil, err
	}
	if err := observeCerts(ctx, c, cache, g, targets, obs); err != nil {
		return nil, err
	}
	observeALBs(ctx, c, targets, obs)
	for _, t := range targets {
		probe(ctx, c, memoryOf(cache, t), obs[t.StudentID])
	}
	out := make(map[string]labs.Observation, len(obs))
	for k, o := range obs {
		memoryOf(cache, o.Target).last = o
		out[k] = o
	}
	return out, nil
}

// ownerOf returns "class/student" of a resource from its tags, asking once.
func ownerOf(g *group, arn string, tags func() (map[string]string, error)) (string, error) {
	if v, ok := g.owner[arn]; ok {
		return v, nil
	}
	m, err := tags()
	if err != nil {
		return "", err
	}
	v := ""
	if m["labdash:student"] != "" {
		v = m["labdash:class"] + "/" + m["labdash:student"]
	}
	g.owner[arn] = v
	return v, nil
}

// observeCAs lists the region's CAs once (1,000 a page), finds each student's by
// its tags, and reads the root's and subordinate's certificates at detailEvery.
func observeCAs(ctx context.Context, c *cloud.Clients, cache *labs.Cache, g *group, targets []labs.Target, obs map[string]*Observation) error {
	var cas []pcatypes.CertificateAuthority
	pages := acmpca.NewListCertificateAuthoritiesPaginator(c.PCA, &acmpca.ListCertificateAuthoritiesInput{MaxResults: aws.Int32(1000), ResourceOwner: pcatypes.ResourceOwnerSelf})
	for page := 0; page < pageCap && pages.HasMorePages(); page++ {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("pca: list certificate authorities: %w", err)
		}
		cas = append(cas, out.CertificateAuthorities...)
	}
	class := targets[0].ClassID
	byStudent := map[string][]pcatypes.CertificateAuthority{}
	for _, ca := range cas {
		arn := aws.ToString(ca.Arn)
		who, err := ownerOf(g, arn, func() (map[string]string, error) {
			m := map[string]string{}
			var token *string
			for i := 0; i < 5; i++ {
				out, err := c.PCA.ListTags(ctx, &acmpca.ListTagsInput{CertificateAuthorityArn: ca.Arn, NextToken: token})
				if err != nil {
					return nil, err
				}
				for _, t := range out.Tags {
					m[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					break
				}
			}
			return m, nil
		})
		if err != nil {
			if batch.IsNotFound(err) {
				continue
			}
			// Unread tags: whoever had this CA last cycle keeps it, stale.
			for _, o := range obs {
				if l := memoryOf(cache, o.Target).last; l != nil && (l.Root != nil && aws.ToString(l.Root.Arn) == arn || l.Sub != nil && aws.ToString(l.Sub.Arn) == arn) {
					byStudent[o.Target.StudentID] = append(byStudent[o.Target.StudentID], ca)
					o.stale("ca tags", err)
				}
			}
			continue
		}
		cls, student, _ := strings.Cut(who, "/")
		if cls != class || obs[student] == nil {
			continue
		}
		byStudent[student] = append(byStudent[student], ca)
	}
	for _, t := range targets {
		o, m := obs[t.StudentID], memoryOf(cache, t)
		for _, ca := range byStudent[t.StudentID] {
			if ca.Status == pcatypes.CertificateAuthorityStatusDeleted {
				o.Deleted++
				continue
			}
			o.Billed++
			x := &CA{CertificateAuthority: ca}
			switch ca.Type {
			case pcatypes.CertificateAuthorityTypeRoot:
				if o.Root == nil || better(ca, o.Root.CertificateAuthority) {
					o.Root = x
				}
			case pcatypes.CertificateAuthorityTypeSubordinate:
				if o.Sub == nil || better(ca, o.Sub.CertificateAuthority) {
					o.Sub = x
				}
			}
		}
		for _, x := range []*CA{o.Root, o.Sub} {
			if x != nil {
				readCACert(ctx, c, m, o, x)
			}
		}
		for arn := range m.caCerts { // forget CAs no longer there
			if (o.Root == nil || aws.ToString(o.Root.Arn) != arn) && (o.Sub == nil || aws.ToString(o.Sub.Arn) != arn) {
				delete(m.caCerts, arn)
			}
		}
	}
	return nil
}

// better reports whether a should stand for the student over b: ACTIVE first, then the newest.
func better(a, b pcatypes.CertificateAuthority) bool {
	aa, ba := a.Status == pcatypes.CertificateAuthorityStatusActive, b.Status == pcatypes.CertificateAuthorityStatusActive
	if aa != ba {
		return aa
	}
	return aws.ToTime(a.CreatedAt).After(aws.ToTime(b.CreatedAt))
}

// readCACert reads a CA's installed certificate: again at detailEvery, or at once
// when the CA's status changed (a certificate was just imported).
func readCACert(ctx context.Context, c *cloud.Clients, m *memory, o *Observation, x *CA) {
	if x.Status != pcatypes.CertificateAuthorityStatusActive && x.Status != pcatypes.CertificateAuthorityStatusDisabled {
		return // no certificate installed yet
	}
	arn := aws.ToString(x.Arn)
	if r := m.caCerts[arn]; r != nil && r.status == x.Status && o.At.Sub(r.at) < detailEvery && !o.At.Before(r.at) {
		x.Cert, x.Chain = r.cert, r.chain
		return
	}
	out, err := c.PCA.GetCertificateAuthorityCertificate(ctx, &acmpca.GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: x.Arn})
	if err != nil {
		if r := m.caCerts[arn]; r != nil {
			x.Cert, x.Chain = r.cert, r.chain
		}
		o.stale("ca certificate", fmt.Errorf("GetCertificateAuthorityCertificate: %w", err))
		return
	}
	certs := parsePEM(aws.ToString(out.Certificate))
	if len(certs) > 0 {
		x.Cert = certs[0]
	}
	x.Chain = parsePEM(aws.ToString(out.CertificateChain))
	m.caCerts[arn] = &caCertRead{at: o.At, status: x.Status, cert: x.Cert, chain: x.Chain}
}

func parsePEM(s string) []*x509.Certificate {
	var out []*x509.Certificate
	rest := []byte(s)
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return out
		}
		if c, err := x509.ParseCertificate(b.Bytes); err == nil {
			out = append(out, c)
		}
	}
}

// allKeyTypes: ListCertificates returns only RSA_1024 and RSA_2048 certificates
// unless asked for more (ACM's Filters.keyTypes).
func allKeyTypes() []acmtypes.KeyAlgorithm { return acmtypes.KeyAlgorithmRsa2048.Values() }

// observeCerts lists the region's certificates once (every status and key
// type), finds each student's by its tags, and describes it at detailEvery.
func observeCerts(ctx context.Context, c *cloud.Clients, cache *labs.Cache, g *group, targets []labs.Target, obs map[string]*Observation) error {
	var sums []acmtypes.CertificateSummary
	pages := acm.NewListCertificatesPaginator(c.ACM, &acm.ListCertificatesInput{MaxItems: aws.Int32(1000), Includes: &acmtypes.Filters{KeyTypes: allKeyTypes()}})
	for page := 0; page < pageCap && pages.HasMorePages(); page++ {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("pca: list certificates: %w", err)
		}
		sums = append(sums, out.CertificateSummaryList...)
	}
	class := targets[0].ClassID
	mine := map[string][]acmtypes.CertificateSummary{}
	for _, s := range sums {
		arn := aws.ToString(s.CertificateArn)
		who, err := ownerOf(g, arn, func() (map[string]string, error) {
			out, err := c.ACM.ListTagsForCertificate(ctx, &acm.ListTagsForCertificateInput{CertificateArn: s.CertificateArn})
			if err != nil {
				return nil, err
			}
			m := map[string]string{}
			for _, t := range out.Tags {
				m[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			return m, nil
		})
		if err != nil {
			if !batch.IsNotFound(err) {
				for _, o := range obs {
					if l := memoryOf(cache, o.Target).last; l != nil && l.Cert != nil && aws.ToString(l.Cert.CertificateArn) == arn {
						mine[o.Target.StudentID] = append(mine[o.Target.StudentID], s)
						o.stale("certificate tags", err)
					}
				}
			}
			continue
		}
		cls, student, _ := strings.Cut(who, "/")
		if cls == class && obs[student] != nil {
			mine[student] = append(mine[student], s)
		}
	}
	for _, t := range targets {
		o, m := obs[t.StudentID], memoryOf(cache, t)
		list := mine[t.StudentID]
		if len(list) == 0 {
			m.cert = nil
			continue
		}
		pick := list[0]
		for _, s := range list[1:] { // the ISSUED one, then the newest
			if (s.Status == acmtypes.CertificateStatusIssued) != (pick.Status == acmtypes.CertificateStatusIssued) {
				if s.Status == acmtypes.CertificateStatusIssued {
					pick = s
				}
				continue
			}
			if aws.ToTime(s.CreatedAt).After(aws.ToTime(pick.CreatedAt)) {
				pick = s
			}
		}
		arn := aws.ToString(pick.CertificateArn)
		// Read again at detailEvery, or at once when the status or in-use flag moved.
		if r := m.cert; r != nil && aws.ToString(r.detail.CertificateArn) == arn && r.detail.Status == pick.Status &&
			(len(r.detail.InUseBy) > 0) == aws.ToBool(pick.InUse) && o.At.Sub(r.at) < detailEvery && !o.At.Before(r.at) {
			o.Cert = r.detail
			continue
		}
		out, err := c.ACM.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: pick.CertificateArn})
		if err != nil {
			if m.cert != nil {
				o.Cert = m.cert.detail
			}
			o.stale("certificate", fmt.Errorf("DescribeCertificate: %w", err))
			continue
		}
		o.Cert = out.Certificate
		m.cert = &certRead{at: o.At, detail: out.Certificate}
	}
	return nil
}

// observeALBs reads the students' ALBs by name (20 a call, a missing name dropped
// by batch.Describe), each ALB's listeners, the target groups by name, and the
// ALBs' security groups in one call.
func observeALBs(ctx context.Context, c *cloud.Clients, targets []labs.Target, obs map[string]*Observation) {
	byLB, byTG := map[string]*Observation{}, map[string]*Observation{}
	var lbNames, tgNames []string
	for _, t := range targets {
		byLB[lbName(t)], byTG[tgName(t)] = obs[t.StudentID], obs[t.StudentID]
		lbNames, tgNames = append(lbNames, lbName(t)), append(tgNames, tgName(t))
	}
	for i := 0; i < len(lbNames); i += 20 {
		chunk := lbNames[i:min(i+20, len(lbNames))]
		res := batch.Describe(ctx, chunk, func(ctx context.Context, names []string) ([]elbtypes.LoadBalancer, error) {
			out, err := c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: names})
			if err != nil {
				return nil, err
			}
			return out.LoadBalancers, nil
		})
		for _, lb := range res.Found {
			if o := byLB[aws.ToString(lb.LoadBalancerName)]; o != nil {
				o.ALB = &lb
			}
		}
		for _, n := range res.Failed {
			byLB[n].stale("alb", fmt.Errorf("DescribeLoadBalancers: %w", res.Err))
		}
	}
	for i := 0; i < len(tgNames); i += 20 {
		chunk := tgNames[i:min(i+20, len(tgNames))]
		res := batch.Describe(ctx, chunk, func(ctx context.Context, names []string) ([]elbtypes.TargetGroup, error) {
			out, err := c.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: names})
			if err != nil {
				return nil, err
			}
			return out.TargetGroups, nil
		})
		for _, tg := range res.Found {
			if o := byTG[aws.ToString(tg.TargetGroupName)]; o != nil {
				o.TGArn = aws.ToString(tg.TargetGroupArn)
			}
		}
		for _, n := range res.Failed {
			byTG[n].stale("target group", fmt.Errorf("DescribeTargetGroups: %w", res.Err))
		}
	}
	var sgIDs []string
	bySG := map[string][]*Observation{}
	for _, t := range targets {
		o := obs[t.StudentID]
		if o.ALB == nil {
			continue
		}
		out, err := c.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: o.ALB.LoadBalancerArn})
		if err != nil {
			if !batch.IsNotFound(err) {
				o.stale("listeners", fmt.Errorf("DescribeListeners: %w", err))
			}
		} else {
			o.Listeners = out.Listeners
		}
		for _, id := range o.ALB.SecurityGroups {
			if bySG[id] == nil {
				sgIDs = append(sgIDs, id)
			}
			bySG[id] = append(bySG[id], o)
		}
	}
	if len(sgIDs) == 0 || c.EC2 == nil {
		return
	}
	for i := 0; i < len(sgIDs); i += 200 {
		chunk := sgIDs[i:min(i+200, len(sgIDs))]
		res := batch.Describe(ctx, chunk, func(ctx context.Context, ids []string) ([]ec2types.SecurityGroup, error) {
			out, err := c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: ids})
			if err != nil {
				return nil, err
			}
			return out.SecurityGroups, nil
		})
		for _, sg := range res.Found {
			for _, o := range bySG[aws.ToString(sg.GroupId)] {
				o.SGs = append(o.SGs, sg)
			}
		}
		for _, id := range res.Failed {
			for _, o := range bySG[id] {
				o.stale("security groups", fmt.Errorf("DescribeSecurityGroups: %w", res.Err))
			}
		}
	}
}

// probe shakes hands with the student's HTTPS :443 listener at probeEvery (or at
// once when the certificate or listener changed), trusting only the root CA's
// certificate, and verifies the presented chain twice: with the certificate's
// domain as ServerName (must pass) and with the ALB's DNS name (the expected
// hostname mismatch).
func probe(ctx context.Context, c *cloud.Clients, m *memory, o *Observation) {
	l := o.httpsListener()
	if o.ALB == nil || l == nil || o.Root == nil || o.Root.Cert == nil || o.Cert == nil {
		m.probe = nil
		return
	}
	addr := net.JoinHostPort(aws.ToString(o.ALB.DNSName), "443")
	domain := aws.ToString(o.Cert.DomainName)
	if p := m.probe; p != nil && p.Addr == addr && p.ServerName == domain && o.At.Sub(p.At) < probeEvery && !o.At.Before(p.At) && m.last != nil &&
		sameListener(m.last.httpsListener(), l) {
		o.Probe = p
		return
	}
	p := &TLSProbe{Addr: addr, ServerName: domain, At: o.At}
	o.Probe, m.probe = p, p
	dial := c.Dial
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	conn, err := dial(pctx, "tcp", addr)
	if err != nil {
		p.Err = err.Error()
		return
	}
	defer conn.Close()
	if dl, ok := pctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// The handshake only collects the chain; verification is done below, twice,
	// with crypto/x509 against the root alone.
	tc := tls.Client(conn, &tls.Config{ServerName: domain, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}) //nolint:gosec // verified by hand below
	if err := tc.HandshakeContext(pctx); err != nil {
		p.Err = "TLS handshake: " + err.Error()
		return
	}
	peers := tc.ConnectionState().PeerCertificates
	if len(peers) == 0 {
		p.Err = "the listener presented no certificate"
		return
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(o.Root.Cert)
	for _, x := range peers[1:] {
		inter.AddCert(x)
	}
	chains, err := peers[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: domain, CurrentTime: o.At})
	if err != nil {
		p.Err = err.Error()
		return
	}
	for _, x := range chains[0] {
		p.Chain = append(p.Chain, x.Subject.CommonName)
	}
	if _, err := peers[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: aws.ToString(o.ALB.DNSName), CurrentTime: o.At}); err != nil {
		p.ALBNameErr = err.Error()
	}
}

func sameListener(a, b *elbtypes.Listener) bool {
	if a == nil || b == nil {
		return false
	}
	ca, cb := "", ""
	if len(a.Certificates) > 0 {
		ca = aws.ToString(a.Certificates[0].CertificateArn)
	}
	if len(b.Certificates) > 0 {
		cb = aws.ToString(b.Certificates[0].CertificateArn)
	}
	return aws.ToString(a.ListenerArn) == aws.ToString(b.ListenerArn) && ca == cb && a.Protocol == b.Protocol
}

// httpsListener is the student's :443 listener (whatever its protocol), else
// their first HTTPS listener on another port, else nil.
func (o *Observation) httpsListener() *elbtypes.Listener {
	for i := range o.Listeners {
		if aws.ToInt32(o.Listeners[i].Port) == 443 {
			return &o.Listeners[i]
		}
	}
	for i := range o.Listeners {
		if o.Listeners[i].Protocol == elbtypes.ProtocolEnumHttps {
			return &o.Listeners[i]
		}
	}
	return nil
}
