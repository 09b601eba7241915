// Package gitea implements forge.Forge for Gitea and Forgejo (API v1) on the official Gitea Go
// SDK. Retries belong to forge.NewRetryTransport, which wraps the Factory's transport.
package gitea

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/httpauth"
)

// Options says which repository to talk to and how.
type Options struct {
	// HTTPClient is the Factory's client; its transport is wrapped by forge.NewRetryTransport.
	HTTPClient *http.Client
	// BaseURL is the server's root ("https://gitea.example.com", or under a sub-path
	// "https://example.com/gitea"); a trailing "/api/v1" is accepted and dropped.
	BaseURL string
	Owner   string // a user or an organization
	Repo    string
	Token   string // an access token, sent as "Authorization: token ..."
	// Retry tunes the retry transport; tests inject Sleep.
	Retry forge.RetryOptions
}

// Forge is one Gitea repository.
type Forge struct {
	hc    *http.Client
	base  string
	owner string
	repo  string
	token string

	infoMu sync.Mutex
	info   *sdk.Repository // cached once read; a failed read is retried next time
}

var _ forge.Forge = (*Forge)(nil)

// GetPR and ListOpenPRs are joining forge.Forge (issue 13); this keeps their signatures in
// step until they are part of it.
var _ interface {
	GetPR(ctx context.Context, number int) (*forge.PullRequest, error)
	ListOpenPRs(ctx context.Context, headPrefix string) ([]*forge.PullRequest, error)
} = (*Forge)(nil)

// New builds the client; it makes no request.
func New(ctx context.Context, o Options) (*Forge, error) {
	_ = ctx // construction is offline, like the other forges'
	if o.Owner == "" || o.Repo == "" || strings.Contains(o.Repo, "/") {
		return nil, fmt.Errorf("gitea: project %s/%s is not owner/repo: set forge.project in .gito.yaml", o.Owner, o.Repo)
	}
	if o.Token == "" {
		return nil, fmt.Errorf("%w: gitea: no token for %s/%s: set GITEA_TOKEN", forge.ErrAuth, o.Owner, o.Repo)
	}
	base, err := BaseURL(o.BaseURL)
	if err != nil {
		return nil, err
	}
	origin, err := httpauth.ParseOrigin(base)
	if err != nil {
		return nil, fmt.Errorf("gitea: API URL: %w", err)
	}
	hc := &http.Client{}
	if o.HTTPClient != nil {
		c := *o.HTTPClient
		hc = &c
	}
	// The token is added here, not by the SDK, so it reaches only the server's origin and
	// never a redirect.
	token := o.Token
	hc.Transport = forge.NewRetryTransport(httpauth.NewTransport(hc.Transport, httpauth.Options{
		Origin: origin,
		Attach: func(r *http.Request) error { r.Header.Set("Authorization", "token "+token); return nil },
		Strip:  httpauth.CredentialHeaders,
	}), o.Retry)
	return &Forge{hc: hc, base: base, owner: o.Owner, repo: o.Repo, token: o.Token}, nil
}

// BaseURL turns what a user may write (the root, or the API URL) into the root the SDK wants.
func BaseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("gitea: API URL %q is not an http(s) URL without credentials", redact(raw))
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/api/v1")
	return strings.TrimRight(u.String(), "/"), nil
}

func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(unparseable)"
}

// api returns a client bound to ctx. The SDK keeps one context per client, so each call gets
// its own light client; SetGiteaVersion("") skips the SDK's version probe (one request less,
// and nothing gito uses depends on it).
func (f *Forge) api(ctx context.Context) *sdk.Client {
	c, err := sdk.NewClient(f.base,
		sdk.SetHTTPClient(f.hc),
		sdk.SetContext(ctx),
		sdk.SetGiteaVersion(""),
		sdk.SetUserAgent("gito"),
	)
	if err != nil {
		// Only the version probe can fail, and it is off.
		panic(fmt.Sprintf("gitea: build client: %v", err))
	}
	return c
}

// repository reads the repo once: its default merge style and whether its owner is an org.
func (f *Forge) repository(ctx context.Context) (*sdk.Repository, error) {
	f.infoMu.Lock()
	defer f.infoMu.Unlock()
	if f.info != nil {
		return f.info, nil
	}
	r, resp, err := f.api(ctx).GetRepo(f.owner, f.repo)
	if err != nil {
		return nil, f.fail(fmt.Sprintf("read repository %s/%s", f.owner, f.repo), resp, err)
	}
	f.info = r
	return r, nil
}

// fail turns an SDK error into one line naming the action, with Gitea's own message and never
// the token. 401 and 403 wrap forge.ErrAuth.
func (f *Forge) fail(action string, resp *sdk.Response, err error) error {
	status := 0
	if resp != nil && resp.Response != nil {
		status = resp.StatusCode
	}
	var redir *httpauth.RedirectError
	if errors.As(err, &redir) {
		return fmt.Errorf("gitea: %s: the API at %w", action, redir)
	}
	msg := f.scrub(err.Error())
	switch status {
	case 0:
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("gitea: %s: %w", action, err)
		}
		if ne := forge.AsNetError(err); ne != nil {
			return fmt.Errorf("gitea: %s: %w", action, ne)
		}
		return fmt.Errorf("gitea: %s: %s", action, msg)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w: gitea: %s: 401 %s: check GITEA_TOKEN", forge.ErrAuth, action, msg)
	case http.StatusForbidden:
		return fmt.Errorf("%w: gitea: %s: 403 %s: the token lacks a scope (write:repository, read:user) or permission", forge.ErrAuth, action, msg)
	case http.StatusNotFound:
		if msg != "" && !strings.EqualFold(msg, "not found") {
			return fmt.Errorf("gitea: %s: 404 %s", action, msg) // e.g. "User 'x' not exist"
		}
		return fmt.Errorf("gitea: %s: 404 not found (or the token cannot see %s/%s)", action, f.owner, f.repo)
	}
	return fmt.Errorf("gitea: %s: %d %s", action, status, msg)
}

func statusOf(resp *sdk.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

// scrub squeezes a server message onto one bounded line and removes the token.
func (f *Forge) scrub(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if f.token != "" {
		s = strings.ReplaceAll(s, f.token, "[redacted]")
	}
	const maxLen = 300
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	return s
}
