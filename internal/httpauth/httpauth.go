// Package httpauth binds a credential to the one origin (scheme, host and port) it belongs to.
//
// Every client gito builds sends its requests through NewTransport. The credential is added
// by the transport itself, per request, and only when the request's origin is the trusted
// one; credential headers an SDK set above it are removed from any request to another
// origin; and a redirect that leaves its origin is refused. That last rule is what an
// http.Client's own policy lacks: it keeps Authorization on a redirect to the same host name
// on another port or scheme, keeps every other header (GitLab's Private-Token) on any
// redirect, and a transport that adds the header to every request re-adds it after a
// redirect. A transport sees a redirect through req.Response, so the rule holds for clients
// gito does not build itself (go-containerregistry's, client-go's).
package httpauth

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Origin is a URL's scheme, host name and port, lower case, the port always explicit.
type Origin struct {
	Scheme string
	Host   string // a name or an IP address, without brackets
	Port   string
}

// OriginOf returns u's origin; a missing port is the scheme's default.
func OriginOf(u *url.URL) Origin {
	if u == nil {
		return Origin{}
	}
	o := Origin{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Hostname()), Port: u.Port()}
	if o.Port == "" {
		o.Port = DefaultPort(o.Scheme)
	}
	return o
}

// ParseOrigin reads the origin of an absolute http(s) URL.
func ParseOrigin(raw string) (Origin, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return Origin{}, fmt.Errorf("%q is not an http(s) URL", redact(raw))
	}
	return OriginOf(u), nil
}

// DefaultPort is the port a URL of scheme means when it names none.
func DefaultPort(scheme string) string {
	switch strings.ToLower(scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// IsZero reports whether o names no origin.
func (o Origin) IsZero() bool { return o == Origin{} }

// String is "scheme://host" with the port only when it is not the scheme's default.
func (o Origin) String() string {
	if o.IsZero() {
		return "(none)"
	}
	host := o.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if o.Port != DefaultPort(o.Scheme) {
		host = net.JoinHostPort(o.Host, o.Port)
	}
	return o.Scheme + "://" + host
}

// Options says which origin a credential belongs to and how it is attached.
type Options struct {
	// Origin is the one origin the credential may reach. Zero: the transport attaches and
	// strips nothing and only refuses redirects that leave their origin (go-containerregistry
	// attaches its own, origin-checked, credentials and runs the registry's token flow).
	Origin Origin
	// Attach sets the credential on a request to Origin (the request is a copy; Attach may
	// change its headers). Nil when an SDK above sets it.
	Attach func(*http.Request) error
	// Strip names the headers that may carry the credential; they are removed from any
	// request to another origin, whoever set them.
	Strip []string
}

// CredentialHeaders are the headers gito's forge and Argo CD clients carry a credential in.
var CredentialHeaders = []string{"Authorization", "Private-Token", "Job-Token", "Cookie"}

// NewTransport returns a RoundTripper that sends requests through base under the rules of
// the package comment. base nil is http.DefaultTransport.
func NewTransport(base http.RoundTripper, opts Options) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base, opts: opts}
}

type transport struct {
	base http.RoundTripper
	opts Options
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	to := OriginOf(req.URL)
	if prev := req.Response; prev != nil && prev.Request != nil {
		if from := OriginOf(prev.Request.URL); from != to {
			closeBody(req)
			return nil, &RedirectError{From: from, To: to, Status: prev.StatusCode}
		}
	}
	r := req.Clone(req.Context())
	if !t.opts.Origin.IsZero() && to == t.opts.Origin {
		if t.opts.Attach != nil {
			if err := t.opts.Attach(r); err != nil {
				closeBody(req)
				return nil, err
			}
		}
	} else {
		for _, h := range t.opts.Strip {
			r.Header.Del(h)
		}
	}
	return t.base.RoundTrip(r)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// RedirectError is a redirect gito refused to follow because it leaves its origin.
type RedirectError struct {
	From, To Origin
	Status   int
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s redirected to %s (%d); gito follows no redirect to another origin (scheme, host and port): point gito at the new address if the service moved",
		e.From, e.To, e.Status)
}

func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(unparseable URL)"
}
