package awstest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// FakeSTS is a local STS (query protocol, GetCallerIdentity and AssumeRole only)
// and AWS sign-in federation endpoint (getSigninToken), for tests of labdash's
// role assumption and console links without moto or the network. It enforces the
// rules labdash must follow:
//
//   - AssumeRole of a role in ExternalIDs needs that ExternalId (else AccessDenied);
//   - DurationSeconds above the role's maximum session (1 h, AWS's default) fails,
//     and above 1 h always fails for role chaining (the call is signed with
//     temporary credentials) with AWS's message;
//   - getSigninToken with a SessionDuration fails for credentials from role
//     chaining, as the federation endpoint does ("Invalid credentials parameter").
//
// Point the provider's Endpoint at URL and the console's FederationURL at
// URL+"/federation".
type FakeSTS struct {
	URL string
	// Caller is the ARN GetCallerIdentity answers for any credentials FakeSTS did
	// not issue (labdash's own), e.g. arn:aws:iam::123456789012:user/labdash.
	Caller string

	mu          sync.Mutex
	externalIDs map[string]string // role ARN → the ExternalId its trust policy requires
	issued      map[string]issuedKey
	calls       []STSCall
	n           int
}

// STSCall is one request FakeSTS answered.
type STSCall struct {
	Action    string     // GetCallerIdentity, AssumeRole or getSigninToken
	Form      url.Values // the request's parameters
	AccessKey string     // the access key that signed it (STS calls)
	Chained   bool       // signed with temporary credentials (a session token)
	Err       string     // the error code FakeSTS answered, "" on success
}

type issuedKey struct {
	role, session string
	chained       bool // assumed by role chaining
}

// NewFakeSTS starts a FakeSTS answering caller for labdash's own credentials. It
// stops when the test ends.
func NewFakeSTS(t testing.TB, caller string) *FakeSTS {
	t.Helper()
	f := &FakeSTS{Caller: caller, externalIDs: map[string]string{}, issued: map[string]issuedKey{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// RequireExternalID makes role's trust policy require ExternalId id ("" requires none).
func (f *FakeSTS) RequireExternalID(role, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.externalIDs[role] = id
}

// Calls returns the calls of action so far ("" for all).
func (f *FakeSTS) Calls(action string) []STSCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []STSCall
	for _, c := range f.calls {
		if action == "" || c.Action == action {
			out = append(out, c)
		}
	}
	return out
}

// IsolateEnv leaves the test with static fake credentials, region us-east-1 and no
// endpoint, profile or shared config from the environment, so a provider reaches
// only the endpoint the test gives it.
func IsolateEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_ENDPOINT_URL") || k == "AWS_PROFILE" || k == "AWS_SESSION_TOKEN" {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_REGION", "us-east-1")
}

const stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"

func (f *FakeSTS) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/federation") {
		f.federation(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := accessKey(r.Header.Get("Authorization"))
	call := STSCall{Action: r.Form.Get("Action"), Form: r.Form, AccessKey: key, Chained: r.Header.Get("X-Amz-Security-Token") != ""}
	f.mu.Lock()
	defer f.mu.Unlock()
	answer := func(status int, v any) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		_ = xml.NewEncoder(w).Encode(v)
	}
	fail := func(status int, code, msg string) {
		call.Err = code
		f.calls = append(f.calls, call)
		answer(status, errorResponse{Xmlns: stsNS, Error: stsError{Type: "Sender", Code: code, Message: msg}, RequestID: "fake"})
	}
	switch call.Action {
	case "GetCallerIdentity":
		arn := f.Caller
		if k, ok := f.issued[key]; ok {
			arn = assumedARN(k.role, k.session)
		}
		f.calls = append(f.calls, call)
		answer(http.StatusOK, callerResponse{Xmlns: stsNS, Result: callerResult{Arn: arn, UserID: "AIDAFAKE", Account: accountOf(arn)}})
	case "AssumeRole":
		role, session := r.Form.Get("RoleArn"), r.Form.Get("RoleSessionName")
		if want, ok := f.externalIDs[role]; ok && r.Form.Get("ExternalId") != want {
			fail(http.StatusForbidden, "AccessDenied", fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", key, role))
			return
		}
		dur := time.Hour
		if s := r.Form.Get("DurationSeconds"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 900 {
				fail(http.StatusBadRequest, "ValidationError", "DurationSeconds must be at least 900")
				return
			}
			dur = time.Duration(n) * time.Second
			if call.Chained && dur > time.Hour {
				fail(http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
				return
			}
			if dur > time.Hour {
				fail(http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
				return
			}
		}
		f.n++
		id := fmt.Sprintf("ASIAFAKE%08d", f.n)
		f.issued[id] = issuedKey{role: role, session: session, chained: call.Chained}
		f.calls = append(f.calls, call)
		answer(http.StatusOK, assumeResponse{Xmlns: stsNS, Result: assumeResult{
			Credentials: stsCredentials{AccessKeyID: id, SecretAccessKey: "secret-" + id, SessionToken: "token-" + id,
				Expiration: time.Now().Add(dur).UTC().Format(time.RFC3339)},
			User: assumedUser{Arn: assumedARN(role, session), ID: "AROAFAKE:" + session}}})
	default:
		fail(http.StatusBadRequest, "InvalidAction", "FakeSTS does not answer "+call.Action)
	}
}

// federation answers getSigninToken like signin.aws.amazon.com/federation.
func (f *FakeSTS) federation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	call := STSCall{Action: q.Get("Action"), Form: q}
	var session struct {
		SessionID    string `json:"sessionId"`
		SessionKey   string `json:"sessionKey"`
		SessionToken string `json:"sessionToken"`
	}
	_ = json.Unmarshal([]byte(q.Get("Session")), &session)
	k, ok := f.issued[session.SessionID]
	call.AccessKey, call.Chained = session.SessionID, k.chained
	switch {
	case call.Action != "getSigninToken":
		call.Err = "bad action"
	case !ok || session.SessionToken == "":
		call.Err = "unknown credentials"
	case k.chained && q.Has("SessionDuration"):
		call.Err = "Invalid credentials parameter"
	}
	f.calls = append(f.calls, call)
	if call.Err != "" {
		http.Error(w, call.Err, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"SigninToken":"tok-%s"}`, session.SessionID)
}

// accessKey is the key id in a SigV4 Authorization header.
func accessKey(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	key, _, _ := strings.Cut(cred, "/")
	return key
}

// assumedARN is the session ARN of role (arn:aws:iam::A:role/N) for session.
func assumedARN(role, session string) string {
	name := role[strings.LastIndex(role, "/")+1:]
	return fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", accountOf(role), name, session)
}

// accountOf is the account field of an ARN.
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

type errorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Error     stsError `xml:"Error"`
	RequestID string   `xml:"RequestId"`
}

type stsError struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

type callerResponse struct {
	XMLName xml.Name     `xml:"GetCallerIdentityResponse"`
	Xmlns   string       `xml:"xmlns,attr"`
	Result  callerResult `xml:"GetCallerIdentityResult"`
}

type callerResult struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

type assumeResponse struct {
	XMLName xml.Name     `xml:"AssumeRoleResponse"`
	Xmlns   string       `xml:"xmlns,attr"`
	Result  assumeResult `xml:"AssumeRoleResult"`
}

type assumeResult struct {
	Credentials stsCredentials `xml:"Credentials"`
	User        assumedUser    `xml:"AssumedRoleUser"`
}

type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumedUser struct {
	Arn string `xml:"Arn"`
	ID  string `xml:"AssumedRoleId"`
}
