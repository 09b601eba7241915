// Package fakegithub is a stateful stand-in for the GitHub REST and GraphQL APIs, served on a
// loopback port. It enforces what gito relies on GitHub enforcing (auth, exact paths, field
// names, required fields, one open PR per head, pagination) so tests fail where GitHub would.
// It is safe for concurrent use.
package fakegithub

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Options configures one fake repository.
type Options struct {
	Token         string // required bearer token; empty disables the check
	Owner, Repo   string // default "acme", "infra"
	DefaultBranch string // default "main"
	PathPrefix    string // "" for github.com, "/api/v3" for GitHub Enterprise Server
	PerPage       int    // page size when a request sets no per_page; default 30 as on GitHub
	// DisallowAutoMerge makes the GraphQL mutation fail as on a repo without auto-merge.
	DisallowAutoMerge bool
	// IgnoreHeadFilter lists every PR whatever head= says, as GitHub does for a head without
	// "owner:"; it lets tests prove a client checks the head itself and follows pagination.
	IgnoreHeadFilter bool
	// App, when set, serves a GitHub App's installation and token routes and accepts the
	// installation tokens it issues (see app.go).
	App *App
	// Fallback serves every path outside PathPrefix, e.g. git smart HTTP on the same host.
	Fallback http.Handler
}

// PR is the fake's record of a pull request.
type PR struct {
	Number        int
	NodeID        string
	Title         string
	Body          string
	Head          string // branch name
	HeadOwner     string
	Base          string
	Draft         bool
	State         string // "open" or "closed"
	Labels        []string
	Reviewers     []string
	TeamReviewers []string
	AutoMerge     bool
	MergeMethod   string // set by the auto-merge mutation; "" means GitHub's default
	Merged        bool   // set by MergePR; State is then "closed", as on GitHub
	MergeSHA      string // merge_commit_sha once merged
}

// Request is one request as the fake received it. The Authorization value is never kept.
type Request struct {
	Method string
	Path   string
	Query  string // raw query
	Body   string
	AuthOK bool
	Status int // what the fake answered
}

// Server is a running fake. URL is the server root; APIURL adds the path prefix.
type Server struct {
	URL  string
	opts Options

	mu       sync.Mutex
	prs      []*PR
	requests []Request
	writes   int
	faults   []*fault
	app      *appState     // nil unless Options.App
	notify   chan struct{} // closed after the next request; see AwaitRequests
}

// New starts a fake on 127.0.0.1 and stops it when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Owner == "" {
		opts.Owner = "acme"
	}
	if opts.Repo == "" {
		opts.Repo = "infra"
	}
	if opts.DefaultBranch == "" {
		opts.DefaultBranch = "main"
	}
	if opts.PerPage <= 0 {
		opts.PerPage = 30
	}
	opts.PathPrefix = strings.TrimRight(opts.PathPrefix, "/")
	s := &Server{opts: opts, app: newAppState(opts.App)}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// APIURL is the REST base URL with a trailing slash, as gito's forge.apiURL takes it.
func (s *Server) APIURL() string { return s.URL + s.opts.PathPrefix + "/" }

// GraphQLURL is where GitHub serves GraphQL: /graphql on github.com, /api/graphql on GHES.
func (s *Server) GraphQLURL() string { return s.URL + s.graphqlPath() }

func (s *Server) graphqlPath() string {
	if s.opts.PathPrefix == "/api/v3" {
		return "/api/graphql"
	}
	return s.opts.PathPrefix + "/graphql"
}

// PRs returns a copy of every pull request, lowest number first.
func (s *Server) PRs() []PR {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PR, 0, len(s.prs))
	for _, p := range s.prs {
		out = append(out, p.clone())
	}
	return out
}

// Writes counts the non-GET requests received, failed ones included.
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// Requests returns every request received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// AddPR seeds a pull request, as if someone had opened it before the test. Number and NodeID
// are assigned; State defaults to "open" and HeadOwner to the repo owner.
func (s *Server) AddPR(pr PR) PR {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pr.State == "" {
		pr.State = "open"
	}
	if pr.HeadOwner == "" {
		pr.HeadOwner = s.opts.Owner
	}
	return s.insertLocked(pr).clone()
}

