package xray

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"

	"github.com/labdash/labdash/labs"
)

var at = time.Date(2030, 3, 4, 10, 0, 0, 0, time.UTC)

func summary(id string, st int32, ago time.Duration) Trace {
	return traceOf(xraytypes.TraceSummary{Id: aws.String(id), StartTime: aws.Time(at.Add(-ago)), ResponseTime: aws.Float64(0.03),
		HasError: aws.Bool(st >= 400 && st < 500), HasFault: aws.Bool(st >= 500),
		Http: &xraytypes.Http{HttpMethod: aws.String("POST"), HttpStatus: aws.Int32(st), HttpURL: aws.String("http://c42s07-xray.us-east-1.elasticbeanstalk.com/signup")}})
}

func stats(total, ok, errs, faults int64) *xraytypes.ServiceStatistics {
	return &xraytypes.ServiceStatistics{TotalCount: aws.Int64(total), OkCount: aws.Int64(ok), TotalResponseTime: aws.Float64(float64(total) * 0.03),
		ErrorStatistics: &xraytypes.ErrorStatistics{OtherCount: aws.Int64(errs), TotalCount: aws.Int64(errs), ThrottleCount: aws.Int64(0)},
		FaultStatistics: &xraytypes.FaultStatistics{TotalCount: aws.Int64(faults)}}
}

// correct is a student who finished the lab, the optional fix included.
func correct() *Observation {
	t := labs.NewTarget("c42", "s07", "111122223333", "us-east-1")
	edge := func(ref int32, total int64) xraytypes.Edge {
		return xraytypes.Edge{ReferenceId: aws.Int32(ref), SummaryStatistics: &xraytypes.EdgeStatistics{TotalCount: aws.Int64(total), TotalResponseTime: aws.Float64(1)}}
	}
	return &Observation{
		Target: t, At: at, GraphWindow: graphWindow, SummaryWindow: summaryWindow,
		Env: &ebtypes.EnvironmentDescription{EnvironmentName: aws.String("c42s07-xray"), ApplicationName: aws.String("c42s07-xray"),
			EnvironmentArn: aws.String("arn:aws:elasticbeanstalk:us-east-1:111122223333:environment/c42s07-xray/c42s07-xray"),
			Status:         ebtypes.EnvironmentStatusReady, Health: ebtypes.EnvironmentHealthGreen},
		Health: &eb.DescribeEnvironmentHealthOutput{HealthStatus: aws.String("Ok"), Color: aws.String("Green"),
			ApplicationMetrics: &ebtypes.ApplicationMetrics{Duration: aws.Int32(60), RequestCount: 10,
				StatusCodes: &ebtypes.StatusCodes{Status2xx: aws.Int32(9), Status4xx: aws.Int32(1), Status3xx: aws.Int32(0), Status5xx: aws.Int32(0)}}},
		Group: &xraytypes.GroupSummary{GroupName: aws.String("c42s07"), GroupARN: aws.String("arn:aws:xray:us-east-1:111122223333:group/c42s07/ABC")},
		Graph: []xraytypes.Service{
			{ReferenceId: aws.Int32(0), Type: aws.String("client"), Edges: []xraytypes.Edge{edge(1, 30)}},
			{ReferenceId: aws.Int32(1), Name: aws.String("c42s07-signup"), Type: aws.String("AWS::ElasticBeanstalk::Environment"), Root: aws.Bool(true),
				SummaryStatistics: stats(30, 25, 3, 2), Edges: []xraytypes.Edge{edge(2, 30), edge(3, 27)}},
			{ReferenceId: aws.Int32(2), Name: aws.String("c42s07-signups"), Type: aws.String("AWS::DynamoDB::Table"), SummaryStatistics: stats(30, 27, 3, 0)},
			{ReferenceId: aws.Int32(3), Name: aws.String("SNS"), Type: aws.String("AWS::SNS"), SummaryStatistics: stats(27, 25, 2, 0)},
		},
		Summaries: []Trace{summary("1-a", 200, 10*time.Minute), summary("1-b", 409, 9*time.Minute),
			summary("1-c", 500, 6*time.Minute), summary("1-d", 200, time.Minute)},
		Causes:   []string{"User: arn:aws:sts::111122223333:assumed-role/c42s07-xray-eb-role/i-0 is not authorized to perform: SNS:Publish on resource: arn:aws:sns:us-east-1:111122223333:c42s07-signups"},
		RoleArn:  "arn:aws:iam::111122223333:role/labdash/c42/s07/c42s07-xray-eb-role",
		TopicArn: "arn:aws:sns:us-east-1:111122223333:c42s07-signups",
		Publish:  iamtypes.PolicyEvaluationDecisionTypeAllowed,
	}
}

