package github_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gito-dev/gito/integration/fakegithub"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/forge/github"
	"github.com/gito-dev/gito/internal/testutil/credwire"
)

// TestTokenNeverLeavesTheAPIOrigin redirects one request of a release's sequence (list,
// create, then the GraphQL auto-merge) to another host, to http, or to another port, with
// each redirect status: no request outside the API's origin may carry the token.
func TestTokenNeverLeavesTheAPIOrigin(t *testing.T) {
	t.Parallel()
	// Requests: 1 list PRs, 2 create, 3 get the PR, 4 get the repo, 5 GraphQL.
	for _, c := range credwire.Cases(2, 5) {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			fake := fakegithub.New(t, fakegithub.Options{Token: testToken})
			wire := credwire.New(strings.Replace(fake.URL, "http://", "https://", 1), fake.URL, c, testToken)
			f, err := github.New(t.Context(), github.Options{
				HTTPClient: &http.Client{Transport: wire},
				APIURL:     strings.Replace(fake.APIURL(), "http://", "https://", 1),
				Owner:      "acme",
				Repo:       "infra",
				Token:      forge.Token{Value: testToken, Source: "GH_TOKEN"},
				Retry:      forge.RetryOptions{Sleep: (&sleeps{}).sleep},
			})
			if err != nil {
				t.Fatal(err)
			}
			err = release(t, f)
			wire.Check(t)
			if err == nil {
				t.Fatalf("a redirect to another origin was followed without an error")
			}
			checkError(t, err)
			if !strings.Contains(err.Error(), "redirected to") {
				t.Errorf("error does not say the API redirected: %q", err)
			}
		})
	}
}

// release runs the calls a release makes, stopping at the first error.
func release(t *testing.T, f *github.Forge) error {
	ctx := t.Context()
	if _, err := f.FindOpenPR(ctx, "gito/prod/api"); err != nil {
		return err
	}
	pr, err := f.CreatePR(ctx, forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "Release api v1.2.3 to prod"})
	if err != nil {
		return err
	}
	return f.EnableAutoMerge(ctx, pr.Number)
}
