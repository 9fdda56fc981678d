package sim

// HTTPS listeners on the loopback: Clients.Dial("tcp", "<load balancer DNS
// name>:<port>") reaches a real TCP port on 127.0.0.1 that stands for the
// listener. An HTTPS listener's port does a real TLS handshake presenting its
// default ACM certificate's leaf and chain (the root left out, as ELB does: the
// client brings its own trust), so a crypto/tls client verifies it exactly as it
// would verify AWS's; then it answers one HTTP request with 200 "Hello World".
// An HTTP listener's port answers in plain HTTP, so a TLS client fails its
// handshake as it would on AWS. A port opens on the first dial and closes with
// its listener. No load balancer of that name, one not yet active, or no
// listener on the port: the dial is refused.
//
// Not modelled: security groups on the path (checkpoints read them from
// DescribeSecurityGroups), SNI selection among several certificates, SSL
// policies, HTTP/2.

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
	"time"

	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// tlsPort is one listener's loopback port.
type tlsPort struct {
	ln                   net.Listener
	account, region, arn string
}

// dialListener connects to the listener addr names, for the account's clients in region.
func (w *World) dialListener(ctx context.Context, acct, regionName, network, addr string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: invalid port", addr)
	}
	refused := &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	w.mu.Lock()
	w.advanceLocked()
	var l *listener
	for _, r := range w.order {
		if r.account != acct {
			continue
		}
		for _, lb := range r.lbs {
			if lb.dns != host {
				continue
			}
			if lb.state != elbtypes.LoadBalancerStateEnumActive {
				w.mu.Unlock()
				return nil, refused
			}
			for _, x := range lb.listeners {
				if int(x.port) == port {
					l = x
				}
			}
		}
	}
	if l == nil {
		w.mu.Unlock()
		return nil, refused
	}
	p := w.tls[l.arn]
	if p == nil {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			w.mu.Unlock()
			return nil, fmt.Errorf("sim: loopback listener: %w", err)
		}
		p = &tlsPort{ln: ln, account: acct, region: regionName, arn: l.arn}
		if w.tls == nil {
			w.tls = map[string]*tlsPort{}
		}
		w.tls[l.arn] = p
		go w.serveListener(p)
	}
	w.mu.Unlock()
	var d net.Dialer
	return d.DialContext(ctx, "tcp", p.ln.Addr().String())
}

// closeTLS closes a deleted listener's port. The world's lock is held.
func (w *World) closeTLS(arn string) {
	if p := w.tls[arn]; p != nil {
		p.ln.Close()
		delete(w.tls, arn)
	}
}

// listenerOf finds a live listener by ARN, with the lock held.
func (w *World) listenerOf(arn string) (*listener, *region) {
	for _, r := range w.order {
		if l := r.listeners[arn]; l != nil && !l.dead {
			return l, r
		}
	}
	return nil, nil
}

// serveListener accepts connections until the port closes.
func (w *World) serveListener(p *tlsPort) {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go w.serveConn(p, c)
	}
}

func (w *World) serveConn(p *tlsPort, c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	w.mu.Lock()
	l, _ := w.listenerOf(p.arn)
	https := l != nil && l.protocol == elbtypes.ProtocolEnumHttps
	w.mu.Unlock()
	if l == nil {
		return
	}
	if https {
		tc := tls.Server(c, &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			l, r := w.listenerOf(p.arn)
			if l == nil || len(l.certs) == 0 {
				return nil, errors.New("listener gone")
			}
			chain, key := r.servingCert(l.certs[0])
			if chain == nil {
				return nil, errors.New("certificate not issued")
			}
			return &tls.Certificate{Certificate: chain, PrivateKey: key}, nil
		}})
		if err := tc.Handshake(); err != nil {
			return
		}
		c = tc
	}
	br := bufio.NewReader(c)
	for { // read the request head, then answer
		line, err := br.ReadString('\n')
		if err != nil || line == "\r\n" || line == "\n" {
			break
		}
	}
	status, body := "200 OK", "Hello World\n"
	_, _ = fmt.Fprintf(c, "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", status, len(body), body)
}
