package cloud

import "context"

//go:generate go run ./internal/genintercept

// Call is one API call about to be made through Clients.
type Call struct {
	Service  string // the Clients field: "ECS", "EC2", "S3" …
	Op       string // the operation: "DeleteService"
	Account  string // the account and region of the clients making it
	Region   string
	Input    any  // the operation's *Input struct
	Mutating bool // false for Describe*, List*, Get* and the other read-only operations
}

// Interceptor sees every call before it is made; an error stops the call and is
// returned to the caller as the call's error. Cleanup's guard is one (it refuses
// mutating calls outside the confirmed plan); the simulator's fault injection is
// another.
type Interceptor func(ctx context.Context, call Call) error

// readOnly are the operation-name prefixes that change nothing in AWS. Simulate is
// IAM's policy simulator (SimulatePrincipalPolicy, which Lab 7's monitor calls): it
// evaluates policies and stores nothing. TestDNSAnswer (Lab 3's monitor) asks Route
// 53's name servers one question. FilterLogEvents (Lab 4's "last pull" feed)
// reads a log group's events.
var readOnly = []string{"Describe", "List", "Get", "Lookup", "Search", "Head", "Scan", "Query", "BatchGet", "AssumeRole", "Simulate", "TestDNSAnswer", "FilterLogEvents"}

// IsMutating reports whether operation op may change something in AWS. Unknown
// verbs count as mutating: the guard fails closed.
func IsMutating(op string) bool {
	for _, p := range readOnly {
		if len(op) >= len(p) && op[:len(p)] == p {
			return false
		}
	}
	return true
}

// AccountWide is the identifier of an operation that names no resource because it
// acts on a whole service in one account and region (DisableMacie): the guard lets
// such a call through only if a plan item claims exactly this identifier.
func AccountWide(service, account, region string) string {
	return "account-wide:" + service + ":" + account + ":" + region
}

// Operation names one operation of a Clients interface.
type Operation struct {
	Service  string // the Clients field: "ECS"
	Op       string // "CreateService"
	Mutating bool
}
