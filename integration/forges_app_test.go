package integration

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gito-dev/gito/integration/fakegithub"
	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// ---- GitHub with App auth ----

// githubAppFake is the fake GitHub Enterprise with gito running as a GitHub App: no token
// variable, only GITO_GITHUB_APP_ID and GITO_GITHUB_APP_KEY. Installation tokens live two
// minutes, so a script outlives several and the client renews them (a minute ahead); git gets
// the one current when the run starts.
type githubAppFake struct {
	githubFake
	keyFile, wrongKeyFile string
	git                   *swappable
}

const (
	appID          = "12"
	appTokenPrefix = "ghs_gitoAppInstall"
)

func newGitHubAppFake(t testing.TB, prefix string) *githubAppFake {
	if prefix == "" {
		prefix = "/api/v3" // the remote's host must also serve the API: GHES lays it out so
	}
	dir := t.TempDir()
	key := writeRSAKey(t, filepath.Join(dir, "app.pem"))
	writeRSAKey(t, filepath.Join(dir, "other.pem"))
	sw := &swappable{}
	s := fakegithub.New(t, fakegithub.Options{Owner: "acme", Repo: "infra", PathPrefix: prefix, PerPage: 2, Fallback: sw,
		App: &fakegithub.App{ID: 12, PublicKey: &key.PublicKey, TokenTTL: 2 * time.Minute, TokenPrefix: appTokenPrefix}})
	return &githubAppFake{githubFake: githubFake{s: s}, keyFile: filepath.Join(dir, "app.pem"), wrongKeyFile: filepath.Join(dir, "other.pem"), git: sw}
}

func writeRSAKey(t testing.TB, path string) *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return key
}

func (g *githubAppFake) tokenEnv() string  { return "GITO_GITHUB_APP_KEY" }
func (g *githubAppFake) goodToken() string { return g.keyFile }
func (g *githubAppFake) secret() string    { return appTokenPrefix }
func (g *githubAppFake) badToken() string  { return g.wrongKeyFile }
func (g *githubAppFake) env() map[string]string {
	return map[string]string{"GITO_GITHUB_APP_ID": appID}
}

// gitHost serves git on the forge's own host, as github.com and GHES do.
type gitHost interface {
	// serveGit serves the bare repositories under root at <URL>/acme/ and returns that URL.
	serveGit(t testing.TB, root string) string
}

// serveGit lets git in with an installation token the fake issued and that has not expired.
func (g *githubAppFake) serveGit(t testing.TB, root string) string {
	h := gitserver.NewHandler(t, root, g.s.ValidAppToken)
	g.git.set(http.StripPrefix("/acme", h))
	return g.s.URL + "/acme"
}

// swappable is a handler set after the server started.
type swappable struct {
	mu sync.Mutex
	h  http.Handler
}

func (s *swappable) set(h http.Handler) { s.mu.Lock(); s.h = h; s.mu.Unlock() }

func (s *swappable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.h
	s.mu.Unlock()
	if h == nil || !strings.HasPrefix(r.URL.Path, "/acme/") {
		http.NotFound(w, r)
		return
	}
	h.ServeHTTP(w, r)
}