// ClosePR closes a pull request, as a merge or a human would.
func (s *Server) ClosePR(number int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.findLocked(number); p != nil {
		p.State = "closed"
	}
}

func (s *Server) insertLocked(pr PR) *PR {
	pr.Number = len(s.prs) + 1
	pr.NodeID = fmt.Sprintf("PR_fake%d", pr.Number)
	p := pr.clone()
	s.prs = append(s.prs, &p)
	return &p
}

func (s *Server) findLocked(number int) *PR {
	if number < 1 || number > len(s.prs) {
		return nil
	}
	return s.prs[number-1]
}

func (p *PR) clone() PR {
	c := *p
	c.Labels = slices.Clone(p.Labels)
	c.Reviewers = slices.Clone(p.Reviewers)
	c.TeamReviewers = slices.Clone(p.TeamReviewers)
	return c
}

// reply carries what a handler answers; serve writes it and records the status.
type reply struct {
	status  int
	header  http.Header
	body    any
	rawBody []byte
}

func jsonReply(status int, body any) reply { return reply{status: status, body: body} }

func message(status int, msg string) reply {
	return jsonReply(status, map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.opts.Fallback != nil && !strings.HasPrefix(r.URL.Path, s.opts.PathPrefix+"/") && r.URL.Path != s.graphqlPath() {
		s.opts.Fallback.ServeHTTP(w, r)
		return
	}
	body, err := readBody(r)
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(body), AuthOK: s.authorized(r)}

	s.mu.Lock()
	if r.Method != http.MethodGet && !s.isAppPath(r.URL.Path) { // a token request writes nothing
		s.writes++
	}
	var rep reply
	drop := false
	switch f := s.takeFaultLocked(r.Method, r.URL.Path); {
	case err != nil:
		rep = message(http.StatusBadRequest, "Problems parsing JSON")
	case f != nil && f.status == 0: // the server dies mid-request: the connection closes unanswered
		drop = true
	case f != nil:
		rep = f.reply()
	case !rec.AuthOK:
		rep = message(http.StatusUnauthorized, "Bad credentials")
	default:
		rep = s.routeLocked(r, body)
	}
	rec.Status = rep.status
	s.requests = append(s.requests, rec)
	s.notifyLocked()
	s.mu.Unlock()
	if drop {
		panic(http.ErrAbortHandler)
	}

	for k, vs := range rep.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(rep.status)
	switch {
	case rep.rawBody != nil:
		_, _ = w.Write(rep.rawBody)
	case rep.body != nil:
		_ = json.NewEncoder(w).Encode(rep.body)
	}
}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	defer r.Body.Close()
	return io.ReadAll(r.Body)
}

// authorized accepts both header forms GitHub takes: "Bearer T" and "token T".
// With an App, its installation tokens are accepted too, and its own routes check the JWT.
func (s *Server) authorized(r *http.Request) bool {
	if s.opts.Token == "" && s.app == nil {
		return true
	}
	if s.isAppPath(r.URL.Path) {
		return true
	}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !(strings.EqualFold(scheme, "bearer") || strings.EqualFold(scheme, "token")) {
		return false
	}
	return (s.opts.Token != "" && tok == s.opts.Token) || s.app.valid(tok)
}

