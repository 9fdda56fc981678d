package sim

// Temporary credentials the simulator issues (Cognito's GetCredentialsForIdentity,
// STS's AssumeRoleWithWebIdentity) and the clients that act as them. A set of
// credentials is a session of an IAM role, optionally scoped down by a session
// policy (the enhanced flow's AmazonCognitoUnAuthedIdentitiesSessionPolicy, or
// the Policy of AssumeRoleWithWebIdentity), valid until it expires: every call of
// its clients is IAM-evaluated as that session (authz.go), and after the
// expiry every call answers ExpiredToken(Exception).

import (
	"context"
	"fmt"
	"strings"
	"time"

	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/authz"
)

// simCreds is one set of issued credentials.
type simCreds struct {
	account, roleARN, sessionARN string
	akid, secret, token          string
	session                      *authz.Policy
	expires                      time.Time
}

// issueCredsLocked records a new set of credentials for a session of role ro and
// returns it. The world's lock must be held.
func (w *World) issueCredsLocked(acct string, ro *role, sessionName string, session *authz.Policy, d time.Duration) *simCreds {
	if w.creds == nil {
		w.creds = map[string]*simCreds{}
	}
	// Forget long-expired credentials (every few simulated minutes, not every
	// issue: thousands of virtual students pull) so that the world does not grow.
	if w.now.Sub(w.credsPruned) > 5*time.Minute {
		w.credsPruned = w.now
		for k, c := range w.creds {
			if w.now.After(c.expires.Add(time.Hour)) {
				delete(w.creds, k)
			}
		}
		for k, t := range w.webTokens {
			if w.now.After(t.expires) {
				delete(w.webTokens, k)
			}
		}
	}
	akid := "ASIA" + strings.ToUpper(w.hexID(16))
	c := &simCreds{akid: akid, account: acct, roleARN: ro.arn, sessionARN: "arn:aws:sts::" + acct + ":assumed-role/" + ro.name + "/" + sessionName,
		secret: w.hexID(40), token: "IQoJb3JpZ2luX2VjE" + w.hexID(48), session: session, expires: w.now.Add(d)}
	w.creds[akid] = c
	return c
}

// ClientsWithCredentials returns clients that act as temporary credentials the
// simulator issued (GetCredentialsForIdentity, AssumeRoleWithWebIdentity) in
// region: a virtual student's browser holding guest credentials. Credentials
// the simulator did not issue answer InvalidClientTokenId; expired ones
// ExpiredToken (and so does every call their clients make once they expire).
func (w *World) ClientsWithCredentials(ctx context.Context, accessKeyID, secretAccessKey, sessionToken, region string) (*cloud.Clients, error) {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if !regionRE.MatchString(region) {
		return nil, fmt.Errorf("sim: invalid region %q", region)
	}
	w.mu.Lock()
	w.advanceLocked()
	c := w.creds[accessKeyID]
	var err error
	switch {
	case c == nil || c.secret != secretAccessKey || c.token != sessionToken:
		err = &smithy.GenericAPIError{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", Fault: smithy.FaultClient}
	case !w.now.Before(c.expires):
		err = &smithy.GenericAPIError{Code: "ExpiredToken", Message: "The security token included in the request is expired", Fault: smithy.FaultClient}
	}
	var b base
	if err == nil {
		w.regionLocked(c.account, region)
		b = base{w: w, account: c.account, region: region, principal: c.sessionARN, session: c.session, expires: c.expires}
	}
	w.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return w.clientsOf(b), nil
}

// clientsOf hangs every service's client, acting as b, on one Clients; its
// InRegion keeps b's principal, session policy and expiry.
func (w *World) clientsOf(b base) *cloud.Clients {
	cl := &cloud.Clients{Account: b.account, Region: b.region, Now: w.clock.Now}
	for _, s := range services {
		if s.attach != nil {
			s.attach(b, cl)
		}
	}
	cl.InRegion = func(ctx context.Context, other string) (*cloud.Clients, error) {
		if !regionRE.MatchString(other) {
			return nil, fmt.Errorf("sim: invalid region %q", other)
		}
		w.mu.Lock()
		w.regionLocked(b.account, other)
		w.mu.Unlock()
		o := b
		o.region = other
		return w.clientsOf(o), nil
	}
	return cl
}
