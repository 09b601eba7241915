package giteaserver

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is one running Gitea, fresh from the template, behind a proxy on 127.0.0.1.
type Server struct {
	// URL is the server's root as users and gito see it, e.g. http://127.0.0.1:PORT or, with a
	// prefix, http://127.0.0.1:PORT/gitea.
	URL string
	// Startup is how long copying the template and starting `gitea web` took.
	Startup time.Duration

	in     instance
	token  string
	prefix string

	mu     sync.Mutex
	writes int
	faults []*fault
	gets   map[string]int // API GETs through the proxy, by path below /api/v1
	notify chan struct{}  // closed after the next API request
}

type fault struct {
	method, path string // path segments may be "*"
	status       int
	header       http.Header
	left         int
}

// Start copies the template and starts Gitea with ROOT_URL under prefix ("" or "/gitea"); the
// proxy strips the prefix, as a reverse proxy in front of a Gitea under a sub-path does. It
// stops when the test ends.
func (tpl *Template) Start(t testing.TB, prefix string) *Server {
	t.Helper()
	began := time.Now()
	prefix = "/" + strings.Trim(prefix, "/")
	if prefix == "/" {
		prefix = ""
	}
	s := &Server{in: instance{dir: shortTempDir(t), bin: tpl.in.bin, static: tpl.in.static}, token: tpl.token, prefix: prefix}
	if err := copyDir(tpl.in.dir, s.in.dir); err != nil {
		t.Fatalf("gitea: copy template: %v", err)
	}
	proxy := httptest.NewServer(http.HandlerFunc(s.serveProxy))
	t.Cleanup(proxy.Close)
	s.URL = proxy.URL + prefix
	if err := s.in.writeConfig(s.URL + "/"); err != nil {
		t.Fatal(err)
	}
	if err := s.in.start(context.Background()); err != nil {
		t.Fatalf("gitea: %v", err)
	}
	t.Cleanup(func() {
		if err := s.in.stop(); err != nil {
			t.Errorf("gitea: stop: %v", err)
		}
	})
	s.Startup = time.Since(began)
	return s
}

// Token is the bot's access token (all scopes).
func (s *Server) Token() string { return s.token }

// APIURL is the REST root gito's forge.apiURL takes.
func (s *Server) APIURL() string { return s.URL + "/api/v1" }

// RepoDir is the bare repository Gitea keeps for owner/repo, for tests to read.
func (s *Server) RepoDir(owner, repo string) string {
	return filepath.Join(s.in.repoRoot(), strings.ToLower(owner), strings.ToLower(repo)+".git")
}

// GitURL is the clone URL of owner/repo, without credentials.
func (s *Server) GitURL(owner, repo string) string { return s.URL + "/" + owner + "/" + repo + ".git" }

// PushURL carries the bot's token, for the harness's own pushes (never given to gito).
func (s *Server) PushURL(owner, repo string) string {
	u, _ := url.Parse(s.GitURL(owner, repo))
	u.User = url.UserPassword(Bot, s.token)
	return u.String()
}

// API calls Gitea directly (not through the proxy, so it counts no write) as the bot.
func (s *Server) API(ctx context.Context, method, path string, body, out any) error {
	return apiClient{in: &s.in, token: s.token}.do(ctx, method, path, body, out)
}

// CreateRepo creates an empty private repository owned by the organization (org true) or
// by the bot.
func (s *Server) CreateRepo(ctx context.Context, owner, name string, org bool) error {
	path := "/user/repos"
	if org {
		path = "/orgs/" + owner + "/repos"
	}
	return s.API(ctx, "POST", path, map[string]any{"name": name, "private": true, "default_branch": "main"}, nil)
}

