// Package fakeargocd is a stateful stand-in for the Argo CD API server's Application read,
// on a loopback port. It checks the bearer token and the path as Argo CD does, answers
// 401/403/404 with Argo CD's error bodies, and changes an Application's state only when the
// test says so, never on a timer. It is safe for concurrent use.
package fakeargocd

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// App is the state of one Application.
type App struct {
	SyncStatus string // Synced, OutOfSync, Unknown
	Revision   string // status.sync.revision
	Health     string // Healthy, Progressing, Degraded, …
	Message    string // status.health.message
	Forbidden  bool   // the token may not read it: 403
}

// Server is a running fake.
type Server struct {
	URL   string
	token string

	mu      sync.Mutex
	apps    map[string]App
	polls   map[string]int
	faults  []int         // statuses the next reads answer; 0 drops the connection
	changed chan struct{} // closed and replaced after every request
}

// Fail makes the next times reads answer status (a 500, a 429, a 401...) before anything
// else is looked at; status 0 drops the connection without an answer. times 0 clears the
// failures still queued.
func (s *Server) Fail(status, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if times == 0 {
		s.faults = nil
	}
	for range times {
		s.faults = append(s.faults, status)
	}
}

// New starts a fake that accepts token, and stops it when the test ends.
func New(t testing.TB, token string) *Server {
	t.Helper()
	s := &Server{token: token, apps: map[string]App{}, polls: map[string]int{}, changed: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// SetApp creates or replaces an Application's state.
func (s *Server) SetApp(name string, app App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[name] = app
}

// App returns an Application's state.
func (s *Server) App(name string) (App, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[name]
	return a, ok
}

// Polls counts the reads of an Application, answered or refused.
func (s *Server) Polls(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls[name]
}

// AwaitPolls blocks until the Application has been read at least n times, or ctx ends.
func (s *Server) AwaitPolls(ctx context.Context, name string, n int) error {
	for {
		s.mu.Lock()
		got, ch := s.polls[name], s.changed
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("fakeargocd: %s read %d times, want %d: %w", name, got, n, ctx.Err())
		case <-ch:
		}
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if status, ok := s.fault(r); ok {
		if status == 0 {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, body := rpcError(status, 14, http.StatusText(status))
		_ = json.NewEncoder(w).Encode(body)
		return
	}
	status, body := s.route(r)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// fault takes the next injected failure, counting the read as a poll.
func (s *Server) fault(r *http.Request) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return 0, false
	}
	status := s.faults[0]
	s.faults = s.faults[1:]
	if name, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/v1/applications/"); ok {
		if n, err := url.PathUnescape(name); err == nil {
			name = n
		}
		s.polls[name]++
	}
	close(s.changed)
	s.changed = make(chan struct{})
	return status, true
}

func (s *Server) route(r *http.Request) (int, any) {
	s.mu.Lock()
	defer func() {
		close(s.changed)
		s.changed = make(chan struct{})
		s.mu.Unlock()
	}()
	name, isApp := strings.CutPrefix(r.URL.EscapedPath(), "/api/v1/applications/")
	if isApp {
		if n, err := url.PathUnescape(name); err == nil {
			name = n
		}
		s.polls[name]++
	}
	// Argo CD authenticates before it routes.
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	switch {
	case tok == "":
		return rpcError(http.StatusUnauthorized, 16, "no session information")
	case !strings.EqualFold(scheme, "Bearer") || tok != s.token:
		return rpcError(http.StatusUnauthorized, 16, "invalid session: token signature is invalid")
	case r.Method != http.MethodGet || !isApp || name == "" || strings.Contains(name, "/"):
		return rpcError(http.StatusNotFound, 5, "Not Found")
	}
	app, ok := s.apps[name]
	switch {
	case !ok:
		return rpcError(http.StatusNotFound, 5, fmt.Sprintf("applications.argoproj.io %q not found", name))
	case app.Forbidden:
		return rpcError(http.StatusForbidden, 7, "permission denied")
	}
	return http.StatusOK, appJSON(name, app)
}

// rpcError is grpc-gateway's error body, as Argo CD's API answers it.
func rpcError(status, code int, msg string) (int, any) {
	return status, map[string]any{"error": msg, "code": code, "message": msg}
}

func appJSON(name string, a App) map[string]any {
	return map[string]any{
		"metadata": map[string]any{"name": name, "namespace": "argocd"},
		"spec":     map[string]any{"project": "default"},
		"status": map[string]any{
			"sync":   map[string]any{"status": a.SyncStatus, "revision": a.Revision},
			"health": map[string]any{"status": a.Health, "message": a.Message},
		},
	}
}
