package gitserver

import (
	"crypto/subtle"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Server is a smart-HTTP git server on 127.0.0.1 that records every request.
type Server struct {
	// URL is the server's base; a repository at <bareRoot>/infra.git is <URL>/infra.git.
	URL string

	backend http.Handler
	allow   func(password string) bool

	mu       sync.Mutex
	requests []Request
}

// Request is what the server saw of one request.
type Request struct {
	Method string
	URI    string      // path and query, as sent
	User   string      // basic-auth user name, "" without credentials
	Header http.Header // as sent, Authorization included
	Status int         // 401 when refused; 0 when passed to git http-backend
}

// Requests returns the requests served so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ServeHTTP serves every repository under bareRoot through `git http-backend`, pushes
// included. With a token, each request needs HTTP basic auth whose password is the token
// (any user name); others get 401 and a WWW-Authenticate challenge.
func ServeHTTP(tb testing.TB, bareRoot, token string) *Server {
	tb.Helper()
	var allow func(string) bool
	if token != "" {
		allow = func(pass string) bool { return subtle.ConstantTimeCompare([]byte(pass), []byte(token)) == 1 }
	}
	s := NewHandler(tb, bareRoot, allow)
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// NewHandler is ServeHTTP without a listener, for a test server that serves git beside an
// API on one host. allow decides which basic-auth passwords pass; nil lets every request in.
// URL is left for the caller to set.
func NewHandler(tb testing.TB, bareRoot string, allow func(password string) bool) *Server {
	tb.Helper()
	gitPath, err := exec.LookPath("git")
	if err != nil {
		tb.Fatalf("git not found: %v", err)
	}
	root, err := filepath.Abs(bareRoot)
	if err != nil {
		tb.Fatal(err)
	}
	home := tb.TempDir()
	s := &Server{}
	s.backend = &cgi.Handler{
		Path: gitPath,
		Args: []string{"http-backend"},
		Dir:  root,
		Env: []string{
			"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "HOME=" + home, "GIT_CONFIG_NOSYSTEM=1",
			"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.receivepack", "GIT_CONFIG_VALUE_0=true",
		},
	}
	s.allow = allow
	return s
}

// ServeHTTP checks the credentials, records the request and hands it to git http-backend.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	rec := Request{Method: r.Method, URI: r.RequestURI, User: user, Header: r.Header.Clone()}
	refused := s.allow != nil && (!ok || !s.allow(pass))
	if refused {
		rec.Status = http.StatusUnauthorized
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
	if refused {
		w.Header().Set("WWW-Authenticate", `Basic realm="gitserver"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return
	}
	s.backend.ServeHTTP(w, r)
}
