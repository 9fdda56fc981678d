// Package web holds labdash's templ components and the view models they render.
// Pages are exported; partials sent alone (htmx swaps) are small components too.
// Components never see database rows: handlers build these view models.
package web

// Page carries what every page's layout needs.
type Page struct {
	Title string
	User  *UserView // nil for anonymous visitors and students
	CSRF  string    // token for every form POST
	Cloud string    // "sim" or "aws": the simulated mode is always labelled
	Nav   string    // active navigation entry
}

// UserView is the signed-in instructor or assistant.
type UserView struct {
	Name  string
	Email string
	Role  string
}

// LoginPage is the sign-in form.
type LoginPage struct {
	Page
	Email string
	Next  string
	Error string
}

// SetupPage completes an account from a one-time link.
type SetupPage struct {
	Page
	Token      string
	Role       string
	Email      string
	EmailFixed bool
	Name       string
	Errors     map[string]string
}

// ClassListPage lists the classes a user owns or assists.
type ClassListPage struct {
	Page
	Classes   []ClassRow
	CanCreate bool
	Notice    string // after a redirect: "Class deleted."
}

// ClassRow is one class in the list.
type ClassRow struct {
	ID        string
	Name      string
	Isolation string
	Regions   string
	Labs      int
	Students  int
	Role      string // "owner" or "assistant"
}

// ClassFormPage is the create-class form.
type ClassFormPage struct {
	Page
	Name       string
	Regions    map[string]bool
	Isolation  string
	AccountID  string
	Labs       map[string]bool
	Errors     map[string]string
	LabOpts    []LabOption
	RegionOpts []string
}

// ClassEditPage changes a class (name; regions and labs while nothing is
// provisioned) and deletes it (once it is cleaned up, or was never provisioned).
type ClassEditPage struct {
	ClassFormPage
	Class ClassView
	// Locked says why regions and labs cannot change ("" when they can); the
	// form shows them disabled with it.
	Locked string
	// DeleteBlocked says why the class cannot be deleted yet ("" when it can);
	// the page then links to the cleanup plan instead of offering the delete.
	DeleteBlocked string
	DeleteError   string // a mistyped confirmation
	Saved         bool   // just saved (after the redirect)
}

// LabOption is one lab offered on the create-class form.
type LabOption struct {
	ID          string
	Title       string
	Summary     string
	AccountOnly bool
	Why         string
	Built       bool // its checks, live view and virtual students exist
}

// ClassView is the heading part of a class page.
type ClassView struct {
	ID        string
	Name      string
	Isolation string
	Regions   string
	CanEdit   bool // owner: may change the roster; assistants see the class read-only
	// Cleaned is "Cleaned up on 2026-12-03 (verified)" once a whole-class cleanup
	// finished after the last provisioning; "" otherwise.
	Cleaned string
}

// ConsolePage is the instructor console of one class.
type ConsolePage struct {
	Page
	Class          ClassView
	Labs           []LabColumn
	Students       []StudentRow
	Assistants     []AssistantRow
	Audit          []AuditRow
	AddName        string
	AddEmail       string
	AddAccount     string
	AddErrors      map[string]string
	Notice         string
	AssistantError string
	NeedAccount    bool
	Sandboxes      SandboxView
	WSURL          string // live updates; empty when no lab of the class is built
	Demo           bool   // the simulated demo class: it can be reset
	// CleanedUp is set once a whole-class cleanup finished after the last
	// provisioning: the sandboxes are gone and the grid is history, not live.
	// CleanedAt is when ("2026-12-03 09:14" UTC) and CleanupVerified whether a
	// fresh sweep found nothing left.
	CleanedUp       bool
	CleanedAt       string
	CleanupVerified bool
}

// LabColumn heads one column of the progress grid.
type LabColumn struct {
	ID    string
	Title string
}

// StudentRow is one row of the progress grid and roster.
type StudentRow struct {
	Slug       string
	Name       string
	Email      string
	AccountID  string
	HasLink    bool
	LinkIssued string
	Cells      []CellView
}

// AssistantRow is an assistant of the class.
type AssistantRow struct {
	ID     int64
	Email  string
	Name   string
	Active bool // has set a password
}

// AuditRow is one audit log line.
type AuditRow struct {
	At     string
	Actor  string
	Action string
	Detail string
}

// AuditPage is the full audit log of a class.
type AuditPage struct {
	Page
	Class ClassView
	Rows  []AuditRow
}

