// Package gitlab implements forge.Forge for GitLab (gitlab.com and self-managed) on the
// official client-go library. Retries belong to forge.NewRetryTransport alone: client-go's own
// retryablehttp loop and rate limiter are switched off so each attempt is counted, and slept
// for, exactly once.
package gitlab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/httpauth"
)

// DefaultBaseURL is gitlab.com's API.
const DefaultBaseURL = "https://gitlab.com/api/v4"

// Options says which project to talk to and how.
type Options struct {
	// HTTPClient is the Factory's client; its transport is wrapped by forge.NewRetryTransport.
	HTTPClient *http.Client
	// BaseURL is the API root, e.g. https://gitlab.example.com/api/v4 or, under a relative URL
	// root, https://example.com/gitlab/api/v4. "/api/v4" is added when missing. Default gitlab.com.
	BaseURL string
	// Project is the full path ("group/sub/infra") or the numeric project ID.
	Project string
	// Token is sent as PRIVATE-TOKEN (personal, project or group access token) unless JobToken
	// or OAuth says otherwise.
	Token string
	// JobToken sends Token as JOB-TOKEN (CI_JOB_TOKEN).
	JobToken bool
	// OAuth sends Token as "Authorization: Bearer" (an OAuth access token, e.g. glab's).
	OAuth bool
	// Retry tunes the retry transport; tests inject Sleep.
	Retry forge.RetryOptions
}

// Forge is one GitLab project.
type Forge struct {
	client   *gl.Client
	project  string // as given: full path or numeric ID
	jobToken bool
	token    string // only to scrub it from error text, belt and braces

	infoMu sync.Mutex
	info   *gl.Project // cached once read; a failed read is retried next time
}

var _ forge.Forge = (*Forge)(nil)

