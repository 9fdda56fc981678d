package labs

import "time"

// WidgetView is the renderable state of one widget: exactly one of its parts is set.
// Views are plain data so they can be diffed, stored in memory and rendered by web.
type WidgetView struct {
	Tile  *Tile
	Table *Table
	Lamps *Lamps
	Spark *Sparkline
	// Failover and Map are drawn as SVG (web/svg).
	Failover *Failover
	Map      *ServiceMap
	Bar      *Bar // a stacked bar of counts, drawn as SVG (web/svg.Bar)
	Chain    *CAChain
	DNS      *DNSResolution
	// Empty explains why there is nothing to show yet ("no service yet").
	Empty string
}

// Tile shows a few big numbers and a short list of lines (service tile).
type Tile struct {
	Counts []Count
	Lines  []string
	Badge  string // e.g. a rollout state
	// Links are pages the student's lab serves that a viewer can open (Lab 4's
	// site). Only http and https URLs are drawn; a link opens in a new tab.
	Links []Link
}

// Link is one labelled URL.
type Link struct {
	Label string
	URL   string
}

// Count is one labelled number.
type Count struct {
	Label string
	Value int
}

// Table is rows of cells (task table, target health).
type Table struct {
	Columns []string
	Rows    []Row
}

// Row is a table row; Tone colours it ("ok", "warn", "bad", "").
type Row struct {
	Cells []string
	Tone  string
}

// Lamps shows named states with their recent transitions (alarm lamp).
type Lamps struct {
	Items []Lamp
}

// Lamp is one named state.
type Lamp struct {
	Name    string
	State   string // "OK", "ALARM", "INSUFFICIENT_DATA"
	Tone    string
	History []Transition // newest first
}

// Transition is one state change seen by the monitor.
type Transition struct {
	At   time.Time
	From string
	To   string
}

// Sparkline is a short series of values, oldest first.
type Sparkline struct {
	Label  string
	Unit   string
	Points []float64
	Last   float64
}

// History is what the monitor keeps per student across cycles for widgets. It is
// owned by the monitor's goroutine; lab code reads and appends to it in View.
type History struct {
	// Transitions per named thing (an alarm), newest first, capped.
	Transitions map[string][]Transition
	// Last known state per named thing.
	State map[string]string
	// Events is the student's event feed for the lab (event mode), newest first,
	// at most EventRing lines; the monitor appends to it (AddEvent).
	Events []EventLine
	// EventMode says whether the feed is live: "events: on (…)", "events: off
	// (reason)", or "" when the class has no event mode for the lab.
	EventMode string
}

// NewHistory returns an empty history.
func NewHistory() *History {
	return &History{Transitions: map[string][]Transition{}, State: map[string]string{}}
}

// Observe records state for name at time at, adding a transition when it changed.
func (h *History) Observe(name, state string, at time.Time) {
	prev, seen := h.State[name]
	if seen && prev == state {
		return
	}
	h.State[name] = state
	if !seen {
		return
	}
	tr := append([]Transition{{At: at, From: prev, To: state}}, h.Transitions[name]...)
	if len(tr) > 10 {
		tr = tr[:10]
	}
	h.Transitions[name] = tr
}

// Failover is Lab 5's two-region Global Accelerator view, drawn as SVG
// (web/svg.Failover): each region's endpoint group, which region answers the
// probe, and the failovers and recoveries seen so far.
type Failover struct {
	Accelerator string   // its name
	Status      string   // IN_PROGRESS or DEPLOYED
	IPs         []string // the two static IPs
	Groups      []FailoverGroup
	Answering   string // the region that answered the last probe ("" when none did)
	LatencyMS   int    // the last probe's latency
	ProbeError  string // why the last probe failed, if it did
	// Timeline holds changes of the answering region, newest first (From/To are regions).
	Timeline []Transition
}

// FailoverGroup is one endpoint group (one region) of a Failover view.
type FailoverGroup struct {
	Region   string
	Health   string  // HEALTHY, UNHEALTHY or INITIAL
	Reason   string  // the endpoint's HealthReason
	Dial     float64 // TrafficDialPercentage
	Targets  string  // the region's target health, e.g. "1/1 healthy"
	Instance string  // the origin instance's state, e.g. "running"
}

// ServiceMap is Lab 7's X-Ray service graph, drawn as SVG left to right like the
// X-Ray console (web/svg.ServiceMap): a circle per node coloured by its error
// and fault share, edges with average latency and request rate.
type ServiceMap struct {
	Window string // the graph's time window, e.g. "last 10 min"
	Nodes  []MapNode
	Edges  []MapEdge
}

