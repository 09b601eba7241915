package githubapp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/integration/fakegithub"
	"github.com/gito-dev/gito/internal/forge"
)

func newKey(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnv(t *testing.T) {
	t.Parallel()
	_, pemText := newKey(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "app.pem")
	if err := os.WriteFile(keyFile, []byte(pemText), 0o600); err != nil {
		t.Fatal(err)
	}
	notKey := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notKey, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string // "" = ok
		wantNil bool
	}{
		{"unset", nil, "", true},
		{"PEM file", map[string]string{IDEnv: "12", KeyEnv: keyFile}, "", false},
		{"PEM itself", map[string]string{IDEnv: "12", KeyEnv: pemText}, "", false},
		{"key without id", map[string]string{KeyEnv: keyFile}, "GITO_GITHUB_APP_KEY is set but GITO_GITHUB_APP_ID is not", false},
		{"id without key", map[string]string{IDEnv: "12"}, "GITO_GITHUB_APP_ID is set but GITO_GITHUB_APP_KEY is not", false},
		{"bad id", map[string]string{IDEnv: "twelve", KeyEnv: keyFile}, `GITO_GITHUB_APP_ID="twelve" is not a GitHub App ID`, false},
		{"missing file", map[string]string{IDEnv: "12", KeyEnv: filepath.Join(dir, "nope.pem")}, "GITO_GITHUB_APP_KEY: cannot read the private key file", false},
		{"not a key", map[string]string{IDEnv: "12", KeyEnv: notKey}, "GITO_GITHUB_APP_KEY does not hold an RSA private key", false},
	}
	for _, tt := range tests {
		app, err := FromEnv(envOf(tt.env))
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, forge.ErrAuth) {
				t.Errorf("%s: err = %v, want ErrAuth containing %q", tt.name, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("%s: the error shows the key", tt.name)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case (app == nil) != tt.wantNil:
			t.Errorf("%s: app = %v", tt.name, app)
		case app != nil && (app.ID != 12 || strings.Contains(app.String(), "PRIVATE")):
			t.Errorf("%s: app = %v", tt.name, app)
		}
	}
}

func fakeApp(t *testing.T, pub *rsa.PublicKey, ttl time.Duration) *fakegithub.Server {
	return fakegithub.New(t, fakegithub.Options{Owner: "acme", Repo: "infra", PathPrefix: "/api/v3",
		App: &fakegithub.App{ID: 12, PublicKey: pub, TokenTTL: ttl, TokenPrefix: "ghs_test"}})
}

func TestInstallationToken(t *testing.T) {
	t.Parallel()
	key, pemText := newKey(t)
	fake := fakeApp(t, &key.PublicKey, time.Hour)
	app, err := FromEnv(envOf(map[string]string{IDEnv: "12", KeyEnv: pemText}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	inst, err := app.Install(ctx, &http.Client{}, fake.APIURL(), "acme", "infra")
	if err != nil {
		t.Fatal(err)
	}
	if inst.ID != 4242 {
		t.Errorf("installation %d, want the fake's 4242", inst.ID)
	}
	tok, err := inst.Token(ctx)
	if err != nil || !strings.HasPrefix(tok, "ghs_test") || !fake.ValidAppToken(tok) {
		t.Fatalf("Token = %q, %v", tok, err)
	}
	again, _ := inst.Token(ctx)
	if again != tok || fake.IssuedTokens() != 1 {
		t.Errorf("a valid token is reused: got %q after %q, %d issued", again, tok, fake.IssuedTokens())
	}
	if ft := inst.ForgeToken(); ft.Value != "" || ft.Refresh == nil || strings.Contains(ft.String(), tok) {
		t.Errorf("ForgeToken = %#v", ft)
	}
}

// A token about to expire is replaced before use: ghinstallation renews one that has less than
// a minute left, so with a 30-second lifetime every request gets a fresh, valid token.
func TestInstallationTokenRefreshed(t *testing.T) {
	t.Parallel()
	key, pemText := newKey(t)
	fake := fakeApp(t, &key.PublicKey, 30*time.Second)
	app, _ := FromEnv(envOf(map[string]string{IDEnv: "12", KeyEnv: pemText}))
	ctx := context.Background()
	inst, err := app.Install(ctx, nil, fake.APIURL(), "acme", "infra")
	if err != nil {
		t.Fatal(err)
	}
	first, err1 := inst.Token(ctx)
	second, err2 := inst.Token(ctx)
	if err1 != nil || err2 != nil || first == second || !fake.ValidAppToken(second) || fake.IssuedTokens() != 2 {
		t.Errorf("tokens %q, %q (%v, %v), %d issued; want two valid, distinct tokens", first, second, err1, err2, fake.IssuedTokens())
	}
}

func TestInstallErrors(t *testing.T) {
	t.Parallel()
	key, pemText := newKey(t)
	_, otherPEM := newKey(t)
	fake := fakeApp(t, &key.PublicKey, time.Hour)
	ctx := context.Background()

	wrong, _ := FromEnv(envOf(map[string]string{IDEnv: "12", KeyEnv: otherPEM}))
	_, err := wrong.Install(ctx, nil, fake.APIURL(), "acme", "infra")
	if !errors.Is(err, forge.ErrAuth) || !strings.Contains(err.Error(), "401 A JSON web token could not be decoded: check GITO_GITHUB_APP_ID and that GITO_GITHUB_APP_KEY is this App's private key") {
		t.Errorf("wrong key: %v", err)
	}
	otherID, _ := FromEnv(envOf(map[string]string{IDEnv: "13", KeyEnv: pemText}))
	if _, err := otherID.Install(ctx, nil, fake.APIURL(), "acme", "infra"); !errors.Is(err, forge.ErrAuth) || !strings.Contains(err.Error(), "must be the App ID 12") {
		t.Errorf("wrong app id: %v", err)
	}
	right, _ := FromEnv(envOf(map[string]string{IDEnv: "12", KeyEnv: pemText}))
	if _, err := right.Install(ctx, nil, fake.APIURL(), "acme", "other"); !errors.Is(err, forge.ErrAuth) || !strings.Contains(err.Error(), "the App is not installed on acme/other") {
		t.Errorf("not installed: %v", err)
	}
	if fake.IssuedTokens() != 0 {
		t.Errorf("%d tokens issued to failed installs", fake.IssuedTokens())
	}
}
