package argocd

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/httpauth"
)

// ErrAuth is wrapped by a missing or refused ARGOCD_AUTH_TOKEN: exit code 4.
var ErrAuth = exitcode.Sentinel(exitcode.Auth, "argo cd authentication failed")

// NotFoundError means Argo CD has no Application of that name (or hides it).
type NotFoundError struct{ App string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("Argo CD has no Application %q", e.App) }

// TransientError is a failure a later poll may not meet: a 5xx or 429 answer, or a
// connection refused, reset, dropped or timed out. --wait polls on through it.
type TransientError struct {
	Host, App string
	Reason    string // "503 Service Unavailable", "connection refused"
}

func (e *TransientError) Error() string {
	return fmt.Sprintf("Argo CD at %s did not answer %s: %s", e.Host, e.App, e.Reason)
}

// Application is the part of an Argo CD Application --wait reads.
type Application struct {
	Name string
	// SyncStatus is status.sync.status: Synced, OutOfSync, Unknown.
	SyncStatus string
	// Revisions are what the app last synced: status.sync.revision, or for a multi-source
	// app status.sync.revisions.
	Revisions []string
	// Health is status.health.status: Healthy, Progressing, Degraded, Suspended, Missing, Unknown.
	Health string
	// Message explains the state: the health message, else the last operation's, else the
	// first condition's.
	Message string
}

// Client talks to one Argo CD API server with a bearer token.
type Client struct {
	base  *url.URL
	token string
	hc    *http.Client
}

// New builds a client on the Factory's HTTP client. An empty token is an auth error: the
// API answers nothing useful without one.
func New(server *Server, token string, hc *http.Client) (*Client, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: ARGOCD_AUTH_TOKEN is not set (create one with argocd account generate-token)", ErrAuth)
	}
	c := &http.Client{}
	if hc != nil {
		*c = *hc
	}
	if server.Insecure {
		base := c.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		if t, ok := base.(*http.Transport); ok {
			t = t.Clone()
			if t.TLSClientConfig == nil {
				t.TLSClientConfig = &tls.Config{}
			}
			t.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // the user asked for argocd --insecure
			c.Transport = t
		}
	}
	// The token goes only to the server's origin, and never on a redirect: http.Client would
	// keep a request's Authorization on a redirect to another port or to http.
	c.Transport = httpauth.NewTransport(c.Transport, httpauth.Options{
		Origin: httpauth.OriginOf(server.URL),
		Attach: func(r *http.Request) error { r.Header.Set("Authorization", "Bearer "+token); return nil },
		Strip:  httpauth.CredentialHeaders,
	})
	return &Client{base: server.URL, token: token, hc: c}, nil
}

// Host names the server in messages.
func (c *Client) Host() string { return c.base.Host }

// Application reads GET /api/v1/applications/{name}.
func (c *Client) Application(ctx context.Context, name string) (*Application, error) {
	u := *c.base
	u.Path = c.base.Path + "/api/v1/applications/" + url.PathEscape(name)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var redir *httpauth.RedirectError
		if errors.As(err, &redir) {
			return nil, fmt.Errorf("argocd: get application %s: the API at %w", name, redir)
		}
		if transientNetError(err) {
			return nil, &TransientError{Host: c.base.Host, App: name, Reason: c.scrub(netReason(err))}
		}
		return nil, fmt.Errorf("argocd: get application %s from %s: %s", name, c.base.Host, c.scrub(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The connection dropped in the middle of the answer.
		return nil, &TransientError{Host: c.base.Host, App: name, Reason: c.scrub(netReason(err))}
	}
	switch code := resp.StatusCode; {
	case code == http.StatusOK:
	case code == http.StatusUnauthorized:
		return nil, fmt.Errorf("%w: argocd: %s refused ARGOCD_AUTH_TOKEN (401 %s): check the token, or create one with argocd account generate-token", ErrAuth, c.base.Host, c.apiMessage(body))
	case code == http.StatusForbidden:
		return nil, fmt.Errorf("%w: argocd: ARGOCD_AUTH_TOKEN may not read application %s on %s (403 %s)", ErrAuth, name, c.base.Host, c.apiMessage(body))
	case code == http.StatusNotFound:
		return nil, &NotFoundError{App: name}
	case code >= 500 || code == http.StatusTooManyRequests:
		return nil, &TransientError{Host: c.base.Host, App: name, Reason: statusLine(resp, c.apiMessage(body))}
	default:
		return nil, fmt.Errorf("argocd: get application %s from %s: %s", name, c.base.Host, statusLine(resp, c.apiMessage(body)))
	}
	var raw appJSON
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("argocd: application %s: unexpected answer from %s: %v", name, c.base.Host, err)
	}
	return raw.application(name), nil
}

type appJSON struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Status struct {
		Sync struct {
			Status    string   `json:"status"`
			Revision  string   `json:"revision"`
			Revisions []string `json:"revisions"`
		} `json:"sync"`
		Health struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"health"`
		OperationState *struct {
			Phase   string `json:"phase"`
			Message string `json:"message"`
		} `json:"operationState"`
		Conditions []struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"conditions"`
	} `json:"status"`
}

func (a appJSON) application(name string) *Application {
	st := a.Status
	out := &Application{Name: name, SyncStatus: st.Sync.Status, Health: st.Health.Status}
	if a.Metadata.Name != "" {
		out.Name = a.Metadata.Name
	}
	if st.Sync.Revision != "" {
		out.Revisions = append(out.Revisions, st.Sync.Revision)
	}
	out.Revisions = append(out.Revisions, st.Sync.Revisions...)
	switch {
	case st.Health.Message != "":
		out.Message = st.Health.Message
	case st.OperationState != nil && st.OperationState.Message != "":
		out.Message = st.OperationState.Message
	case len(st.Conditions) > 0:
		out.Message = st.Conditions[0].Type + ": " + st.Conditions[0].Message
	}
	out.Message = oneLine(out.Message)
	return out
}

// apiMessage is Argo CD's {"error","message"} text, trimmed to one line.
func (c *Client) apiMessage(body []byte) string {
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &e)
	msg := e.Message
	if msg == "" {
		msg = e.Error
	}
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return c.scrub(msg)
}

func (c *Client) scrub(s string) string {
	if c.token != "" {
		s = strings.ReplaceAll(s, c.token, "[redacted]")
	}
	return oneLine(s)
}

// statusLine is "503 Service Unavailable", with Argo CD's message when it says more.
func statusLine(resp *http.Response, msg string) string {
	line := fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	if msg != "" && !strings.EqualFold(msg, http.StatusText(resp.StatusCode)) {
		line += ": " + msg
	}
	return line
}

// transientNetError says whether a request failed in a way the next poll may not: refused,
// reset or dropped connections and timeouts. TLS and name errors are not retried.
func transientNetError(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTemporary || dns.IsTimeout
	}
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	return false
}

// netReason keeps what a user can act on ("connection refused"), not the URL around it.
func netReason(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection closed without an answer"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "no answer in time"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
