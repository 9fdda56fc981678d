package pca

// Event mode for Lab 9 (LABS.md Lab 9, "Live widgets"): Private CA's creation
// and issuance events and ACM's certificate-available event feed the student's
// "Events" widget, each named to its student by the CA's or the certificate's
// ARN, which the monitor matches against what the class's observations
// discovered.

import (
	"strings"

	"github.com/labdash/labdash/labs"
)

func events() *labs.Events {
	return &labs.Events{
		Sources: []labs.EventSource{
			{Source: "aws.acm-pca", DetailTypes: []string{"ACM Private CA Creation", "ACM Private CA Certificate Issuance"}},
			{Source: "aws.acm", DetailTypes: []string{"ACM Certificate Available"}},
		},
		Describe: describeEvent,
	}
}

// describeEvent is one event's feed line and its ARNs: the CA's (a creation's
// resource, an issuance's first) and the ACM certificate's. A certificate the CA
// issued is named by the CA, which the class discovered; its own ARN
// (…/certificate/SERIAL) is not in any ledger.
func describeEvent(ev labs.Event) (labs.EventLine, []string) {
	l := labs.EventLine{At: ev.Time, ID: ev.ID, Event: ev.DetailType, Note: ev.Field("result")}
	var ids []string
	switch ev.DetailType {
	case "ACM Private CA Creation":
		l.Event = "CA created"
		for _, r := range ev.Resources {
			ids = append(ids, r)
			l.Subject = shortID(r)
		}
	case "ACM Private CA Certificate Issuance":
		l.Event = "Certificate issued by a CA"
		for _, r := range ev.Resources {
			if ca, _, isCert := strings.Cut(r, "/certificate/"); isCert {
				l.Subject = "serial " + clipStr(r[len(ca)+len("/certificate/"):], 16)
				continue
			}
			ids = append(ids, r)
			l.Where = "CA " + shortID(r)
		}
	case "ACM Certificate Available":
		l.Event = "ACM certificate available"
		l.Subject = ev.Field("CommonName")
		l.Note = strings.TrimSpace(ev.Field("CertificateType") + " " + ev.Field("Action"))
		ids = append(ids, ev.Resources...)
	}
	switch l.Note {
	case "success":
		l.Tone = "ok"
	case "failure":
		l.Tone = "bad"
	}
	if ev.DetailType == "ACM Certificate Available" {
		l.Tone = "ok"
	}
	return l, ids
}

// shortID is the last path element of an ARN, clipped: a CA's id's first block.
func shortID(arn string) string {
	id := arn[strings.LastIndex(arn, "/")+1:]
	if i := strings.Index(id, "-"); i > 0 {
		return id[:i] + "…"
	}
	return id
}

func clipStr(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// viewEvents is the "Events" feed.
func viewEvents(_ labs.Observation, h *labs.History) labs.WidgetView {
	return labs.EventFeed(h)
}
