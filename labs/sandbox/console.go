package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cloud"
)

// DefaultFederationURL is AWS's sign-in federation endpoint.
const DefaultFederationURL = "https://signin.aws.amazon.com/federation"

// StudentConsoleRoleName is the role a student's console link assumes in their own
// account (account-per-student classes). dashboard-role.yaml creates it next to
// LabDashboardRole, which is the only principal it trusts.
const StudentConsoleRoleName = "LabStudentConsoleRole"

// Session limits (AWS IAM User Guide, "Enable custom identity broker access to the
// AWS console", and the STS AssumeRole reference).
const (
	// MaxChainedSession is AWS's cap on a role session assumed with temporary
	// credentials (role chaining): AssumeRole rejects a DurationSeconds above it.
	MaxChainedSession = time.Hour
	// MaxConsoleSession is the longest console session getSigninToken's
	// SessionDuration allows.
	MaxConsoleSession = 12 * time.Hour
	// minSession is the shortest session either parameter allows.
	minSession = 15 * time.Minute
)

// ErrNotProvisioned means the student has no sandbox role yet.
var ErrNotProvisioned = errors.New("sandbox: the student's sandbox is not provisioned yet")

// ErrNoAccount means an account-per-student class's roster names no AWS account for
// the student, so there is no account to sign them in to.
var ErrNoAccount = errors.New("sandbox: the roster names no AWS account for this student")

// Console makes AWS console sign-in links for students' sandbox roles: STS AssumeRole
// into the role, then the federation endpoint's getSigninToken (AWS's documented
// custom identity broker flow).
//
// In a shared account the role is the student's sandbox role from the ledger; with an
// account per student it is LabStudentConsoleRole in the student's roster account,
// assumed with the provider's clients for that account (LabDashboardRole's
// credentials).
//
// When the credentials doing the AssumeRole are temporary (labdash on SSO, an
// instance or task role, or LabDashboardRole in a student's account), the AssumeRole
// is role chaining: AWS caps the new session at one hour and fails a DurationSeconds
// above it, and the federation endpoint refuses a SessionDuration for it. The link
// then asks for neither, and the console session lasts as long as the credentials:
// one hour.
type Console struct {
	Store    *db.Store
	Provider cloud.Provider
	// FederationURL is the sign-in endpoint (tests point it at a local server).
	FederationURL string
	// HTTP makes the federation request (default: 10 s timeout).
	HTTP *http.Client
	// Duration of the console session when labdash signs with long-term
	// credentials (default 1 h, at most 12 h). The role session itself is asked
	// for at most 1 h, the default maximum of a role; the console session's length
	// comes from getSigninToken's SessionDuration. Ignored when chaining.
	Duration time.Duration
	// Issuer is labdash's public base URL (e.g. https://labs.example.edu), where the
	// console sends a student whose session ended. URL's issuer argument wins.
	Issuer string
}

// URL returns a one-time console sign-in URL for student slug of class. issuer is
// labdash's own base URL as the student reached it ("" means c.Issuer).
func (c *Console) URL(ctx context.Context, class *db.Class, slug, issuer string) (string, error) {
	region := ""
	if len(class.Regions) > 0 {
		region = class.Regions[0]
	}
	roleARN, account := "", ""
	perStudent := class.Isolation == db.IsolationPerStudent
	if perStudent {
		st, err := c.Store.Student(ctx, class.ID, slug)
		if err != nil {
			return "", err
		}
		if st.AccountID == "" {
			return "", ErrNoAccount
		}
		account = st.AccountID
	} else {
		entries, err := c.Store.Ledger(ctx, class.ID, slug)
		if err != nil {
			return "", err
		}
		for _, e := range entries {
			if e.Type == "AWS::IAM::Role" {
				roleARN = e.ARN
			}
		}
		if roleARN == "" {
			return "", ErrNotProvisioned
		}
	}
	clients, err := c.Provider.Clients(ctx, account, region)
	if err != nil {
		return "", err
	}
	chained, partition := chaining(ctx, clients)
	if perStudent {
		roleARN = fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, StudentConsoleRoleName)
	}
	dur := c.duration()
	in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(sessionName(class.ID, slug))}
	if !chained {
		in.DurationSeconds = aws.Int32(int32(min(dur, MaxChainedSession).Seconds()))
	}
	out, err := clients.STS.AssumeRole(ctx, in)
	if err != nil {
		return "", fmt.Errorf("sandbox: assume %s: %w", roleARN, err)
	}
	if out.Credentials == nil {
		return "", fmt.Errorf("sandbox: assume %s: no credentials", roleARN)
	}
	session, _ := json.Marshal(map[string]string{"sessionId": aws.ToString(out.Credentials.AccessKeyId),
		"sessionKey": aws.ToString(out.Credentials.SecretAccessKey), "sessionToken": aws.ToString(out.Credentials.SessionToken)})
	fed := c.FederationURL
	if fed == "" {
		fed = DefaultFederationURL
	}
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	if !chained {
		q.Set("SessionDuration", fmt.Sprint(int(dur.Seconds())))
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fed+"?"+q.Encode(), nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("sandbox: federation sign-in: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("sandbox: federation sign-in answered %s", resp.Status)
	}
	var tok struct{ SigninToken string }
	if err := json.Unmarshal(body, &tok); err != nil || tok.SigninToken == "" {
		return "", fmt.Errorf("sandbox: federation sign-in gave no token")
	}
	login := url.Values{"Action": {"login"}, "Destination": {"https://console.aws.amazon.com/"}, "SigninToken": {tok.SigninToken}}
	if issuer == "" {
		issuer = c.Issuer
	}
	if issuer = strings.TrimRight(issuer, "/"); issuer != "" {
		login.Set("Issuer", issuer)
	}
	return fed + "?" + login.Encode(), nil
}

// duration is the console session asked for when not chaining: Duration, 1 h by
// default, within [15 min, 12 h].
func (c *Console) duration() time.Duration {
	d := c.Duration
	if d <= 0 {
		d = time.Hour
	}
	return min(max(d, minSession), MaxConsoleSession)
}

// sessionName is the AssumeRole session name of a student's console: at most 64
// characters, which class ids and slugs keep well within.
func sessionName(classID, slug string) string {
	n := "labdash-" + classID + slug
	if len(n) > 64 {
		n = n[:64]
	}
	return n
}

// chaining reports whether an AssumeRole made with clients' credentials is role
// chaining, and the partition of their identity ("aws" when unknown). It is when
// the credentials have a session token (they are temporary), or when STS names
// them an assumed role's or a federated user's session (SSO, an instance or task
// role, LabDashboardRole in a student's account). When it cannot tell, it says
// chaining: asking for no durations is accepted either way.
func chaining(ctx context.Context, clients *cloud.Clients) (chained bool, partition string) {
	partition = "aws"
	if o, ok := clients.STS.(interface{ Options() sts.Options }); ok {
		if p := o.Options().Credentials; p != nil {
			if cr, err := p.Retrieve(ctx); err == nil && cr.SessionToken != "" {
				chained = true
			}
		}
	}
	id, err := clients.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return true, partition
	}
	a, err := arn.Parse(aws.ToString(id.Arn))
	if err != nil {
		return true, partition
	}
	if a.Partition != "" {
		partition = a.Partition
	}
	if strings.HasPrefix(a.Resource, "assumed-role/") || strings.HasPrefix(a.Resource, "federated-user/") {
		chained = true
	}
	return chained, partition
}
