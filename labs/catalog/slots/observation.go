package slots

import (
	"slices"
	"time"

	"github.com/labdash/labdash/labs"
)

// Observation is one student's slot-machine state as read in one monitor cycle.
// Each part is nil until the student made it (or, for the reads at a slower
// cadence, until it was first read).
type Observation struct {
	Target labs.Target
	At     time.Time
	Site   *Site
	Pool   *Pool
	Guest  *GuestRole
	Table  *Table
	Func   *Function
	// Metrics are the function's AWS/Lambda figures over MetricWindow.
	Metrics      *Metrics
	MetricWindow time.Duration
	// Pulls are the function's recent log lines (the "last pull" feed), oldest first.
	Pulls []Pull
	// Probe is the last HTTP GET of the website endpoint.
	Probe *Probe
	// Open is where a browser on labdash's machine opens the student's site
	// (cloud.Clients.BrowseURL of the website endpoint): the endpoint on AWS,
	// the simulator's loopback website server in sim mode; "" when nothing
	// answers it or the bucket is not a website.
	Open     string
	Problems []string
	// Stale names the parts whose read failed this cycle for a reason other than
	// "not found": they hold the last state read.
	Stale []string
}

// Site is the student's website bucket.
type Site struct {
	Bucket string
	// Website is whether GetBucketWebsite found a configuration; Index and Error
	// are its documents.
	Website      bool
	Index, Error string
	// Block is the bucket's Block Public Access configuration (nil: none set,
	// NoSuchPublicAccessBlockConfiguration).
	Block *Block
	// Policy is whether the bucket has a policy, Public GetBucketPolicyStatus's IsPublic.
	Policy, Public bool
	// HasIndex is whether index.html is in the bucket; Images counts the image
	// objects (.png, .jpg, .jpeg, .gif, .svg, .webp); Objects counts every key read.
	HasIndex bool
	Images   int
	Objects  int
}

// Block is a Block Public Access configuration.
type Block struct {
	BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets bool
}

// blocksPolicy reports whether b stops a public bucket policy from being set or
// from taking effect.
func (b *Block) blocksPolicy() bool {
	return b != nil && (b.BlockPublicPolicy || b.RestrictPublicBuckets)
}

// Pool is the student's identity pool.
type Pool struct {
	ID, Name     string
	AllowUnauth  bool
	AllowClassic bool
	UnauthRole   string // GetIdentityPoolRoles' Roles["unauthenticated"]
	AuthRole     string // Roles["authenticated"]
	Tags         map[string]string
	RolesRead    bool // GetIdentityPoolRoles answered
}

// GuestRole is the unauthenticated role the pool hands out, as IAM says.
type GuestRole struct {
	Arn string
	// Missing is whether IAM has no such role (NoSuchEntity).
	Missing bool
	// Trusted is whether the trust policy lets cognito-identity.amazonaws.com
	// federate (sts:AssumeRoleWithWebIdentity); Aud and Amr are the values its
	// conditions hold for cognito-identity.amazonaws.com:aud and :amr.
	Trusted bool
	Aud     []string
	Amr     []string
	// Invoke is SimulatePrincipalPolicy's decision for lambda:InvokeFunction on
	// the function ("" when not evaluated).
	Invoke string
}

// Table is the student's slotWheels table.
type Table struct {
	Name   string
	Status string // ACTIVE, CREATING, …
	// KeyOK is whether the key schema is slotPosition (N) as the only HASH key;
	// Key says what it is otherwise.
	KeyOK bool
	Key   string
	// Count is Scan Select=COUNT's (ItemCount refreshes only every 6 h); Counted
	// says the scan answered.
	Count   int64
	Counted bool
	// DeletionProtection is whether cleanup must turn it off first.
	DeletionProtection bool
}

// Function is the student's slotPull function.
type Function struct {
	Name, Arn, Runtime, Role string
	State, LastUpdateStatus  string
	// GetItem is SimulatePrincipalPolicy's decision for dynamodb:GetItem on the
	// table, for the execution role ("" when not evaluated).
	GetItem string
}

// Metrics are a function's AWS/Lambda figures, one point a minute, oldest first.
type Metrics struct {
	Invocations, Errors, Duration []float64
}

func sum(p []float64) float64 {
	s := 0.0
	for _, v := range p {
		s += v
	}
	return s
}

// Pull is one of the function's log lines.
type Pull struct {
	At      time.Time
	Message string
	Error   bool // the line reports an error (ERROR, Task timed out, AccessDenied)
}

// Probe is one HTTP GET of the website endpoint.
type Probe struct {
	URL     string
	At      time.Time
	Status  int
	Latency time.Duration
	Err     string
	Body    string // the answer's first bytes
}

// StaleParts reports the parts carried over from an earlier cycle (labs.Staler).
func (o *Observation) StaleParts() []string { return o.Stale }

// stale marks part as not read this cycle; the caller carries its last state.
func (o *Observation) stale(part string, err error) {
	if !slices.Contains(o.Stale, part) {
		o.Stale = append(o.Stale, part)
	}
	o.Problems = append(o.Problems, part+": "+err.Error())
}
