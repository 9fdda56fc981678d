package sim

// The loopback DNS server: the simulated hosted zones answered over real DNS, so
// a student (or an instructor in a rehearsal) can run `dig` against them and see
// an alias answer in one step and a CNAME in two, with their TTLs. It answers as
// a recursive resolver would for the simulated names (ResolveDNS): a CNAME is
// followed to the simulated load balancer's addresses in the same answer; an
// empty answer carries the zone's SOA; a name outside every simulated zone is
// REFUSED. It listens on UDP and TCP at one address, loopback only.

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/miekg/dns"
)

// ServeDNS answers DNS for the simulated zones at addr (host:port, a loopback
// host; port 0 picks a free one, the same for UDP and TCP) until ctx ends. It
// returns the address it listens on once both listeners are up.
func (w *World) ServeDNS(ctx context.Context, addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("sim: DNS address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("sim: the DNS server listens on loopback only, not %q", host)
	}
	var pc net.PacketConn
	var ln net.Listener
	for try := 0; try < 10; try++ { // port 0: find one free for both protocols
		if pc, err = net.ListenPacket("udp", net.JoinHostPort(host, port)); err != nil {
			return "", fmt.Errorf("sim: DNS over UDP at %s: %w", addr, err)
		}
		_, got, _ := net.SplitHostPort(pc.LocalAddr().String())
		if ln, err = net.Listen("tcp", net.JoinHostPort(host, got)); err == nil {
			break
		}
		pc.Close()
		if port != "0" {
			return "", fmt.Errorf("sim: DNS over TCP at %s: %w", addr, err)
		}
	}
	if ln == nil {
		return "", fmt.Errorf("sim: no port free for DNS over both UDP and TCP at %s: %w", addr, err)
	}
	h := dns.HandlerFunc(w.answerDNS)
	udp, tcp := &dns.Server{PacketConn: pc, Handler: h}, &dns.Server{Listener: ln, Handler: h}
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	go func() {
		<-ctx.Done()
		_ = udp.Shutdown()
		_ = tcp.Shutdown()
	}()
	bound := pc.LocalAddr().String()
	w.dnsAt.Store(bound)
	return bound, nil
}

// DNSServer is where ServeDNS listens, "" when it does not.
func (w *World) DNSServer() string {
	s, _ := w.dnsAt.Load().(string)
	return s
}

// answerDNS answers one query.
func (w *World) answerDNS(rw dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	if len(req.Question) != 1 || req.Opcode != dns.OpcodeQuery {
		m.Rcode = dns.RcodeNotImplemented
		_ = rw.WriteMsg(m)
		return
	}
	q := req.Question[0]
	ans, rcode, auth := w.ResolveDNS(q.Name, dns.TypeToString[q.Qtype])
	switch rcode {
	case "NOERROR":
		m.Rcode = dns.RcodeSuccess
	case "NXDOMAIN":
		m.Rcode = dns.RcodeNameError
	case "REFUSED":
		m.Rcode = dns.RcodeRefused
	default:
		m.Rcode = dns.RcodeServerFailure
	}
	for _, a := range ans {
		if rr := dnsRR(a.Name, a.TTL, a.Type, a.Data); rr != nil {
			m.Answer = append(m.Answer, rr)
		}
	}
	for _, a := range auth {
		if rr := dnsRR(a.Name, a.TTL, a.Type, a.Data); rr != nil {
			m.Ns = append(m.Ns, rr)
		}
	}
	_ = rw.WriteMsg(m)
}

// dnsRR is one record in wire form, nil when its data does not parse.
func dnsRR(name string, ttl uint32, typ, data string) dns.RR {
	if typ == "CNAME" || typ == "NS" {
		data = dns.Fqdn(strings.TrimSpace(data))
	}
	rr, err := dns.NewRR(fmt.Sprintf("%s %d IN %s %s", dns.Fqdn(name), ttl, typ, data))
	if err != nil {
		return nil
	}
	return rr
}

// Server is the loopback DNS server's address ("" when none runs), for the
// `dig` command a lab shows.
func (p *r53Resolver) Server() string {
	s, _ := do(context.Background(), p.base, "dns", "Server", nil, func(r *region) (string, error) {
		return r.w.DNSServer(), nil
	})
	return s
}