func TestEveryCheckpointPassesOnACorrectState(t *testing.T) {
	o := correct()
	for _, cp := range Lab().Checkpoints {
		if cp.ID == "break-sns" {
			continue // passes while sns:Publish is removed; the fixed state restored it
		}
		if r := cp.Check(o); r.Status != labs.Pass || r.Evidence == "" {
			t.Errorf("%s: %s %q; want pass with evidence", cp.ID, r.Status, r.Evidence)
		}
	}
	o.Publish = iamtypes.PolicyEvaluationDecisionTypeImplicitDeny
	if r := labs.Typed(checkBreakSNS)(o); r.Status != labs.Pass {
		t.Errorf("break-sns with implicitDeny: %s %q", r.Status, r.Evidence)
	}
}

func TestCheckpointsFailOrWaitOnWrongStates(t *testing.T) {
	cases := map[string]struct {
		check  func(*Observation) labs.Result
		mutate func(o *Observation)
		want   labs.Status
		says   string
	}{
		"env missing":          {checkEnvUp, func(o *Observation) { o.Env = nil }, labs.Pending, "no environment"},
		"env launching":        {checkEnvUp, func(o *Observation) { o.Env.Status = ebtypes.EnvironmentStatusLaunching }, labs.Pending, "Launching"},
		"env red":              {checkEnvUp, func(o *Observation) { o.Env.Health = ebtypes.EnvironmentHealthRed }, labs.Fail, "Red"},
		"env terminated":       {checkEnvUp, func(o *Observation) { o.Env.Status = ebtypes.EnvironmentStatusTerminated }, labs.Fail, "Terminated"},
		"no traces":            {checkFirstSignup, func(o *Observation) { o.Summaries = nil }, labs.Pending, "no traces"},
		"only 409s":            {checkFirstSignup, func(o *Observation) { o.Summaries = o.Summaries[1:2] }, labs.Fail, "none a POST"},
		"no group":             {checkServiceMap, func(o *Observation) { o.Group = nil }, labs.Pending, "no X-Ray group"},
		"no SNS edge":          {checkServiceMap, func(o *Observation) { o.Graph[1].Edges = o.Graph[1].Edges[:1] }, labs.Fail, "SNS: false"},
		"few requests":         {checkAutoSignups, func(o *Observation) { o.Graph[1].SummaryStatistics.TotalCount = aws.Int64(5) }, labs.Pending, "5 requests"},
		"no 409":               {checkFound409, func(o *Observation) { o.Summaries = o.Summaries[:1] }, labs.Pending, "no 409"},
		"409 but no ddb error": {checkFound409, func(o *Observation) { o.Graph[2].SummaryStatistics.ErrorStatistics.OtherCount = aws.Int64(0) }, labs.Pending, "no errors"},
		"still allowed":        {checkBreakSNS, func(o *Observation) {}, labs.Pending, "still allowed"},
		"not evaluated":        {checkBreakSNS, func(o *Observation) { o.Publish = "" }, labs.Pending, "not evaluated"},
		"no 500":               {checkFound500, func(o *Observation) { o.Summaries = o.Summaries[:2] }, labs.Pending, "no 500"},
		"500 from dynamodb": {checkFound500, func(o *Observation) {
			o.Causes = []string{"User: x is not authorized to perform: dynamodb:PutItem on resource: t"}
		}, labs.Fail, "not SNS"},
		"not restored":   {checkFixed, func(o *Observation) { o.Publish = iamtypes.PolicyEvaluationDecisionTypeImplicitDeny }, labs.Pending, "implicitDeny"},
		"recent 500s":    {checkFixed, func(o *Observation) { o.Summaries = append(o.Summaries, summary("1-e", 500, 30*time.Second)) }, labs.Pending, "1 500s"},
		"never broke it": {checkFixed, func(o *Observation) { o.Summaries = o.Summaries[:2] }, labs.Pending, "no 500s"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			o := correct()
			tc.mutate(o)
			r := labs.Typed(tc.check)(o)
			if r.Status != tc.want || !strings.Contains(r.Evidence, tc.says) {
				t.Errorf("%s %q; want %s saying %q", r.Status, r.Evidence, tc.want, tc.says)
			}
		})
	}
	for _, cp := range Lab().Checkpoints {
		if r := cp.Check(nil); r.Status != labs.Error {
			t.Errorf("%s on nil: %s", cp.ID, r.Status)
		}
		if r := cp.Check("junk"); r.Status != labs.Error {
			t.Errorf("%s on junk: %s", cp.ID, r.Status)
		}
	}
}