// WaitPullsReady waits until the PR routes of owner/repo answer 200. Right after the first
// push into an empty repository they answer 404 for a while: Gitea marks the repository
// non-empty asynchronously.
func (s *Server) WaitPullsReady(ctx context.Context, owner, repo string) error {
	path := fmt.Sprintf("/repos/%s/%s/pulls", owner, repo)
	return s.in.poll(ctx, 60*time.Second, func() (bool, error) {
		err := s.API(ctx, "GET", path, nil, nil)
		if apiErr, ok := err.(*APIError); ok && apiErr.Status == http.StatusNotFound {
			return false, nil
		}
		return err == nil, err
	})
}

// Writes counts the non-GET API requests that came through the proxy, failed ones included.
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// FailNext makes the next `times` API requests matching method and path (below /api/v1;
// "*" matches one segment) answer status with header, without reaching Gitea.
func (s *Server) FailNext(method, path string, status int, header map[string]string, times int) {
	h := http.Header{}
	for k, v := range header {
		h.Set(k, v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, path: path, status: status, header: h, left: times})
}

func (s *Server) serveProxy(w http.ResponseWriter, r *http.Request) {
	p, ok := strings.CutPrefix(r.URL.Path, s.prefix)
	if !ok || (p != "" && !strings.HasPrefix(p, "/")) {
		http.NotFound(w, r)
		return
	}
	if apiPath, isAPI := strings.CutPrefix(p, "/api/v1"); isAPI {
		s.mu.Lock()
		if r.Method != http.MethodGet {
			s.writes++
		} else {
			if s.gets == nil {
				s.gets = map[string]int{}
			}
			s.gets[apiPath]++
		}
		if s.notify != nil {
			close(s.notify)
			s.notify = nil
		}
		f := s.takeFaultLocked(r.Method, apiPath)
		s.mu.Unlock()
		if f != nil {
			for k, v := range f.header {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Type", "application/json;charset=utf-8")
			w.WriteHeader(f.status)
			fmt.Fprintf(w, `{"message":"injected %d %s","url":"%s/api/swagger"}`+"\n", f.status, http.StatusText(f.status), s.URL)
			return
		}
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = "http"
			pr.Out.URL.Host = "gitea"
			pr.Out.URL.Path = p
			pr.Out.URL.RawPath = ""
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
		},
		Transport: s.in.client.Transport,
	}
	rp.ServeHTTP(w, r)
}

func (s *Server) takeFaultLocked(method, path string) *fault {
	for _, f := range s.faults {
		if f.left > 0 && f.method == method && segmentsMatch(f.path, path) {
			f.left--
			return f
		}
	}
	return nil
}

func segmentsMatch(pattern, path string) bool {
	ps, xs := strings.Split(strings.Trim(pattern, "/"), "/"), strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if ps[i] != "*" && ps[i] != xs[i] {
			return false
		}
	}
	return true
}

// PR is what the tests compare of a Gitea pull request.
type PR struct {
	Number    int
	State     string // open, closed or merged
	Head      string
	Base      string
	Draft     bool
	AutoMerge bool // scheduled to merge when checks succeed (and not cancelled), or merged so
	Title     string
	Body      string
	Labels    []string
	Reviewers []string // users, and teams as org/team
}

