package fakegithub

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// App makes the fake a GitHub App's world: GET /repos/{owner}/{repo}/installation and
// POST /app/installations/{id}/access_tokens take the App's JWT (RS256, verified with
// PublicKey, iss the App ID, at most 10 minutes long, not expired), and the installation
// tokens they issue are accepted on every other route until they expire.
type App struct {
	ID             int64
	PublicKey      *rsa.PublicKey
	InstallationID int64 // default 4242
	// TokenTTL is how long an installation token lives; default an hour, as on GitHub.
	TokenTTL time.Duration
	// TokenPrefix starts every issued token, so a test can look for tokens in output; the
	// rest is random. Default "ghs_".
	TokenPrefix string
	// Now is the fake's clock for issuing and expiring tokens; default time.Now.
	Now func() time.Time
}

type appState struct {
	opts App

	mu     sync.Mutex
	tokens map[string]time.Time // token -> expiry
	issued int
	jwts   int // requests that carried a valid JWT
}

func newAppState(opts *App) *appState {
	if opts == nil {
		return nil
	}
	a := &appState{opts: *opts, tokens: map[string]time.Time{}}
	if a.opts.InstallationID == 0 {
		a.opts.InstallationID = 4242
	}
	if a.opts.TokenTTL <= 0 {
		a.opts.TokenTTL = time.Hour
	}
	if a.opts.TokenPrefix == "" {
		a.opts.TokenPrefix = "ghs_"
	}
	if a.opts.Now == nil {
		a.opts.Now = time.Now
	}
	return a
}

// IssuedTokens counts the installation tokens the fake has handed out.
func (s *Server) IssuedTokens() int {
	if s.app == nil {
		return 0
	}
	s.app.mu.Lock()
	defer s.app.mu.Unlock()
	return s.app.issued
}

// ValidAppToken reports whether tok is an installation token the fake issued and that has
// not expired; the harness's git server asks it.
func (s *Server) ValidAppToken(tok string) bool { return s.app.valid(tok) }

func (a *appState) valid(tok string) bool {
	if a == nil || tok == "" {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	exp, ok := a.tokens[tok]
	return ok && a.opts.Now().Before(exp)
}

// isAppPath: the routes authenticated by the App's JWT, not by a token.
func (s *Server) isAppPath(p string) bool {
	if s.app == nil {
		return false
	}
	rest, ok := strings.CutPrefix(p, s.opts.PathPrefix+"/")
	if !ok {
		return false
	}
	if strings.HasPrefix(rest, "app/") {
		return true
	}
	parts := strings.Split(rest, "/")
	return len(parts) == 4 && parts[0] == "repos" && parts[3] == "installation"
}

// appRouteLocked answers the App's routes; ok is false for any other path.
func (s *Server) appRouteLocked(r *http.Request) (rep reply, ok bool) {
	if !s.isAppPath(r.URL.Path) {
		return reply{}, false
	}
	if msg := s.app.verifyJWT(r.Header.Get("Authorization")); msg != "" {
		return message(http.StatusUnauthorized, msg), true
	}
	rest := strings.TrimPrefix(r.URL.Path, s.opts.PathPrefix+"/")
	parts := strings.Split(rest, "/")
	switch {
	case r.Method == http.MethodGet && parts[0] == "repos":
		if !strings.EqualFold(parts[1], s.opts.Owner) || !strings.EqualFold(parts[2], s.opts.Repo) {
			return message(http.StatusNotFound, "Not Found"), true
		}
		return jsonReply(http.StatusOK, map[string]any{
			"id": s.app.opts.InstallationID, "app_id": s.app.opts.ID, "target_type": "Organization",
			"account": map[string]any{"login": s.opts.Owner},
		}), true
	case r.Method == http.MethodPost && len(parts) == 4 && parts[1] == "installations" && parts[3] == "access_tokens":
		if parts[2] != strconv.FormatInt(s.app.opts.InstallationID, 10) {
			return message(http.StatusNotFound, "Not Found"), true
		}
		tok, exp := s.app.issue()
		return jsonReply(http.StatusCreated, map[string]any{
			"token": tok, "expires_at": exp.UTC().Format(time.RFC3339),
			"permissions": map[string]string{"contents": "write", "pull_requests": "write"}, "repository_selection": "selected",
		}), true
	}
	return message(http.StatusNotFound, "Not Found"), true
}

func (a *appState) issue() (string, time.Time) {
	buf := make([]byte, 16)
	_, _ = rand.Read(buf)
	tok := a.opts.TokenPrefix + hex.EncodeToString(buf)
	a.mu.Lock()
	defer a.mu.Unlock()
	exp := a.opts.Now().Add(a.opts.TokenTTL)
	a.tokens[tok] = exp
	a.issued++
	return tok, exp
}

// verifyJWT checks the App's JWT as GitHub does and returns GitHub's complaint, or "".
func (a *appState) verifyJWT(header string) string {
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || raw == "" {
		return "A JSON web token could not be decoded"
	}
	now := a.opts.Now()
	claims := &jwt.RegisteredClaims{}
	parser := jwt.Parser{ValidMethods: []string{"RS256"}, SkipClaimsValidation: true}
	_, err := parser.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return a.opts.PublicKey, nil })
	switch {
	case err != nil:
		return "A JSON web token could not be decoded"
	case claims.Issuer != strconv.FormatInt(a.opts.ID, 10):
		return fmt.Sprintf("'Issuer' claim ('iss') must be the App ID %d", a.opts.ID)
	case claims.ExpiresAt == nil || claims.IssuedAt == nil:
		return "'Expiration time' claim ('exp') and 'Issued at' claim ('iat') are required"
	case !now.Before(claims.ExpiresAt.Time):
		return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
	case claims.IssuedAt.Time.After(now.Add(time.Minute)):
		return "'Issued at' claim ('iat') must be an Integer representing a time in the past"
	case claims.ExpiresAt.Time.Sub(claims.IssuedAt.Time) > 10*time.Minute:
		return "'Expiration time' claim ('exp') is too far in the future"
	}
	a.mu.Lock()
	a.jwts++
	a.mu.Unlock()
	return ""
}