// New builds the client; it makes no request.
func New(ctx context.Context, o Options) (*Forge, error) {
	_ = ctx // reserved: construction is offline, like the GitHub forge's
	project := strings.Trim(strings.TrimSpace(o.Project), "/")
	if project == "" {
		return nil, errors.New("gitlab: no project: set forge.project in .gito.yaml")
	}
	if o.Token == "" {
		return nil, fmt.Errorf("gitlab: no token for project %s: set GITLAB_TOKEN: %w", project, forge.ErrAuth)
	}
	base, err := baseURL(o.BaseURL)
	if err != nil {
		return nil, err
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	origin, err := httpauth.ParseOrigin(base)
	if err != nil {
		return nil, fmt.Errorf("gitlab: API URL: %w", err)
	}
	wrapped := *hc
	// client-go sets the token header on each request it builds, and http.Client copies it to
	// a redirect: the origin-bound transport refuses redirects that leave the API's origin and
	// strips the header from any request to another origin.
	wrapped.Transport = forge.NewRetryTransport(httpauth.NewTransport(hc.Transport, httpauth.Options{
		Origin: origin,
		Strip:  httpauth.CredentialHeaders,
	}), o.Retry)

	var auth gl.AuthSource = gl.AccessTokenAuthSource{Token: o.Token}
	switch {
	case o.JobToken:
		auth = gl.JobTokenAuthSource{Token: o.Token}
	case o.OAuth:
		auth = bearer{token: o.Token}
	}
	client, err := gl.NewAuthSourceClient(auth,
		gl.WithBaseURL(base),
		gl.WithHTTPClient(&wrapped),
		gl.WithoutRetries(),
		gl.WithCustomRetryMax(0),
		gl.WithCustomLimiter(unlimited{}),
		gl.WithURLWarningLogger(slog.New(slog.DiscardHandler)),
		gl.WithUserAgent("gito"),
	)
	if err != nil {
		return nil, fmt.Errorf("gitlab: build client for %s: %w", base, err)
	}
	return &Forge{client: client, project: project, jobToken: o.JobToken, token: o.Token}, nil
}

// projectInfo reads the project once (GET /projects/:id): its numeric ID tells this
// project's MRs from forks', and it names the default branch.
func (f *Forge) projectInfo(ctx context.Context) (*gl.Project, error) {
	f.infoMu.Lock()
	defer f.infoMu.Unlock()
	if f.info != nil {
		return f.info, nil
	}
	p, _, err := f.client.Projects.GetProject(f.project, nil, gl.WithContext(ctx))
	if err != nil {
		return nil, f.fail("read project "+f.project, err)
	}
	f.info = p
	return p, nil
}

// baseURL accepts an http(s) URL with a host; anything else would make client-go log a
// warning and carry on against a wrong server.
func baseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return DefaultBaseURL, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("gitlab: API URL is not a valid URL")
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("gitlab: API URL %q is not an http(s) URL without credentials", u.Redacted())
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

// bearer sends an OAuth access token as "Authorization: Bearer", which client-go only offers
// through a deprecated constructor or an oauth2.TokenSource.
type bearer struct{ token string }

func (bearer) Init(context.Context, *gl.Client) error { return nil }

func (b bearer) Header(context.Context) (string, string, error) {
	return "Authorization", "Bearer " + b.token, nil
}

// unlimited replaces client-go's limiter, which would otherwise tune itself from
// RateLimit-Limit and sleep before requests; rate limits are the retry transport's business.
type unlimited struct{}

func (unlimited) Wait(ctx context.Context) error { return ctx.Err() }

// fail turns a client-go error into one line that names the action and never the token or
// request headers. 401 and 403 wrap forge.ErrAuth.
func (f *Forge) fail(action string, err error) error {
	e := f.describe(action, err)
	if msg := e.Error(); f.token != "" && strings.Contains(msg, f.token) {
		return &scrubbed{msg: strings.ReplaceAll(msg, f.token, "[redacted]"), err: e}
	}
	return e
}

// scrubbed keeps the error chain (errors.Is/As) under a message with the token removed.
type scrubbed struct {
	msg string
	err error
}

func (s *scrubbed) Error() string { return s.msg }
func (s *scrubbed) Unwrap() error { return s.err }

func (f *Forge) describe(action string, err error) error {
	var (
		resp  *gl.ErrorResponse
		redir *httpauth.RedirectError
	)
	switch {
	case errors.As(err, &redir):
		return fmt.Errorf("gitlab: %s: the API at %w", action, redir)
	case errors.Is(err, gl.ErrNotFound):
		if f.jobToken {
			return fmt.Errorf("gitlab: %s: not found (404); CI_JOB_TOKEN cannot see this project's merge requests, set GITLAB_TOKEN to a project access token with api scope: %w", action, forge.ErrAuth)
		}
		return fmt.Errorf("gitlab: %s: not found (404)", action)
	case errors.As(err, &resp) && resp.Response != nil:
		status := resp.Response.StatusCode
		msg := apiMessage(status, resp)
		if status == http.StatusUnauthorized || status == http.StatusForbidden {
			hint := "check GITLAB_TOKEN (api scope) or glab auth status"
			if f.jobToken {
				hint = "CI_JOB_TOKEN cannot use the merge request API; set GITLAB_TOKEN to a project access token with api scope"
			}
			return fmt.Errorf("gitlab: %s: %s; %s: %w", action, msg, hint, forge.ErrAuth)
		}
		return fmt.Errorf("gitlab: %s: %s", action, msg)
	}
	if ne := forge.AsNetError(err); ne != nil {
		return fmt.Errorf("gitlab: %s: %w", action, ne)
	}
	return fmt.Errorf("gitlab: %s: %w", action, err)
}

// apiMessage reads GitLab's error body, {"message": string | [string] | {field: [string]}}
// or {"error": string}, into "STATUS text" on one line.
func apiMessage(status int, resp *gl.ErrorResponse) string {
	var body struct {
		Message     any    `json:"message"`
		Error       string `json:"error"`
		Description string `json:"error_description"` // e.g. with "insufficient_scope"
	}
	text := resp.Message
	if json.Unmarshal(resp.Body, &body) == nil {
		switch {
		case body.Message != nil:
			text = flatten(body.Message)
		case body.Error != "" && body.Description != "":
			text = body.Error + ": " + body.Description
		case body.Error != "":
			text = body.Error
		}
	}
	text = oneLine(text)
	prefix := strconv.Itoa(status)
	switch {
	case text == "":
		return prefix + " " + http.StatusText(status)
	case strings.HasPrefix(text, prefix):
		return text
	}
	return prefix + " " + text
}

func flatten(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			parts = append(parts, flatten(e))
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		keys := slices.Sorted(maps.Keys(v))
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+" "+flatten(v[k]))
		}
		return strings.Join(parts, "; ")
	}
	return fmt.Sprint(v)
}

// oneLine squeezes whitespace and bounds the length of a server message.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const maxLen = 300
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	return s
}