// PRs lists every pull request of owner/repo, lowest number first.
func (s *Server) PRs(ctx context.Context, owner, repo string) ([]PR, error) {
	type apiPR struct {
		Number int    `json:"number"`
		State  string `json:"state"`
		Merged bool   `json:"merged"`
		Title  string `json:"title"`
		Body   string `json:"body"`
		Draft  bool   `json:"draft"`
		Head   struct{ Ref string }
		Base   struct{ Ref string }
		Labels []struct{ Name string }
		Users  []struct {
			Login string `json:"login"`
		} `json:"requested_reviewers"`
	}
	var all []apiPR
	for page := 1; ; page++ {
		var prs []apiPR
		if err := s.API(ctx, "GET", fmt.Sprintf("/repos/%s/%s/pulls?state=all&sort=oldest&limit=50&page=%d", owner, repo, page), nil, &prs); err != nil {
			return nil, err
		}
		all = append(all, prs...)
		if len(prs) < 50 {
			break
		}
	}
	out := make([]PR, 0, len(all))
	for _, p := range all {
		pr := PR{Number: p.Number, State: p.State, Head: p.Head.Ref, Base: p.Base.Ref, Draft: p.Draft, Title: p.Title, Body: p.Body}
		if p.Merged {
			pr.State = "merged"
		}
		for _, l := range p.Labels {
			pr.Labels = append(pr.Labels, l.Name)
		}
		for _, u := range p.Users {
			pr.Reviewers = append(pr.Reviewers, u.Login)
		}
		teams, err := s.teamReviewers(ctx, owner, repo, p.Number)
		if err != nil {
			return nil, err
		}
		pr.Reviewers = append(pr.Reviewers, teams...)
		scheduled, err := s.autoMergeScheduled(ctx, owner, repo, p.Number)
		if err != nil {
			return nil, err
		}
		pr.AutoMerge = scheduled || p.Merged
		out = append(out, pr)
	}
	slices.SortFunc(out, func(a, b PR) int { return a.Number - b.Number })
	return out, nil
}

// teamReviewers are the teams asked to review PR number, as org/team. Only the single-PR
// route says: Gitea's list leaves requested_reviewers_teams empty.
func (s *Server) teamReviewers(ctx context.Context, owner, repo string, number int) ([]string, error) {
	var pr struct {
		Teams []struct{ Name string } `json:"requested_reviewers_teams"`
	}
	if err := s.API(ctx, "GET", fmt.Sprintf("/repos/%s/%s/pulls/%d", owner, repo, number), nil, &pr); err != nil {
		return nil, err
	}
	var out []string
	for _, t := range pr.Teams {
		out = append(out, owner+"/"+t.Name)
	}
	return out, nil
}

// autoMergeScheduled reads the PR's timeline: the last of "scheduled" and "cancelled" wins.
func (s *Server) autoMergeScheduled(ctx context.Context, owner, repo string, number int) (bool, error) {
	var events []struct {
		Type string `json:"type"`
	}
	if err := s.API(ctx, "GET", fmt.Sprintf("/repos/%s/%s/issues/%d/timeline?limit=50", owner, repo, number), nil, &events); err != nil {
		return false, err
	}
	scheduled := false
	for _, e := range events {
		switch e.Type {
		case "pull_scheduled_merge":
			scheduled = true
		case "pull_cancel_scheduled_merge":
			scheduled = false
		}
	}
	return scheduled, nil
}

// RequireStatusCheck protects branch of owner/repo so a merge waits for a "ci" status: an
// auto-merge is then scheduled rather than done at once.
func (s *Server) RequireStatusCheck(ctx context.Context, owner, repo, branch string) error {
	return s.API(ctx, "POST", fmt.Sprintf("/repos/%s/%s/branch_protections", owner, repo), map[string]any{
		"rule_name": branch, "enable_push": true, "enable_status_check": true, "status_check_contexts": []string{"ci"},
	}, nil)
}

// CreateLabel adds a label to the repository itself (not the organization's).
func (s *Server) CreateLabel(ctx context.Context, owner, repo, name string) (int64, error) {
	var l struct{ ID int64 }
	err := s.API(ctx, "POST", fmt.Sprintf("/repos/%s/%s/labels", owner, repo), map[string]any{"name": name, "color": "#00aabb"}, &l)
	return l.ID, err
}

// AwaitGets blocks until the API path (below /api/v1) has been read count times through the
// proxy, or ctx ends.
func (s *Server) AwaitGets(ctx context.Context, path string, count int) error {
	for {
		s.mu.Lock()
		if s.gets[path] >= count {
			s.mu.Unlock()
			return nil
		}
		if s.notify == nil {
			s.notify = make(chan struct{})
		}
		ch := s.notify
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			s.mu.Lock()
			got := s.gets[path]
			s.mu.Unlock()
			return fmt.Errorf("gitea: %s read %d times, want %d: %w", path, got, count, ctx.Err())
		}
	}
}
