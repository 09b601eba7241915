// Package github implements forge.Forge on the GitHub REST API (and, for auto-merge, the one
// GraphQL mutation GitHub offers no REST twin for). It works against github.com, GHE.com and
// GitHub Enterprise Server.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	gh "github.com/google/go-github/v60/github"

	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/httpauth"
)

// Options says which repository to talk to and how.
type Options struct {
	// HTTPClient is the Factory's client; its Transport is wrapped, never replaced, so tests
	// that swap the transport still see every request. Nil means a plain client.
	HTTPClient *http.Client
	// APIURL is the REST root: "" or "https://api.github.com/" for github.com,
	// "https://ghe.example.com/api/v3/" for GitHub Enterprise Server.
	APIURL string
	Owner  string
	Repo   string
	Token  forge.Token
	// Retry tunes the retry transport; tests inject Sleep.
	Retry forge.RetryOptions
}

// Forge is one GitHub repository.
type Forge struct {
	client     *gh.Client
	graphqlURL string
	owner      string
	repo       string
	token      string // only to scrub it from error text, belt and braces

	repoMu   sync.Mutex
	repoInfo *gh.Repository // cached once fetched; a failed fetch is retried next time
}

var _ forge.Forge = (*Forge)(nil)

const defaultAPIURL = "https://api.github.com/"

// New builds a client; it makes no request.
func New(ctx context.Context, opts Options) (*Forge, error) {
	_ = ctx // reserved: construction is offline today
	if opts.Owner == "" || opts.Repo == "" {
		return nil, fmt.Errorf("github: repository owner and name are required")
	}
	if opts.Token.Value == "" && opts.Token.Refresh == nil {
		return nil, fmt.Errorf("%w: github: no token for %s/%s", forge.ErrAuth, opts.Owner, opts.Repo)
	}
	apiURL := opts.APIURL
	if apiURL == "" {
		apiURL = defaultAPIURL
	}
	api, err := url.Parse(apiURL)
	if err != nil || (api.Scheme != "https" && api.Scheme != "http") || api.Host == "" {
		return nil, fmt.Errorf("github: API URL %q is not an http(s) URL", apiURL)
	}
	api.User = nil
	if !strings.HasSuffix(api.Path, "/") {
		api.Path += "/"
	}

	hc := &http.Client{}
	if opts.HTTPClient != nil {
		c := *opts.HTTPClient
		hc = &c
	}
	// Retry outermost: every attempt goes through auth, and a replayed body is re-sent whole.
	// The token goes only to the API's origin (REST and GraphQL share it), never on a redirect.
	hc.Transport = forge.NewRetryTransport(httpauth.NewTransport(hc.Transport, httpauth.Options{
		Origin: httpauth.OriginOf(api),
		Attach: (&bearerToken{token: opts.Token.Value, refresh: opts.Token.Refresh}).attach,
		Strip:  httpauth.CredentialHeaders,
	}), opts.Retry)

	client := gh.NewClient(hc)
	client.UserAgent = "gito"
	if strings.HasSuffix(api.Path, "/api/v3/") {
		client, err = client.WithEnterpriseURLs(api.String(), api.String())
		if err != nil {
			return nil, fmt.Errorf("github: API URL %q: %w", apiURL, err)
		}
	} else {
		// github.com, a GHE.com tenant, or a test server at a root path: taken as given,
		// where WithEnterpriseURLs would append /api/v3/.
		client.BaseURL = api
	}
	return &Forge{
		client:     client,
		graphqlURL: graphqlURL(api),
		owner:      opts.Owner,
		repo:       opts.Repo,
		token:      opts.Token.Value,
	}, nil
}

// graphqlURL follows GitHub's layout: https://api.github.com/graphql, and on GHES
// https://HOST/api/graphql beside /api/v3/.
func graphqlURL(api *url.URL) string {
	u := *api
	if p, ok := strings.CutSuffix(u.Path, "/api/v3/"); ok {
		u.Path = p + "/api/graphql"
	} else {
		u.Path += "graphql"
	}
	return u.String()
}

// repository is fetched once: the auto-merge method needs it.
func (f *Forge) repository(ctx context.Context) (*gh.Repository, error) {
	f.repoMu.Lock()
	defer f.repoMu.Unlock()
	if f.repoInfo != nil {
		return f.repoInfo, nil
	}
	r, _, err := f.client.Repositories.Get(ctx, f.owner, f.repo)
	if err != nil {
		return nil, f.wrap(err, "get repository %s/%s", f.owner, f.repo)
	}
	f.repoInfo = r
	return r, nil
}

// bearerToken is the credential: a fixed token, or a GitHub App installation's current one.
type bearerToken struct {
	token   string
	refresh forge.TokenSource
}

func (b *bearerToken) attach(r *http.Request) error {
	token := b.token
	if b.refresh != nil {
		var err error
		if token, err = b.refresh.Token(r.Context()); err != nil {
			return err
		}
	}
	r.Header.Set("Authorization", "Bearer "+token)
	return nil
}

// wrap turns a go-github error into one line naming the operation; 401 and non-rate-limit
// 403 wrap forge.ErrAuth. nil stays nil.
func (f *Forge) wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	op := fmt.Sprintf(format, args...)
	var (
		redir *httpauth.RedirectError
		er    *gh.ErrorResponse
		rl    *gh.RateLimitError
		abuse *gh.AbuseRateLimitError
	)
	switch {
	case errors.Is(err, forge.ErrAuth): // the GitHub App could not get a token; it says why
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("github: %s: %w", op, err)
	case errors.As(err, &redir):
		return fmt.Errorf("github: %s: the API at %w", op, redir)
	case errors.As(err, &rl):
		return fmt.Errorf("github: %s: API rate limit exceeded until %s", op, rl.Rate.Reset.Format("15:04:05 MST"))
	case errors.As(err, &abuse):
		return fmt.Errorf("github: %s: secondary rate limit exceeded; try again in a few minutes", op)
	case errors.As(err, &er):
		status := 0
		if er.Response != nil {
			status = er.Response.StatusCode
		}
		msg := f.scrub(describe(er))
		switch status {
		case http.StatusUnauthorized:
			return fmt.Errorf("%w: github: %s: %d %s: check GH_TOKEN or run gh auth login", forge.ErrAuth, op, status, msg)
		case http.StatusForbidden:
			return fmt.Errorf("%w: github: %s: %d %s: the token lacks permission", forge.ErrAuth, op, status, msg)
		case http.StatusNotFound:
			return fmt.Errorf("github: %s: 404 not found (or the token cannot see %s/%s)", op, f.owner, f.repo)
		}
		return fmt.Errorf("github: %s: %d %s", op, status, msg)
	}
	if ne := forge.AsNetError(err); ne != nil {
		return fmt.Errorf("github: %s: %w", op, ne)
	}
	return fmt.Errorf("github: %s: %s", op, f.scrub(err.Error()))
}

// describe joins GitHub's message and per-field errors into one line.
func describe(er *gh.ErrorResponse) string {
	parts := []string{er.Message}
	for _, e := range er.Errors {
		switch {
		case e.Message != "":
			parts = append(parts, e.Message)
		case e.Field != "":
			parts = append(parts, fmt.Sprintf("%s %s", e.Field, strings.ReplaceAll(e.Code, "_", " ")))
		}
	}
	return oneLine(strings.Join(parts, ": "))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (f *Forge) scrub(s string) string {
	s = oneLine(s)
	if f.token != "" {
		s = strings.ReplaceAll(s, f.token, "[redacted]")
	}
	return s
}
