package awsprovider

// sysResolver is cloud.Clients.DNS on AWS: it asks the machine's recursive
// resolver (the first nameserver of /etc/resolv.conf) one question with the
// recursion-desired bit, as `dig` does, and returns the answer section with each
// record's remaining TTL, which Go's net package does not expose.

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/labdash/labdash/labs/cloud"
)

// dnsTimeout bounds one lookup: lookups run in the monitor.
const dnsTimeout = 2 * time.Second

type sysResolver struct{ conf string }

// Resolve asks name's qtype records of the system's resolver.
func (r sysResolver) Resolve(ctx context.Context, name, qtype string) ([]cloud.DNSAnswer, error) {
	conf := r.conf
	if conf == "" {
		conf = "/etc/resolv.conf"
	}
	cfg, err := dns.ClientConfigFromFile(conf)
	if err != nil || len(cfg.Servers) == 0 {
		return nil, fmt.Errorf("dns: no resolver in %s: %v", conf, err)
	}
	t, ok := dns.StringToType[strings.ToUpper(qtype)]
	if !ok {
		return nil, fmt.Errorf("dns: unknown record type %q", qtype)
	}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(strings.ToLower(name)), t)
	ctx, cancel := context.WithTimeout(ctx, dnsTimeout)
	defer cancel()
	in, _, err := (&dns.Client{Timeout: dnsTimeout}).ExchangeContext(ctx, m, net.JoinHostPort(cfg.Servers[0], cfg.Port))
	if err != nil {
		return nil, fmt.Errorf("dns: %s %s: %w", qtype, name, err)
	}
	return Answers(name, in)
}

// Answers turns a DNS reply into the answer records labdash shows; NXDOMAIN is
// cloud.ErrNXDomain, any other failure code an error naming it.
func Answers(name string, in *dns.Msg) ([]cloud.DNSAnswer, error) {
	switch in.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return nil, fmt.Errorf("%s: %w", name, cloud.ErrNXDomain)
	default:
		return nil, fmt.Errorf("dns: %s: %s", name, dns.RcodeToString[in.Rcode])
	}
	out := make([]cloud.DNSAnswer, 0, len(in.Answer))
	for _, rr := range in.Answer {
		h := rr.Header()
		a := cloud.DNSAnswer{Name: strings.ToLower(h.Name), Type: dns.TypeToString[h.Rrtype], TTL: h.Ttl}
		switch x := rr.(type) {
		case *dns.A:
			a.Data = x.A.String()
		case *dns.CNAME:
			a.Data = strings.ToLower(x.Target)
		default:
			a.Data = strings.TrimPrefix(rr.String(), h.String())
		}
		out = append(out, a)
	}
	return out, nil
}
