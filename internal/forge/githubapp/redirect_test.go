package githubapp

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/forge/github"
	"github.com/gito-dev/gito/internal/testutil/credwire"
)

// TestAppCredentialsNeverLeaveTheAPIOrigin redirects one request of an App's release to
// another host, to http, or to another port, with each redirect status: the installation
// lookup and the token request (both signed with the App's JWT), then the forge's calls with
// the installation token. No request outside the API's origin may carry the JWT or the token.
func TestAppCredentialsNeverLeaveTheAPIOrigin(t *testing.T) {
	t.Parallel()
	key, pemText := newKey(t)
	app, err := FromEnv(envOf(map[string]string{IDEnv: "12", KeyEnv: pemText}))
	if err != nil {
		t.Fatal(err)
	}
	// Requests: 1 find the installation, 2 get its token, 3 list PRs, 4 create.
	for _, c := range credwire.Cases(2, 3, 4) {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			fake := fakeApp(t, &key.PublicKey, time.Hour)
			wire := credwire.New(strings.Replace(fake.URL, "http://", "https://", 1), fake.URL, c, "ghs_test")
			client := &http.Client{Transport: wire}
			apiURL := strings.Replace(fake.APIURL(), "http://", "https://", 1)
			err := func() error {
				inst, err := app.Install(t.Context(), client, apiURL, "acme", "infra")
				if err != nil {
					return err
				}
				f, err := github.New(t.Context(), github.Options{HTTPClient: client, APIURL: apiURL, Owner: "acme", Repo: "infra",
					Token: inst.ForgeToken(), Retry: forge.RetryOptions{Sleep: func(context.Context, time.Duration) error { return nil }}})
				if err != nil {
					return err
				}
				if _, err := f.FindOpenPR(t.Context(), "gito/prod/api"); err != nil {
					return err
				}
				_, err = f.CreatePR(t.Context(), forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "Release"})
				return err
			}()
			wire.Check(t)
			if err == nil {
				t.Fatalf("a redirect to another origin went unnoticed")
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || strings.Contains(msg, "ghs_test") || strings.Contains(msg, "PRIVATE KEY") {
				t.Errorf("error is not one line free of credentials: %q", msg)
			}
		})
	}
}
