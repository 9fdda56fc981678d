package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cloud"
)

// DefaultFederationURL is AWS's sign-in federation endpoint.
const DefaultFederationURL = "https://signin.aws.amazon.com/federation"

// ErrNotProvisioned means the student has no sandbox role yet.
var ErrNotProvisioned = errors.New("sandbox: the student's sandbox is not provisioned yet")

// Console makes AWS console sign-in links for students' sandbox roles: STS AssumeRole
// into the role, then the federation endpoint's getSigninToken (AWS's documented
// custom identity broker flow).
type Console struct {
	Store    *db.Store
	Provider cloud.Provider
	// FederationURL is the sign-in endpoint (tests point it at a local server).
	FederationURL string
	// HTTP makes the federation request (default: 10 s timeout).
	HTTP *http.Client
	// Duration of the console session (default 1 h).
	Duration time.Duration
}

// URL returns a one-time console sign-in URL for student slug of class.
func (c *Console) URL(ctx context.Context, class *db.Class, slug string) (string, error) {
	entries, err := c.Store.Ledger(ctx, class.ID, slug)
	if err != nil {
		return "", err
	}
	var roleARN, account string
	for _, e := range entries {
		if e.Type == "AWS::IAM::Role" {
			roleARN, account = e.ARN, e.Account
		}
	}
	if roleARN == "" {
		return "", ErrNotProvisioned
	}
	if class.Isolation == db.IsolationShared {
		account = ""
	}
	clients, err := c.Provider.Clients(ctx, account, class.Regions[0])
	if err != nil {
		return "", err
	}
	dur := c.Duration
	if dur <= 0 {
		dur = time.Hour
	}
	out, err := clients.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("labdash-" + class.ID + slug),
		DurationSeconds: aws.Int32(int32(dur.Seconds()))})
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
	q := url.Values{"Action": {"getSigninToken"}, "SessionDuration": {fmt.Sprint(int(dur.Seconds()))}, "Session": {string(session)}}
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
	login := url.Values{"Action": {"login"}, "Issuer": {"labdash"}, "Destination": {"https://console.aws.amazon.com/"}, "SigninToken": {tok.SigninToken}}
	return fed + "?" + login.Encode(), nil
}
