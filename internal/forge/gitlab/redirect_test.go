package gitlab

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gito-dev/gito/integration/fakegitlab"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/testutil/credwire"
)

// TestTokenNeverLeavesTheAPIOrigin redirects one request of a release's sequence to another
// host, to http, or to another port, with each redirect status and each way GitLab takes a
// token (PRIVATE-TOKEN, an OAuth bearer, JOB-TOKEN): no request outside the API's origin may
// carry it. client-go sets its header on the request itself, which http.Client copies to
// any redirect: only a refused redirect keeps it home.
func TestTokenNeverLeavesTheAPIOrigin(t *testing.T) {
	t.Parallel()
	modes := map[string]func(*Options){
		"private": func(*Options) {},
		"oauth":   func(o *Options) { o.OAuth, o.Token = true, fakegitlab.DefaultOAuthToken },
		"job":     func(o *Options) { o.JobToken, o.Token = true, fakegitlab.DefaultJobToken },
	}
	for mode, edit := range modes {
		// Requests: 1 find the MR (the project first), then the list, create, ...
		for _, c := range credwire.Cases(2, 3) {
			t.Run(mode+"/"+c.String(), func(t *testing.T) {
				t.Parallel()
				srv := fakegitlab.New(t, fakegitlab.Options{JobTokenMergeRequests: true})
				wire := credwire.New(strings.Replace(srv.URL, "http://", "https://", 1), srv.URL, c,
					fakegitlab.DefaultPrivateToken, fakegitlab.DefaultOAuthToken, fakegitlab.DefaultJobToken)
				o := Options{
					HTTPClient: &http.Client{Transport: wire},
					BaseURL:    strings.Replace(srv.APIURL(), "http://", "https://", 1),
					Project:    project,
					Token:      fakegitlab.DefaultPrivateToken,
					Retry:      forge.RetryOptions{Sleep: (&sleeps{}).sleep},
				}
				edit(&o)
				f, err := New(t.Context(), o)
				if err != nil {
					t.Fatal(err)
				}
				err = release(t, f)
				wire.Check(t)
				if err == nil {
					t.Fatalf("a redirect to another origin was followed without an error")
				}
				if msg := err.Error(); !strings.Contains(msg, "redirected to") || strings.Contains(msg, "\n") || strings.Contains(msg, o.Token) {
					t.Errorf("error is not one line saying the API redirected: %q", msg)
				}
			})
		}
	}
}

func release(t *testing.T, f *Forge) error {
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