// RosterPreviewPage shows an uploaded roster before anything is written.
type RosterPreviewPage struct {
	Page
	Class    ClassView
	FileName string
	Rows     []PreviewRow
	Errors   []RowErrorView
	CSV      string // the file, carried to the confirm step
	// Repeated: every problem is a student already on the roster, so this roster
	// (or the same form, sent again) was imported before.
	Repeated bool
	// SkipOffer: the only problems are SkipCount students already on the roster,
	// beside SkipNew new ones; the form offers to import just the new ones.
	SkipOffer bool
	SkipNew   int
	SkipCount int
}

// PreviewRow is one good row of an uploaded roster.
type PreviewRow struct {
	Line      int
	Name      string
	Email     string
	AccountID string
}

// RowErrorView is one problem in an uploaded roster.
type RowErrorView struct {
	Line    int
	Field   string
	Message string
}

// LinksPage shows personal links right after they were issued; they cannot be shown again.
type LinksPage struct {
	Page
	Class   ClassView
	Heading string
	Links   []LinkRow
	CSV     string // name,email,link for download, cells neutralised
}

// AlreadyShownPage is what a reload of a shown-once page says instead of the secret.
type AlreadyShownPage struct {
	Page
	What  string // "9 personal links for Cloud 101 (9 students imported)"
	At    string // when they were shown
	Again string // how to get a new one
	Back  string // the page to go back to
}

// LinkRow is one issued personal link.
type LinkRow struct {
	Slug  string
	Name  string
	Email string
	URL   string
}

// StudentPage is what a student sees through their personal link (and what staff see of them).
type StudentPage struct {
	Page
	ClassName   string
	StudentName string
	Slug        string
	Labs        []StudentLab
	Staff       bool   // viewed by the instructor or an assistant
	BackURL     string // staff only
	WSURL       string // live updates for this student
	ConsoleURL  string // the student's console sign-in route (their own link only)
}

// StudentLab is one lab on a student page.
type StudentLab struct {
	ID        string
	Title     string
	Summary   string
	Built     bool
	Checklist ChecklistView
	Widgets   []WidgetBox
	// Rehearsal is the lab's rehearsal block (simulator, class owner only); nil: none.
	Rehearsal *RehearsalView
}

// RehearsalView is a lab's rehearsal block on a virtual student's page, also sent
// alone as the answer to an htmx press of one of its buttons.
type RehearsalView struct {
	Lab     string
	URL     string // where the buttons post
	CSRF    string
	States  []RehearsalState
	ReadAt  string // when States were read: "09:14:03 (simulated time)"
	Actions []LabAction
	// Result is the last action's outcome ("Stopped the origin instance in
	// eu-west-1 at 09:14:03 simulated time"), ResultTone "ok" or "warn".
	Result, ResultTone string
	// Note says why no state is shown ("No sandbox yet — try again in a moment.").
	Note string
	// RefreshURL, when set, is where the state and buttons are read again in a few
	// seconds: a subject is between states, or there is no sandbox yet.
	RefreshURL string
}

// RehearsalState is the current state of what a pair of actions changes.
type RehearsalState struct {
	Subject string // "Origin instance in us-east-1"
	State   string // "stopped"
}

// LabAction is one rehearsal action button.
type LabAction struct {
	ID    string
	Title string
	// Disabled, when set, is why the button is off ("Origin instance in us-east-1 is stopped").
	Disabled string
}

// AccountPage shows the signed-in user's API tokens.
type AccountPage struct {
	Page
	Tokens   []TokenRow
	NewToken string // shown once, right after creation
	NewName  string
	Error    string
	// PasswordErrors are the password form's problems by field (current, password,
	// confirm); PasswordNotice says a change went through.
	PasswordErrors map[string]string
	PasswordNotice string
}

// TokenRow is one API token (never its secret).
type TokenRow struct {
	ID       int64
	Name     string
	Created  string
	LastUsed string
}

// AssistantInvitePage shows an assistant's one-time setup link.
type AssistantInvitePage struct {
	Page
	Class ClassView
	Email string
	URL   string
	// Replaced: an earlier set-up link for Email (from `labdash user add` or an
	// earlier invitation) was still open and stopped working when this one was made.
	Replaced bool
}

// ErrorPage explains a failed request.
type ErrorPage struct {
	Page
	Status  int
	Heading string
	Message string
	// Back is the page the visitor came from (a path on this site), "" when unknown
	// or not safe to link.
	Back string
	// Home is where "Back to labdash" goes; "" means "/".
	Home string
	// StudentLink: the failed request was a student's personal link, so the page says
	// how a student gets a new one and where staff sign in.
	StudentLink bool
}
