package sim

// Lab 4's slot machine on a laptop: the student's S3 website served for real
// (World.Website, an http.Handler labdash mounts on its own server, and the
// simulated Prober for the website endpoint's host names), and the page's pull
// going through the simulated AWS chain a browser would call:
//
//	cognito-identity GetId (unauthenticated)
//	  enhanced flow: GetCredentialsForIdentity — the pool's unauthenticated role
//	                 scoped down by AmazonCognitoUnAuthedIdentitiesSessionPolicy,
//	                 which leaves out lambda:InvokeFunction: the pull is denied
//	  basic flow:    GetOpenIdToken (only with AllowClassicFlow), then
//	                 sts AssumeRoleWithWebIdentity (the role's trust policy decides)
//	lambda Invoke as those credentials (IAM-evaluated, session policy included)
//	  → the slotPull handler reads the table as its execution role.
//
// Every step is a call of the simulated clients (through do); none is a shortcut.
// The calls are the student's browser's, not labdash's: the call counter does not
// count them.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs/cloud"
)

// PullPath is the path, under a bucket's site, that the default page posts its pull to.
const PullPath = "_labdash/pull"

// PullRequest is the page's pull: which identity pool, region and function, and
// which Cognito flow ("enhanced", the default, or "basic").
type PullRequest struct {
	IdentityPoolID string `json:"identityPoolId"`
	Region         string `json:"region"`
	FunctionName   string `json:"functionName"`
	Flow           string `json:"flow"`
	// RoleARN is the role the basic flow assumes (the browser SDK's RoleArn); empty
	// means the pool's unauthenticated role.
	RoleARN string `json:"roleArn,omitempty"`
}

// PullResult is what the chain answered. Status is the HTTP status of the
// failing call (200 when the function ran, even if its handler threw); Step
// names the call that failed; Code and Message are AWS's error.
type PullResult struct {
	Status        int             `json:"status"`
	Flow          string          `json:"flow"`
	IdentityID    string          `json:"identityId,omitempty"`
	RoleARN       string          `json:"roleArn,omitempty"`
	Step          string          `json:"step,omitempty"`
	Code          string          `json:"code,omitempty"`
	Message       string          `json:"message,omitempty"`
	FunctionError string          `json:"functionError,omitempty"`
	Payload       json.RawMessage `json:"payload,omitempty"`
}

// guestClients are the clients of a browser without credentials in region.
func (w *World) guestClients(region string) *cloud.Clients {
	w.mu.Lock()
	w.regionLocked(w.defAcct, region)
	w.mu.Unlock()
	return w.clientsOf(base{w: w, account: w.defAcct, region: region, internal: true})
}

// credentialClients are the clients acting as issued credentials, uncounted.
func (w *World) credentialClients(akid string, region string) (*cloud.Clients, error) {
	w.mu.Lock()
	c := w.creds[akid]
	if c == nil {
		w.mu.Unlock()
		return nil, errors.New("sim: credentials vanished")
	}
	w.regionLocked(c.account, region)
	b := base{w: w, account: c.account, region: region, principal: c.sessionARN, session: c.session, expires: c.expires, internal: true}
	w.mu.Unlock()
	return w.clientsOf(b), nil
}