// MapNode is one service of a ServiceMap, with its summary statistics.
type MapNode struct {
	ID        int32  // X-Ray's ReferenceId
	Name      string // "c42s07-signup", "c42s07-signups" (the table) …
	Type      string // "client", "AWS::ElasticBeanstalk::Environment", "AWS::DynamoDB::Table" …
	Root      bool
	Requests  int64 // TotalCount
	OK        int64
	Errors    int64 // 4xx (ErrorStatistics.TotalCount)
	Faults    int64 // 5xx (FaultStatistics.TotalCount)
	Throttles int64 // 429 (ErrorStatistics.ThrottleCount)
	AvgMS     float64
}

// MapEdge is one call path of a ServiceMap.
type MapEdge struct {
	From, To  int32 // ReferenceIds
	Requests  int64
	PerMinute float64
	AvgMS     float64
	Errors    int64
	Faults    int64
}

// Clock is how labdash shows a time of the world a lab reads (an alarm's state
// change, a failover, a rehearsal action): "09:14:03 UTC" on real AWS, and
// "09:14:03 (simulated time)" on the simulator, whose clock runs apart from the
// wall clock (from its own start, and faster under --sim-speed), so an
// unlabelled time there reads as a wrong one.
func Clock(t time.Time, simulated bool) string {
	if simulated {
		return t.UTC().Format("15:04:05") + " (simulated time)"
	}
	return t.UTC().Format("15:04:05") + " UTC"
}

// Bar is a stacked bar of counts that add up to Total (Lab 8's class mix: how many
// students reached 2 On-Demand + 2 Spot, how many run another mix, how many are
// still launching), drawn as SVG (web/svg.Bar) with a legend in words.
type Bar struct {
	Label    string // what is counted: "students"
	Segments []Segment
	Total    int
	Note     string // one line under the bar (what the counts cover)
	Mark     string // the segment that holds the viewer ("" for none)
}

// Segment is one part of a Bar; Tone colours it (ok, warn, bad, "").
type Segment struct {
	Label string
	Value int
	Tone  string
}

// CAChain is Lab 9's certificate hierarchy, drawn as SVG left to right
// (web/svg.CAChain): root CA → subordinate CA → certificate → HTTPS listener,
// each with its state, NotAfter and whether it is in use, and the monthly cost
// of the CAs that still bill.
type CAChain struct {
	Nodes []ChainNode // in order: root, subordinate, certificate, listener
	// Billed is how many of the student's CAs still bill (not DELETED), at
	// MonthlyUSD each, prorated.
	Billed     int
	MonthlyUSD float64
	TLS        string // the TLS probe's one-line result
	TLSOK      bool
}

// ChainNode is one box of a CAChain; Missing when the student has not made it.
type ChainNode struct {
	Kind     string // "Root CA", "Subordinate CA", "Certificate", "HTTPS listener"
	Name     string
	State    string // ACTIVE, PENDING_CERTIFICATE, ISSUED, HTTPS:443 …
	NotAfter string // "2036-01-02" or ""
	InUse    string // "in use by c42s07-myalb", "signs 1 certificate", "not in use"
	Detail   string // "pathlen 0", "PRIVATE", …
	Tone     string // ok, warn, bad, ""
	Missing  bool
}

// DNSResolution is Lab 3's DNS answer panel, drawn as SVG (web/svg.DNSResolution):
// how a resolver reaches the student's ALB from their name, one box per step (one
// for an alias, two for a CNAME) with each answer's TTL, whether that kind of
// record could sit at the zone apex, and what Route 53's own name server answered
// (TestDNSAnswer).
type DNSResolution struct {
	Name   string // the name asked, "www.s07.c42.labs.example.com"
	Kind   string // "alias", "CNAME", "A record", or "" when there is no record
	Steps  []DNSStep
	Traced bool   // the steps come from a resolver's answer, not from the records
	Note   string // why there is no trace, or what is odd about it
	Apex   string // the zone apex, "c42.labs.example.com"
	ApexOK bool   // whether a record of this kind may sit at the apex
	// Nameserver, ResponseCode and RecordData are TestDNSAnswer's.
	Nameserver, ResponseCode string
	RecordData               []string
	Dig                      string    // the command a student can try, "dig @127.0.0.1 -p 8053 www… A"
	Changed                  time.Time // when the record last changed, as the monitor saw it (zero: not seen)
	// Delegation, when set, says whether the parent delegates the zone, which
	// decides whether public resolvers find it (account mode: the class zone in
	// labdash's account holds an NS record per student zone; "" in shared mode).
	Delegation string
}

// DNSStep is one question and answer of a DNSResolution.
type DNSStep struct {
	Name    string   // the name asked in this step
	Type    string   // the answer's type: "A" or "CNAME"
	Data    []string // addresses, or the CNAME's target
	TTL     uint32   // seconds
	TTLNote string   // whose TTL it is: "the ALB's (an alias has none of its own)", "the record's"
}
