// Package ociregistry runs go-containerregistry's in-memory OCI distribution server on
// 127.0.0.1 for tests, with optional basic auth in front of it and injectable failures, and
// pushes random images and indexes into it.
package ociregistry

import (
	"crypto/subtle"
	"encoding/base64"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Options configures Start.
type Options struct {
	// User and Password, when set, are required as HTTP basic auth on every request.
	User, Password string
}

// Server is a running registry.
type Server struct {
	// Host is "127.0.0.1:PORT", the registry part of an image name.
	Host string

	srv  *httptest.Server
	opts Options

	mu       sync.Mutex
	faults   []fault
	requests int
	refused  int
}

type fault struct {
	status     int
	retryAfter string
}

// Start serves a registry until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{opts: opts}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	s.srv = httptest.NewServer(s.wrap(reg))
	t.Cleanup(s.srv.Close)
	s.Host = strings.TrimPrefix(s.srv.URL, "http://")
	return s
}

// Close stops the server: later requests find nothing listening.
func (s *Server) Close() { s.srv.Close() }

// Fail makes the next times requests answer status (with Retry-After when given).
func (s *Server) Fail(status, times int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range times {
		s.faults = append(s.faults, fault{status: status, retryAfter: retryAfter})
	}
}

// Requests counts the requests served, failures and refusals included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Refused counts requests that failed basic auth.
func (s *Server) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

func (s *Server) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests++
		var f *fault
		if len(s.faults) > 0 {
			f = &s.faults[0]
			s.faults = s.faults[1:]
		}
		s.mu.Unlock()
		if f != nil {
			if f.retryAfter != "" {
				w.Header().Set("Retry-After", f.retryAfter)
			}
			http.Error(w, http.StatusText(f.status), f.status)
			return
		}
		if s.opts.User != "" && !s.authorized(r) {
			s.mu.Lock()
			s.refused++
			s.mu.Unlock()
			w.Header().Set("WWW-Authenticate", `Basic realm="test registry"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(user), []byte(s.opts.User)) == 1 &&
		subtle.ConstantTimeCompare([]byte(pass), []byte(s.opts.Password)) == 1
}

func (s *Server) pushOptions() []remote.Option {
	auth := authn.Anonymous
	if s.opts.User != "" {
		auth = &authn.Basic{Username: s.opts.User, Password: s.opts.Password}
	}
	return []remote.Option{remote.WithAuth(auth)}
}

// Push writes a random single-platform image as repo:tag ("team/api", "v1") and returns its
// manifest digest.
func (s *Server) Push(t testing.TB, repo, tag string) string {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref := s.tag(t, repo, tag)
	if err := remote.Write(ref, img, s.pushOptions()...); err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// PushIndex writes a random multi-platform index of n images as repo:tag and returns the
// index's digest.
func (s *Server) PushIndex(t testing.TB, repo, tag string, n int) string {
	t.Helper()
	idx, err := random.Index(256, 1, int64(n))
	if err != nil {
		t.Fatal(err)
	}
	ref := s.tag(t, repo, tag)
	if err := remote.WriteIndex(ref, idx, s.pushOptions()...); err != nil {
		t.Fatalf("push index %s: %v", ref, err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// Image is the full name of repo in this registry.
func (s *Server) Image(repo string) string { return s.Host + "/" + repo }

func (s *Server) tag(t testing.TB, repo, tag string) name.Tag {
	ref, err := name.NewTag(s.Image(repo) + ":" + tag)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// DockerConfig is a config.json body holding the given credentials for this registry.
func (s *Server) DockerConfig(user, password string) string {
	return `{"auths":{"` + s.Host + `":{"auth":"` + basic(user, password) + `"}}}` + "\n"
}

func basic(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}