func TestWidgets(t *testing.T) {
	o := correct()
	views := map[string]labs.WidgetView{}
	for _, w := range Lab().Widgets {
		views[w.ID] = w.View(o, nil)
		if e := w.View(nil, nil); e.Empty == "" {
			t.Errorf("%s: no empty state for nil", w.ID)
		}
		if e := w.View(&Observation{Target: o.Target}, labs.NewHistory()); e.Empty == "" {
			t.Errorf("%s: no empty state for a fresh student", w.ID)
		}
	}
	m := views["service-map"].Map
	if m == nil || len(m.Nodes) != 4 || len(m.Edges) != 3 || m.Nodes[1].Faults != 2 || m.Nodes[1].AvgMS < 29 || m.Nodes[1].AvgMS > 31 || m.Edges[0].PerMinute != 3 {
		t.Fatalf("service map: %+v", m)
	}
	feed := views["trace-feed"].Table
	if feed == nil || len(feed.Rows) != 2 || feed.Rows[0].Cells[0] != "500" || feed.Rows[0].Tone != "bad" || feed.Rows[1].Cells[0] != "409" {
		t.Fatalf("trace feed: %+v", feed)
	}
	tile := views["eb-health"].Tile
	if tile == nil || tile.Badge != "Ok · Green" || len(tile.Counts) != 4 || tile.Counts[2].Value != 1 {
		t.Fatalf("eb health: %+v", tile)
	}
}

func TestResources(t *testing.T) {
	rs := correct().Resources()
	if len(rs) != 3 || rs[0].Type != "AWS::ElasticBeanstalk::Application" || rs[1].Parent != rs[0].ARN || rs[2].Type != "AWS::XRay::Group" || rs[2].FoundBy != "prefix" {
		t.Fatalf("resources: %+v", rs)
	}
	if len((&Observation{}).Resources()) != 0 {
		t.Fatal("empty observation lists resources")
	}
}

// TestWindowsReadAsAPersonWouldSay: the evidence names its window as "15 min",
// never Go's "15m0s", which the grid's tooltips showed to instructors.
func TestWindowsReadAsAPersonWouldSay(t *testing.T) {
	o := &Observation{Target: labs.Target{ClassID: "c1", StudentID: "s01"}, SummaryWindow: 15 * time.Minute, GraphWindow: 10 * time.Minute}
	for name, r := range map[string]labs.Result{"first signup": checkFirstSignup(o), "no 409": checkFound409(o)} {
		if strings.Contains(r.Evidence, "m0s") || !strings.Contains(r.Evidence, "15 min") {
			t.Errorf("%s: %q, want the window as \"15 min\"", name, r.Evidence)
		}
	}
}

// TestTraceOf checks what the lab keeps of a summary: every field the checks and
// widgets read, and nothing invented for a summary without an HTTP block.
func TestTraceOf(t *testing.T) {
	got := summary("1-x", 409, time.Minute)
	want := Trace{ID: "1-x", Start: at.Add(-time.Minute), Status: 409, Method: "POST",
		URL: "http://c42s07-xray.us-east-1.elasticbeanstalk.com/signup", ResponseTime: 0.03, Error: true}
	if got != want {
		t.Errorf("traceOf = %+v, want %+v", got, want)
	}
	bare := traceOf(xraytypes.TraceSummary{Id: aws.String("1-y"), HasFault: aws.Bool(true)})
	if bare != (Trace{ID: "1-y", Fault: true}) {
		t.Errorf("traceOf(no http) = %+v", bare)
	}
	odd := traceOf(xraytypes.TraceSummary{Http: &xraytypes.Http{HttpMethod: aws.String("DELETE")}})
	if odd.Method != "DELETE" {
		t.Errorf("method %q, want DELETE", odd.Method)
	}
}
