// Package fakegitlab is a stateful fake of the slice of the GitLab REST API (v4) that gito
// uses, served by httptest on 127.0.0.1. It enforces what a real GitLab enforces and a forge
// client can get wrong: token headers, URL-encoded project paths, required fields, the
// one-open-MR-per-branch rule, pagination headers, and rate limits injected with FailNext.
package fakegitlab

import (
	"crypto/subtle"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"testing"
)

// Default credentials, accepted unless Options names others.
const (
	DefaultPrivateToken = "glpat-fake-private-token"
	DefaultJobToken     = "glcbt-fake-job-token"
	DefaultOAuthToken   = "fake-oauth-access-token"
)

// Options configures a Server. The zero value serves one project, group/sub/infra (ID 42,
// default branch main), and the users alice, bob and carol.
type Options struct {
	// PathPrefix puts GitLab under a relative URL root, e.g. "/gitlab" serves /gitlab/api/v4.
	PathPrefix string
	// PrivateToken is accepted in the PRIVATE-TOKEN header (personal, project, group tokens).
	PrivateToken string
	// JobToken is accepted in the JOB-TOKEN header.
	JobToken string
	// OAuthToken is accepted as "Authorization: Bearer".
	OAuthToken string
	// JobTokenMergeRequests lets the job token use the project and merge request endpoints.
	// Real GitLab refuses CI_JOB_TOKEN there (401), which is the default here.
	JobTokenMergeRequests bool
	// Projects replaces the default project.
	Projects []Project
	// Users replaces the default users.
	Users []User
	// MaxPerPage caps per_page like GitLab's limit of 100; set it low to force pagination.
	MaxPerPage int
	// NoPipeline makes auto-merge merge at once, as GitLab does when no pipeline is running.
	NoPipeline bool
}

// Project is a GitLab project.
type Project struct {
	ID            int
	Path          string // full path, "group/sub/infra"
	DefaultBranch string
}

// User is a GitLab user.
type User struct {
	ID       int
	Username string
}

// Request is one request as the fake received it. Token values are never kept: Auth names
// the header that carried one and AuthOK says whether it was accepted.
type Request struct {
	Method string
	Path   string // escaped, as sent: "/gitlab/api/v4/projects/group%2Fsub%2Finfra"
	Query  string // raw query
	Body   string
	Auth   string // "private-token", "job-token", "bearer" or ""
	AuthOK bool
	Status int // what the fake answered
}

// Server is a running fake. URL is the server root; APIURL and WebURL add the path prefix.
type Server struct {
	URL  string
	opts Options
	srv  *httptest.Server

	mu      sync.Mutex
	reqs    []Request
	writes  int
	fails   []*failure
	mrs     []*MR // in creation order
	nextMR  int   // instance-wide MR id
	nextIID map[int]int
	notify  chan struct{} // closed after the next request; see AwaitRequests
}

type failure struct {
	method, pattern string
	status          int
	header          map[string]string
	left            int
}

// New starts a fake that stops when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.PrivateToken == "" {
		opts.PrivateToken = DefaultPrivateToken
	}
	if opts.JobToken == "" {
		opts.JobToken = DefaultJobToken
	}
	if opts.OAuthToken == "" {
		opts.OAuthToken = DefaultOAuthToken
	}
	if len(opts.Projects) == 0 {
		opts.Projects = []Project{{ID: 42, Path: "group/sub/infra", DefaultBranch: "main"}}
	}
	if len(opts.Users) == 0 {
		opts.Users = []User{{ID: 101, Username: "alice"}, {ID: 102, Username: "bob"}, {ID: 103, Username: "carol"}}
	}
	if opts.MaxPerPage <= 0 {
		opts.MaxPerPage = 100
	}
	opts.PathPrefix = "/" + strings.Trim(opts.PathPrefix, "/")
	if opts.PathPrefix == "/" {
		opts.PathPrefix = ""
	}
	s := &Server{opts: opts, nextIID: map[int]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL
	return s
}

// APIURL is the REST root, e.g. http://127.0.0.1:PORT/gitlab/api/v4, as forge.apiURL takes it.
func (s *Server) APIURL() string { return s.WebURL() + "/api/v4" }

// WebURL is where a browser would find GitLab, e.g. http://127.0.0.1:PORT/gitlab.
func (s *Server) WebURL() string { return s.URL + s.opts.PathPrefix }

