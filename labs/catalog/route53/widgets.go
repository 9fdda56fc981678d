package route53

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
)

func widgets() []labs.Widget {
	return []labs.Widget{
		{ID: "dns-answer", Title: "DNS answer", View: viewDNS},
		{ID: "target-health", Title: "Target health", View: viewHealth},
		changeWidget(), // widgets_changes.go
	}
}

// steps groups the resolver's answer into steps: consecutive answers of one name
// and type are one step (a CNAME, then the addresses it leads to).
func (o *Observation) steps() []labs.DNSStep {
	if o.Trace == nil || o.Trace.Err != "" {
		return nil
	}
	var out []labs.DNSStep
	for _, a := range o.Trace.Answers {
		name := strings.TrimSuffix(a.Name, ".")
		data := strings.TrimSuffix(a.Data, ".")
		if n := len(out); n > 0 && out[n-1].Name == name && out[n-1].Type == a.Type {
			out[n-1].Data = append(out[n-1].Data, data)
			out[n-1].TTL = min(out[n-1].TTL, a.TTL)
			continue
		}
		out = append(out, labs.DNSStep{Name: name, Type: a.Type, Data: []string{data}, TTL: a.TTL})
	}
	return out
}

// viewDNS is the DNS answer panel: the resolution as steps, from the dashboard's
// resolver when it could follow the name, else from the records themselves.
func viewDNS(obs labs.Observation, h *labs.History) labs.WidgetView {
	o, ok := obs.(*Observation)
	if !ok || o == nil {
		return labs.WidgetView{Empty: "no DNS record yet"}
	}
	name := strings.TrimSuffix(recordName(o.Target), ".")
	cname, a := o.record(r53types.RRTypeCname), o.record(r53types.RRTypeA)
	if cname == nil && a == nil {
		if o.ZoneID == "" {
			return labs.WidgetView{Empty: "no " + zoneLabel(o.Target) + " yet"}
		}
		return labs.WidgetView{Empty: "no A or CNAME record at " + name + " yet"}
	}
	d := &labs.DNSResolution{Name: name, Apex: strings.TrimSuffix(zoneOf(o.Target), ".")}
	switch {
	case cname != nil:
		d.Kind = "CNAME"
	case a.AliasTarget != nil:
		d.Kind, d.ApexOK = "alias", true
	default:
		d.Kind, d.ApexOK = "A record", true
	}
	if ans := o.Answer; ans != nil {
		d.Nameserver, d.ResponseCode, d.RecordData = ans.Nameserver, ans.ResponseCode, append([]string(nil), ans.RecordData...)
	}
	d.Steps = o.steps()
	d.Traced = len(d.Steps) > 0
	if !d.Traced {
		d.Steps = recordSteps(o, name, cname, a)
		switch {
		case o.Trace != nil && o.Trace.Err != "":
			d.Note = "the dashboard's resolver could not follow the name (" + o.Trace.Err + "); the steps come from the records"
		default:
			d.Note = "no resolver trace yet; the steps come from the records"
		}
	}
	if !o.Shared {
		d.Delegation = delegationText(o)
	}
	for i := range d.Steps {
		st := &d.Steps[i]
		switch {
		case i == 0 && d.Kind == "alias":
			st.TTLNote = "the ALB's: an alias has no TTL of its own"
		case i == 0 && d.Kind == "CNAME":
			st.TTLNote = "the CNAME record's"
		case i == 0:
			st.TTLNote = "the record's"
		default:
			st.TTLNote = "the ALB's"
		}
	}
	q := "A"
	if d.Kind == "CNAME" {
		q = "CNAME"
	}
	if o.Dig != "" {
		host, port, found := strings.Cut(o.Dig, ":")
		d.Dig = "dig @" + host
		if found && port != "53" {
			d.Dig += " -p " + port
		}
		d.Dig += " " + name + " " + q
	} else {
		d.Dig = "dig " + name + " " + q
	}
	d.Changed = o.Changed
	if h != nil {
		h.Observe("kind", d.Kind, o.At)
	}
	return labs.WidgetView{DNS: d}
}

