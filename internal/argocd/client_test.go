package argocd_test

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gito-dev/gito/integration/fakeargocd"
	"github.com/gito-dev/gito/internal/argocd"
	"github.com/gito-dev/gito/internal/testutil/credwire"
)

const token = "argocd-test-token-0123456789"

func client(t *testing.T, server string, hc *http.Client) *argocd.Client {
	t.Helper()
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	c, err := argocd.New(&argocd.Server{URL: u}, token, hc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every failure is one line without the token; 5xx, 429 and broken connections are
// transient, a refused token is an auth error and a missing Application is NotFoundError.
func TestApplicationErrors(t *testing.T) {
	t.Parallel()
	fake := fakeargocd.New(t, token)
	fake.SetApp("api-prod", fakeargocd.App{SyncStatus: "Synced", Health: "Healthy"})
	c := client(t, fake.URL, nil)
	tests := []struct {
		status    int // injected; 0 drops the connection
		transient bool
		auth      bool
		notFound  bool
	}{
		{500, true, false, false}, {502, true, false, false}, {503, true, false, false}, {504, true, false, false},
		{429, true, false, false}, {0, true, false, false},
		{401, false, true, false}, {403, false, true, false}, {404, false, false, true}, {400, false, false, false},
	}
	for _, tt := range tests {
		fake.Fail(0, 0) // a drop net/http did not retry must not answer the next case
		fake.Fail(tt.status, 1)
		if tt.status == 0 {
			// net/http sends a GET again, once, when a reused connection closes unanswered.
			fake.Fail(0, 1)
		}
		_, err := c.Application(t.Context(), "api-prod")
		var tr *argocd.TransientError
		var nf *argocd.NotFoundError
		switch {
		case err == nil:
			t.Errorf("%d: no error", tt.status)
			continue
		case errors.As(err, &tr) != tt.transient, errors.Is(err, argocd.ErrAuth) != tt.auth, errors.As(err, &nf) != tt.notFound:
			t.Errorf("%d: %v (%T): transient %t, auth %t, not found %t wanted", tt.status, err, err, tt.transient, tt.auth, tt.notFound)
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || strings.Contains(msg, token) {
			t.Errorf("%d: not one line without the token: %q", tt.status, msg)
		}
	}
	if app, err := c.Application(t.Context(), "api-prod"); err != nil || app.Health != "Healthy" {
		t.Errorf("after the failures: %+v, %v", app, err)
	}
}

func TestRefusedConnectionIsTransient(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there any more
	_, err = client(t, "http://"+addr, nil).Application(t.Context(), "api-prod")
	var tr *argocd.TransientError
	if !errors.As(err, &tr) || err.Error() != "Argo CD at "+addr+" did not answer api-prod: connection refused" {
		t.Errorf("err = %v (%T), want a TransientError saying connection refused", err, err)
	}
}

// TestTokenNeverLeavesTheServerOrigin: a redirect to another host, to http or to another
// port, with each redirect status, on the first read or a later one, never carries the token.
func TestTokenNeverLeavesTheServerOrigin(t *testing.T) {
	t.Parallel()
	for _, c := range credwire.Cases(2) {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			fake := fakeargocd.New(t, token)
			fake.SetApp("api-prod", fakeargocd.App{SyncStatus: "Synced", Health: "Healthy"})
			trusted := strings.Replace(fake.URL, "http://", "https://", 1)
			wire := credwire.New(trusted, fake.URL, c, token)
			cl := client(t, trusted, &http.Client{Transport: wire})
			var err error
			for range 2 {
				if _, err = cl.Application(t.Context(), "api-prod"); err != nil {
					break
				}
			}
			wire.Check(t)
			if err == nil || !strings.Contains(err.Error(), "redirected to") || strings.Contains(err.Error(), token) {
				t.Errorf("err = %v, want one saying the server redirected", err)
			}
		})
	}
}