func (s *Server) routeLocked(r *http.Request, body []byte) reply {
	p := r.URL.Path
	if rep, ok := s.appRouteLocked(r); ok {
		return rep
	}
	if p == s.graphqlPath() {
		if r.Method != http.MethodPost {
			return message(http.StatusNotFound, "Not Found")
		}
		return s.graphqlLocked(body)
	}
	rest, ok := strings.CutPrefix(p, s.opts.PathPrefix+"/repos/")
	if !ok {
		return message(http.StatusNotFound, "Not Found")
	}
	parts := strings.Split(rest, "/")
	if len(parts) < 2 || !strings.EqualFold(parts[0], s.opts.Owner) || !strings.EqualFold(parts[1], s.opts.Repo) {
		return message(http.StatusNotFound, "Not Found")
	}
	route := r.Method + " " + strings.Join(parts[2:], "/")
	num := func(i int) *PR {
		var n int
		if _, err := fmt.Sscanf(parts[i], "%d", &n); err != nil || fmt.Sprint(n) != parts[i] {
			return nil
		}
		return s.findLocked(n)
	}
	switch {
	case route == "GET ":
		return jsonReply(http.StatusOK, s.repoJSON())
	case route == "GET pulls":
		return s.listPullsLocked(r.URL)
	case route == "POST pulls":
		return s.createPullLocked(body)
	case len(parts) == 4 && parts[2] == "pulls" && (r.Method == http.MethodGet || r.Method == http.MethodPatch):
		pr := num(3)
		if pr == nil {
			return message(http.StatusNotFound, "Not Found")
		}
		if r.Method == http.MethodGet {
			return jsonReply(http.StatusOK, s.prJSON(pr))
		}
		return s.updatePullLocked(pr, body)
	case len(parts) == 5 && parts[2] == "issues" && parts[4] == "labels" && r.Method == http.MethodPost:
		pr := num(3)
		if pr == nil {
			return message(http.StatusNotFound, "Not Found")
		}
		return s.addLabelsLocked(pr, body)
	case len(parts) == 5 && parts[2] == "pulls" && parts[4] == "requested_reviewers" && r.Method == http.MethodPost:
		pr := num(3)
		if pr == nil {
			return message(http.StatusNotFound, "Not Found")
		}
		return s.requestReviewersLocked(pr, body)
	}
	return message(http.StatusNotFound, "Not Found")
}

func (s *Server) repoJSON() map[string]any {
	full := s.opts.Owner + "/" + s.opts.Repo
	return map[string]any{
		"id":                 1,
		"node_id":            "R_fake1",
		"name":               s.opts.Repo,
		"full_name":          full,
		"owner":              map[string]any{"login": s.opts.Owner},
		"private":            true,
		"html_url":           s.URL + "/" + full,
		"default_branch":     s.opts.DefaultBranch,
		"allow_merge_commit": true,
		"allow_squash_merge": true,
		"allow_rebase_merge": true,
		"allow_auto_merge":   !s.opts.DisallowAutoMerge,
	}
}

func (s *Server) prJSON(p *PR) map[string]any {
	full := s.opts.Owner + "/" + s.opts.Repo
	labels := make([]map[string]any, 0, len(p.Labels))
	for _, l := range p.Labels {
		labels = append(labels, map[string]any{"name": l})
	}
	users := make([]map[string]any, 0, len(p.Reviewers))
	for _, u := range p.Reviewers {
		users = append(users, map[string]any{"login": u})
	}
	teams := make([]map[string]any, 0, len(p.TeamReviewers))
	for _, t := range p.TeamReviewers {
		teams = append(teams, map[string]any{"slug": t, "name": t})
	}
	var autoMerge any
	if p.AutoMerge {
		autoMerge = map[string]any{"merge_method": strings.ToLower(p.MergeMethod), "enabled_by": map[string]any{"login": s.opts.Owner}}
	}
	repo := map[string]any{"full_name": full, "name": s.opts.Repo, "owner": map[string]any{"login": s.opts.Owner}}
	return map[string]any{
		"id":                  1000 + p.Number,
		"node_id":             p.NodeID,
		"number":              p.Number,
		"url":                 s.APIURL() + "repos/" + full + "/pulls/" + fmt.Sprint(p.Number),
		"html_url":            s.URL + "/" + full + "/pull/" + fmt.Sprint(p.Number),
		"state":               p.State,
		"title":               p.Title,
		"body":                p.Body,
		"draft":               p.Draft,
		"merged":              p.Merged,
		"merge_commit_sha":    nullable(p.MergeSHA),
		"labels":              labels,
		"requested_reviewers": users,
		"requested_teams":     teams,
		"auto_merge":          autoMerge,
		"user":                map[string]any{"login": s.opts.Owner},
		"head":                map[string]any{"ref": p.Head, "label": p.HeadOwner + ":" + p.Head, "user": map[string]any{"login": p.HeadOwner}, "repo": repo},
		"base":                map[string]any{"ref": p.Base, "label": s.opts.Owner + ":" + p.Base, "user": map[string]any{"login": s.opts.Owner}, "repo": repo},
	}
}

// pageURL rebuilds the request URL on the fake's own address with page replaced.
func (s *Server) pageURL(u *url.URL, page int) string {
	q := u.Query()
	q.Set("page", fmt.Sprint(page))
	return s.URL + u.Path + "?" + q.Encode()
}
