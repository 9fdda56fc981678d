package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/sandbox"
	"github.com/labdash/labdash/web"
)

// AccountReader reports the AWS account labdash is signed in to (the AWS
// provider's CallerAccount; a fixed account on the simulator).
type AccountReader interface {
	CallerAccount(ctx context.Context) (string, error)
}

// WithAccount connects the account the policies pages write a class's policies
// for when the class names none; without it they show sandbox.AccountPlaceholder.
func (s *Server) WithAccount(a AccountReader) { s.account = a }

// accountWait bounds the question to AWS, so a page never hangs on it.
const accountWait = 5 * time.Second

// policyShowFew is how many actions of a statement the summary names.
const policyShowFew = 4

// showPolicies is the page of the policies every student role of a class carries.
func (s *Server) showPolicies(c *gin.Context) {
	class, err := s.classFor(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	rep, err := s.policyReport(c, class)
	if err != nil {
		s.renderError(c, err)
		return
	}
	render(c, s.log, http.StatusOK, web.Policies(policiesPage(s.page(c, "Policies · "+class.Name, "classes"), classView(c, class), rep, s.labs)))
}

// apiShowPolicies is the JSON twin of showPolicies.
func (s *Server) apiShowPolicies(c *gin.Context) {
	class, err := s.classFor(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	rep, err := s.policyReport(c, class)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// policyReport is class's policies, written for the class's account, else the
// one labdash is signed in to, else the placeholder (and then says so).
func (s *Server) policyReport(c *gin.Context, class *db.Class) (sandbox.PolicyReport, error) {
	rep := sandbox.PolicyReport{Class: class.ID}
	if class.Isolation == db.IsolationPerStudent {
		rep.Note = sandbox.PerStudentAccountsNote + "; there are no shared-account policies to show"
		rep.Policies = []sandbox.NamedPolicy{}
		return rep, nil
	}
	signedIn := ""
	if class.AccountID == "" {
		signedIn = s.signedInAccount(c)
	}
	rep.Account = sandbox.PolicyAccount(class, signedIn)
	if rep.Account == sandbox.AccountPlaceholder {
		rep.Note = "labdash does not know which AWS account this class runs in, so " + sandbox.AccountPlaceholder + " stands where the account goes"
	}
	var err error
	rep.Policies, err = sandbox.ClassPolicies(class, signedIn, s.labs)
	return rep, err
}

// signedInAccount asks AWS which account labdash is signed in to: "" when
// nothing can tell (the failure is logged).
func (s *Server) signedInAccount(c *gin.Context) string {
	if s.account == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), accountWait)
	defer cancel()
	acct, err := s.account.CallerAccount(ctx)
	if err != nil {
		s.log.Warn("policies: which account is labdash signed in to", slog.String("request_id", c.GetString(requestIDKey)), slog.Any("error", err))
		return ""
	}
	return acct
}

// policiesPage shapes a policy report for the page: each policy's size against
// IAM's limit, and its statements in plain words.
func policiesPage(page web.Page, class web.ClassView, rep sandbox.PolicyReport, registry *labs.Registry) web.PoliciesPage {
	p := web.PoliciesPage{Page: page, Class: class, Account: rep.Account, Note: rep.Note, PerStudent: class.Isolation == db.IsolationPerStudent}
	for _, pol := range rep.Policies {
		v := web.PolicyView{Name: pol.Name, Purpose: pol.Purpose, JSON: pol.JSON, Size: pol.Size, Limit: pol.Limit, Over: pol.Size > pol.Limit}
		if l, ok := registry.Lab(pol.Lab); ok && pol.Lab != "" {
			// The steps this policy exists for: the lab's virtual students do each of them
			// as their fenced role, judged by these policies, in the simulator's tests.
			for _, st := range l.Script {
				v.Steps = append(v.Steps, st.Name)
			}
		}
		for _, st := range sandbox.Summarize(pol.Document, policyShowFew) {
			v.Statements = append(v.Statements, web.StatementView{Sid: st.Sid, Effect: st.Effect, What: st.What()})
		}
		p.Policies = append(p.Policies, v)
	}
	return p
}