// recordSteps are the steps the records imply when no resolver could follow them.
func recordSteps(o *Observation, name string, cname, a *r53types.ResourceRecordSet) []labs.DNSStep {
	var data []string
	if ans := o.Answer; ans != nil && ans.ResponseCode == "NOERROR" {
		data = append(data, ans.RecordData...)
	}
	switch {
	case cname != nil:
		target := strings.TrimSuffix(values(cname), ".")
		return []labs.DNSStep{{Name: name, Type: "CNAME", Data: []string{target}, TTL: uint32(aws.ToInt64(cname.TTL))},
			{Name: normDNS(target), Type: "A", Data: []string{"(the ALB's addresses)"}, TTL: 60}}
	case a.AliasTarget != nil:
		if len(data) == 0 {
			data = []string{"(the ALB's addresses)"}
		}
		return []labs.DNSStep{{Name: name, Type: "A", Data: data, TTL: 60}}
	}
	return []labs.DNSStep{{Name: name, Type: "A", Data: strings.Split(values(a), ", "), TTL: uint32(aws.ToInt64(a.TTL))}}
}

// viewHealth is the target group's health, one row per target.
func viewHealth(obs labs.Observation, _ *labs.History) labs.WidgetView {
	o, ok := obs.(*Observation)
	if !ok || o == nil || o.TG == nil {
		return labs.WidgetView{Empty: "no target group yet"}
	}
	t := &labs.Table{Columns: []string{"Target", "Port", "State", "Reason"}}
	for _, d := range o.Targets {
		row := labs.Row{Cells: []string{aws.ToString(d.Target.Id), strconv.Itoa(int(aws.ToInt32(d.Target.Port))), "", ""}}
		if h := d.TargetHealth; h != nil {
			row.Cells[2] = string(h.State)
			if h.Reason != "" {
				row.Cells[3] = string(h.Reason) + ": " + aws.ToString(h.Description)
			}
			switch h.State {
			case elbtypes.TargetHealthStateEnumHealthy:
				row.Tone = "ok"
			case elbtypes.TargetHealthStateEnumUnhealthy:
				row.Tone = "bad"
			default:
				row.Tone = "warn"
			}
		}
		t.Rows = append(t.Rows, row)
	}
	if len(t.Rows) == 0 {
		return labs.WidgetView{Empty: "no targets registered in " + tgName(o.Target)}
	}
	return labs.WidgetView{Table: t}
}

// Summary is the class grid's badge: what the student's name is now and how many
// steps it resolves in ("alias · 1 step", "CNAME · 2 steps"), or what is wrong.
func Summary(obs labs.Observation) labs.Summary {
	s := labs.Summary{Running: -1}
	o, ok := obs.(*Observation)
	if !ok || o == nil {
		return s
	}
	name := strings.TrimSuffix(recordName(o.Target), ".")
	if c := o.record(r53types.RRTypeCname); c != nil {
		if r := checkCNAME(o); r.Status != labs.Pass {
			s.Badge, s.BadgeTone, s.BadgeTitle = "CNAME ✗", "bad", r.Evidence
			return s
		}
		s.Badge, s.BadgeTone, s.BadgeTitle = "CNAME · 2 steps", "ok", fmt.Sprintf("%s is a CNAME to the ALB, TTL %d s", name, aws.ToInt64(c.TTL))
		return s
	}
	if a := o.record(r53types.RRTypeA); a != nil {
		if why := aliasOK(o, a); why != "" {
			s.Badge, s.BadgeTone, s.BadgeTitle = "A ✗", "bad", why
			if a.AliasTarget == nil {
				s.Badge = "A, not alias"
			}
			return s
		}
		s.Badge, s.BadgeTone, s.BadgeTitle = "alias · 1 step", "ok", name+" is an alias to the ALB (TTL 60 s, the ALB's)"
		return s
	}
	if len(o.Near) > 0 {
		s.Badge, s.BadgeTone, s.BadgeTitle = "wrong name", "warn", strings.TrimPrefix(o.nearMiss(), "; ")
	}
	return s
}
