// Package credwire is the network, as seen by a client under test, for the credential tests:
// a RoundTripper that passes requests for one trusted origin to a real fake server on
// 127.0.0.1, answers one of them with a redirect to another origin, and records every request
// that reaches another origin together with any credential it carries. It lets one table test
// per client cover each redirect status, a host change, a scheme downgrade and a port change,
// on the first call and on a later one, without any address outside 127.0.0.1.
package credwire

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Statuses are the redirect statuses every table covers.
var Statuses = []int{
	http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
	http.StatusTemporaryRedirect, http.StatusPermanentRedirect,
}

// Target is where a redirect points, relative to the trusted origin.
type Target string

// The other origins a redirect may point at.
const (
	OtherHost   Target = "other host"       // same scheme and port, host other.example
	SchemeDown  Target = "scheme downgrade" // https -> http, same host and port
	PortChanged Target = "port change"      // same scheme and host, port + 1
)

// Targets lists every Target.
var Targets = []Target{OtherHost, SchemeDown, PortChanged}

// Case is one row of a table test.
type Case struct {
	Status int
	Target Target
	// On is the request to the trusted origin (1-based) that is redirected: 1 for the first
	// call, 2 or more for a later one.
	On int
}

func (c Case) String() string { return fmt.Sprintf("%d/%s/request%d", c.Status, c.Target, c.On) }

// Cases is Statuses x Targets x {the first request, and each later one named}.
func Cases(later ...int) []Case {
	var out []Case
	for _, s := range Statuses {
		for _, tg := range Targets {
			for _, on := range append([]int{1}, later...) {
				out = append(out, Case{Status: s, Target: tg, On: on})
			}
		}
	}
	return out
}

// Wire routes the client's requests. Build one with New; use it as the client's transport.
type Wire struct {
	trusted  *url.URL // https://127.0.0.1:PORT, what the client is configured with
	upstream *url.URL // the real fake server
	c        Case
	secrets  []string

	mu         sync.Mutex
	n          int
	redirected bool
	leaks      []string
	foreign    int
}

// New makes a wire on which the client talks to trusted (an https URL whose host is
// 127.0.0.1 or a name) and upstream (http://127.0.0.1:PORT) answers. secrets are the
// credential values that must not reach another origin, in clear or inside basic auth.
func New(trusted, upstream string, c Case, secrets ...string) *Wire {
	tu, err := url.Parse(trusted)
	if err != nil || tu.Scheme != "https" {
		panic("credwire: trusted must be an https URL: " + trusted)
	}
	uu, err := url.Parse(upstream)
	if err != nil {
		panic("credwire: bad upstream URL: " + upstream)
	}
	return &Wire{trusted: tu, upstream: uu, c: c, secrets: secrets}
}

// Location is the redirect's target for a request to path (and query).
func (w *Wire) Location(r *http.Request) string {
	u := *r.URL
	u.Host = w.trusted.Host
	switch w.c.Target {
	case OtherHost:
		u.Host = "other.example:" + port(w.trusted)
	case SchemeDown:
		u.Scheme = "http"
	case PortChanged:
		p, _ := strconv.Atoi(port(w.trusted))
		u.Host = w.trusted.Hostname() + ":" + strconv.Itoa(p+1)
	}
	u.Path = "/elsewhere" + u.Path
	return u.String()
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	return "443"
}

// RoundTrip implements http.RoundTripper.
func (w *Wire) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != w.trusted.Scheme || r.URL.Host != w.trusted.Host {
		w.record(r)
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return respond(r, http.StatusNotFound, nil, `{"message":"Not Found"}`), nil
	}
	w.mu.Lock()
	w.n++
	redirect := w.n == w.c.On
	if redirect {
		w.redirected = true
	}
	w.mu.Unlock()
	if redirect {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return respond(r, w.c.Status, http.Header{"Location": {w.Location(r)}}, ""), nil
	}
	up := r.Clone(r.Context())
	up.URL.Scheme, up.URL.Host, up.Host = w.upstream.Scheme, w.upstream.Host, ""
	up.RequestURI = ""
	resp, err := http.DefaultTransport.RoundTrip(up)
	if resp != nil {
		resp.Request = r // the client must see the URL it asked for (ggcr reads the scheme back)
	}
	return resp, err
}

func (w *Wire) record(r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.foreign++
	for name, vals := range r.Header {
		for _, v := range vals {
			if cred := w.credential(name, v); cred != "" {
				w.leaks = append(w.leaks, fmt.Sprintf("%s %s carried %s", r.Method, r.URL.Redacted(), cred))
			}
		}
	}
}

// credential says what a header carries that it must not, "" when nothing.
func (w *Wire) credential(name, value string) string {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Private-Token", "Job-Token", "Cookie", "Proxy-Authorization":
		return "a " + name + " header"
	}
	for _, s := range w.secrets {
		if s != "" && strings.Contains(value, s) {
			return "the credential in " + name
		}
	}
	return ""
}

// Check fails t when the redirect was never served (the table row proved nothing) or when a
// request to another origin carried a credential.
func (w *Wire) Check(t testing.TB) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.redirected {
		t.Fatalf("%s: the client made %d requests to the trusted origin; request %d was never sent", w.c, w.n, w.c.On)
	}
	for _, l := range w.leaks {
		t.Errorf("%s: credential left its origin: %s", w.c, l)
	}
}

// Foreign counts requests that reached another origin (with or without a credential).
func (w *Wire) Foreign() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.foreign
}

// BasicSecret is the base64 form a user:password pair takes in basic auth, for secrets.
func BasicSecret(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}

func respond(r *http.Request, status int, h http.Header, body string) *http.Response {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json")
	return &http.Response{
		StatusCode:    status,
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}
}