// Client is an *http.Client for the fake.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// FailNext makes the next `times` requests matching method ("" or "*" for any) and
// pathPattern fail with status and headers, before auth or state are touched, as a proxy or
// GitLab's rate limiter would. pathPattern is a path.Match glob on the escaped path, with or
// without the prefix and /api/v4: "/projects/*/merge_requests" matches
// "/gitlab/api/v4/projects/group%2Fsub%2Finfra/merge_requests". Rules are used in order.
// Status 0 closes the connection without an answer, as a server dying mid-request does.
func (s *Server) FailNext(method, pathPattern string, status int, headers map[string]string, times int) {
	if _, err := path.Match(pathPattern, ""); err != nil {
		panic(fmt.Sprintf("fakegitlab: FailNext pattern %q: %v", pathPattern, err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails = append(s.fails, &failure{method: method, pattern: pathPattern, status: status, header: maps.Clone(headers), left: times})
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Writes counts the non-GET requests received, failed ones included.
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// MRs returns a copy of every merge request, in creation order.
func (s *Server) MRs() []MR {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]MR, 0, len(s.mrs))
	for _, m := range s.mrs {
		out = append(out, m.clone())
	}
	return out
}

// AddMR stores a merge request as if someone had opened it, filling in ID, IID, state
// ("opened" unless set) and the source project (the target unless set). It returns the copy stored.
func (s *Server) AddMR(m MR) MR {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.ProjectID == 0 {
		m.ProjectID = s.opts.Projects[0].ID
	}
	if m.SourceProjectID == 0 {
		m.SourceProjectID = m.ProjectID
	}
	if m.State == "" {
		m.State = "opened"
	}
	stored := s.insertMR(m)
	return stored.clone()
}

func (s *Server) insertMR(m MR) *MR {
	s.nextMR++
	s.nextIID[m.ProjectID]++
	m.ID = s.nextMR
	m.IID = s.nextIID[m.ProjectID]
	m.PipelineRunning = !s.opts.NoPipeline
	stored := m.clone()
	s.mrs = append(s.mrs, &stored)
	return &stored
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := readBody(r)
	escaped := r.URL.EscapedPath()
	rel, underAPI := strings.CutPrefix(escaped, s.opts.PathPrefix+"/api/v4")
	underAPI = underAPI && (rel == "" || strings.HasPrefix(rel, "/"))
	rec := Request{Method: r.Method, Path: escaped, Query: r.URL.RawQuery, Body: string(body), Auth: authKind(r)}
	rec.AuthOK = underAPI && s.authorized(r, rel)
	if f := s.takeFailure(r.Method, escaped, rel); f != nil {
		if f.status == 0 { // the server dies mid-request: the connection closes unanswered
			rec.Status = 0
			s.mu.Lock()
			s.reqs = append(s.reqs, rec)
			s.notifyLocked()
			if rec.Method != http.MethodGet {
				s.writes++
			}
			s.mu.Unlock()
			panic(http.ErrAbortHandler)
		}
		h := http.Header{}
		for k, v := range f.header {
			h.Set(k, v)
		}
		s.finish(w, &rec, f.status, h, map[string]any{"message": fmt.Sprintf("%d %s", f.status, http.StatusText(f.status))})
		return
	}
	if !underAPI {
		s.finish(w, &rec, http.StatusNotFound, nil, map[string]any{"error": "404 Not Found"})
		return
	}
	if !rec.AuthOK {
		s.finish(w, &rec, http.StatusUnauthorized, nil, map[string]any{"message": "401 Unauthorized"})
		return
	}
	status, header, resp := s.route(r.Method, rel, r.URL.Query(), body, r.Header.Get("Content-Type"))
	s.finish(w, &rec, status, header, resp)
}

func (s *Server) finish(w http.ResponseWriter, rec *Request, status int, header http.Header, resp any) {
	rec.Status = status
	s.mu.Lock()
	s.reqs = append(s.reqs, *rec)
	s.notifyLocked()
	if rec.Method != http.MethodGet {
		s.writes++
	}
	s.mu.Unlock()
	writeJSON(w, status, header, resp)
}

func (s *Server) takeFailure(method, escaped, rel string) *failure {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.fails {
		if f.method != "" && f.method != "*" && f.method != method {
			continue
		}
		full, _ := path.Match(f.pattern, escaped)
		short, _ := path.Match(f.pattern, rel)
		if !full && !short {
			continue
		}
		f.left--
		if f.left <= 0 {
			s.fails = append(s.fails[:i], s.fails[i+1:]...)
		}
		return f
	}
	return nil
}

func authKind(r *http.Request) string {
	switch {
	case r.Header.Get("PRIVATE-TOKEN") != "":
		return "private-token"
	case r.Header.Get("JOB-TOKEN") != "":
		return "job-token"
	case strings.HasPrefix(r.Header.Get("Authorization"), "Bearer "):
		return "bearer"
	}
	return ""
}

// authorized checks the one credential a request carries, as GitLab does.
func (s *Server) authorized(r *http.Request, rel string) bool {
	if v := r.Header.Get("PRIVATE-TOKEN"); v != "" {
		return equal(v, s.opts.PrivateToken)
	}
	if v := r.Header.Get("JOB-TOKEN"); v != "" {
		return equal(v, s.opts.JobToken) && s.opts.JobTokenMergeRequests && strings.HasPrefix(rel, "/projects/")
	}
	if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return equal(v, s.opts.OAuthToken)
	}
	return false
}

func equal(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
