package fakegithub_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"github.com/gito-dev/gito/integration/fakegithub"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func signJWT(t *testing.T, key *rsa.PrivateKey, iss string, iat, exp time.Time) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{
		Issuer: iss, IssuedAt: jwt.NewNumericDate(iat), ExpiresAt: jwt.NewNumericDate(exp),
	}).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The App routes verify the JWT with the App's public key; issued tokens work on the repo's
// routes until the fake's clock passes their expiry, and are refused after.
func TestAppTokens(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	c := &clock{now: time.Now()}
	s := fakegithub.New(t, fakegithub.Options{App: &fakegithub.App{ID: 7, PublicKey: &key.PublicKey, TokenTTL: time.Hour, Now: c.Now}})
	now := c.Now()
	good := signJWT(t, key, "7", now.Add(-30*time.Second), now.Add(2*time.Minute))

	for name, auth := range map[string]string{
		"no JWT":      "",
		"other key":   "Bearer " + signJWT(t, other, "7", now, now.Add(time.Minute)),
		"other app":   "Bearer " + signJWT(t, key, "8", now, now.Add(time.Minute)),
		"expired":     "Bearer " + signJWT(t, key, "7", now.Add(-5*time.Minute), now.Add(-time.Minute)),
		"too long":    "Bearer " + signJWT(t, key, "7", now, now.Add(11*time.Minute)),
		"static form": "token " + good,
	} {
		if r := do(t, "GET", s.URL+"/repos/acme/infra/installation", auth, ""); r.status != http.StatusUnauthorized {
			t.Errorf("%s: installation answered %d, want 401", name, r.status)
		}
	}
	r := do(t, "GET", s.URL+"/repos/acme/infra/installation", "Bearer "+good, "")
	var inst struct{ ID int64 }
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &inst) != nil || inst.ID != 4242 {
		t.Fatalf("installation: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", s.URL+"/repos/acme/other/installation", "Bearer "+good, ""); r.status != http.StatusNotFound {
		t.Errorf("another repo's installation: %d, want 404", r.status)
	}
	r = do(t, "POST", s.URL+"/app/installations/"+strconv.FormatInt(inst.ID, 10)+"/access_tokens", "Bearer "+good, "")
	var tok struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &tok) != nil || tok.Token == "" || tok.ExpiresAt.Sub(now) < 59*time.Minute {
		t.Fatalf("access_tokens: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", s.URL+"/repos/acme/infra/pulls", "Bearer "+good, ""); r.status != http.StatusUnauthorized {
		t.Errorf("the JWT itself is no API token: %d", r.status)
	}
	if r := do(t, "GET", s.URL+"/repos/acme/infra/pulls", "token "+tok.Token, ""); r.status != http.StatusOK {
		t.Errorf("installation token: %d %s", r.status, r.body)
	}
	if s.Writes() != 0 {
		t.Errorf("token requests count as %d writes", s.Writes())
	}
	c.Add(61 * time.Minute)
	if r := do(t, "GET", s.URL+"/repos/acme/infra/pulls", "token "+tok.Token, ""); r.status != http.StatusUnauthorized {
		t.Errorf("expired installation token: %d, want 401", r.status)
	}
	if s.ValidAppToken(tok.Token) || s.IssuedTokens() != 1 {
		t.Errorf("ValidAppToken after expiry = true or issued %d", s.IssuedTokens())
	}
}