// Pull runs the page's pull through the simulated chain (see the file comment).
func (w *World) Pull(ctx context.Context, req PullRequest) PullResult {
	flow := req.Flow
	if flow == "" {
		flow = "enhanced"
	}
	res := PullResult{Flow: flow}
	fail := func(step string, err error) PullResult {
		res.Step, res.Code, res.Message, res.Status = step, "Error", err.Error(), http.StatusBadRequest
		var api smithy.APIError
		if errors.As(err, &api) {
			res.Code, res.Message = api.ErrorCode(), api.ErrorMessage()
		}
		switch {
		case strings.Contains(res.Code, "AccessDenied"), strings.Contains(res.Code, "NotAuthorized"):
			res.Status = http.StatusForbidden
		case strings.Contains(res.Code, "NotFound"):
			res.Status = http.StatusNotFound
		}
		return res
	}
	if flow != "enhanced" && flow != "basic" {
		return fail("request", fmt.Errorf("flow %q: want \"enhanced\" or \"basic\"", req.Flow))
	}
	if !regionRE.MatchString(req.Region) {
		return fail("request", fmt.Errorf("region %q is not a region", req.Region))
	}
	// The pull is a public endpoint on labdash's server: a region no account of the
	// world has used holds no pool, and is not made on a stranger's say-so.
	w.mu.Lock()
	known := false
	for k := range w.regions {
		known = known || k.region == req.Region
	}
	w.mu.Unlock()
	if !known {
		return fail("cognito-identity:GetId", ciPoolNotFound(req.IdentityPoolID))
	}
	guest := w.guestClients(req.Region)
	id, err := guest.CognitoIdentity.GetId(ctx, &ci.GetIdInput{IdentityPoolId: ptr(req.IdentityPoolID)})
	if err != nil {
		return fail("cognito-identity:GetId", err)
	}
	res.IdentityID = str(id.IdentityId)
	var akid string
	if flow == "enhanced" {
		cr, err := guest.CognitoIdentity.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId})
		if err != nil {
			return fail("cognito-identity:GetCredentialsForIdentity", err)
		}
		akid = str(cr.Credentials.AccessKeyId)
	} else {
		tok, err := guest.CognitoIdentity.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId})
		if err != nil {
			return fail("cognito-identity:GetOpenIdToken", err)
		}
		role := req.RoleARN
		if role == "" {
			role = w.poolRole(req.Region, req.IdentityPoolID)
		}
		as, err := guest.STS.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: ptr(role),
			RoleSessionName: ptr("web-identity-" + hashID(12, res.IdentityID)), WebIdentityToken: tok.Token})
		if err != nil {
			return fail("sts:AssumeRoleWithWebIdentity", err)
		}
		akid = str(as.Credentials.AccessKeyId)
	}
	as, err := w.credentialClients(akid, req.Region)
	if err != nil {
		return fail("credentials", err)
	}
	w.mu.Lock()
	if c := w.creds[akid]; c != nil {
		res.RoleARN = c.roleARN
	}
	w.mu.Unlock()
	out, err := as.Lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: ptr(req.FunctionName), Payload: []byte(`{}`)})
	if err != nil {
		return fail("lambda:Invoke", err)
	}
	res.Status, res.FunctionError, res.Payload = http.StatusOK, str(out.FunctionError), json.RawMessage(out.Payload)
	return res
}

// poolRole is the unauthenticated role of a pool, "" when there is none.
func (w *World) poolRole(region, poolID string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, p := w.findPoolLocked(region, poolID); p != nil {
		return p.roles["unauthenticated"]
	}
	return ""
}

// Website is the S3 website endpoint of every simulated bucket, for labdash to
// mount on its own server (http.StripPrefix): GET /BUCKET/KEY answers as
// http://BUCKET.s3-website-REGION.amazonaws.com/KEY would (s3_website.go), and
// POST /BUCKET/_labdash/pull runs the page's pull (World.Pull) with a JSON
// PullRequest, answering the JSON PullResult.
func (w *World) Website() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		p := strings.TrimPrefix(req.URL.Path, "/")
		bucket, rest, slash := strings.Cut(p, "/")
		if bucket == "" {
			http.Error(rw, "labdash simulator: the website of bucket B is at B/", http.StatusNotFound)
			return
		}
		if !slash {
			rw.Header().Set("Location", path.Base(bucket)+"/")
			rw.WriteHeader(http.StatusFound)
			return
		}
		if rest == PullPath || strings.HasSuffix(rest, "/"+PullPath) { // the page posts relatively, from any folder
			w.servePull(rw, req)
			return
		}
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			a := websiteError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.", "Method", req.Method)
			writeWeb(rw, req, a)
			return
		}
		w.mu.Lock()
		w.advanceLocked()
		a := w.websiteLocked(bucket, "", "/"+rest)
		w.mu.Unlock()
		if a.location != "" && !strings.Contains(a.location, "://") {
			a.location = path.Base(strings.TrimSuffix(a.location, "/")) + "/" // relative: the mount prefix stays
		}
		writeWeb(rw, req, a)
	})
}

func writeWeb(rw http.ResponseWriter, req *http.Request, a webAnswer) {
	if a.location != "" {
		rw.Header().Set("Location", a.location)
	}
	if a.ctype != "" {
		rw.Header().Set("Content-Type", a.ctype)
	}
	rw.Header().Set("Server", "AmazonS3")
	rw.WriteHeader(a.status)
	if req.Method != http.MethodHead {
		_, _ = rw.Write(a.body)
	}
}

func (w *World) servePull(rw http.ResponseWriter, req *http.Request) {
	rw.Header().Set("Content-Type", "application/json")
	if req.Method != http.MethodPost {
		rw.WriteHeader(http.StatusMethodNotAllowed)
		_, _ = rw.Write([]byte(`{"status":405,"code":"MethodNotAllowed","message":"POST a pull"}`))
		return
	}
	var pr PullRequest
	body, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
	if err == nil {
		err = json.Unmarshal(body, &pr)
	}
	var res PullResult
	if err != nil {
		res = PullResult{Status: http.StatusBadRequest, Step: "request", Code: "SerializationException", Message: "the pull is not a JSON PullRequest"}
	} else {
		ctx, cancel := context.WithTimeout(req.Context(), 10*time.Second)
		res = w.Pull(ctx, pr)
		cancel()
	}
	out, _ := json.Marshal(res)
	rw.WriteHeader(res.Status)
	_, _ = rw.Write(out)
}
