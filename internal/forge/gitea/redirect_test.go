package gitea

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/testutil/credwire"
)

// TestTokenNeverLeavesTheAPIOrigin redirects one request of a release's sequence (list,
// create, read back) to another host, to http, or to another port, with each redirect
// status: no request outside the server's origin may carry the token.
func TestTokenNeverLeavesTheAPIOrigin(t *testing.T) {
	t.Parallel()
	const token = "tea-SECRET"
	for _, c := range credwire.Cases(2, 3) {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				var out any = []any{}
				switch {
				case r.Method == http.MethodPost || strings.HasSuffix(r.URL.Path, "/pulls/1"):
					out = pr(1, "gito/prod/api", 1, "Release api")
				case !strings.HasSuffix(r.URL.Path, "/pulls"):
					w.WriteHeader(http.StatusNotFound)
					out = msg("not found")
				}
				_ = json.NewEncoder(w).Encode(out)
			}))
			t.Cleanup(srv.Close)
			wire := credwire.New(strings.Replace(srv.URL, "http://", "https://", 1), srv.URL, c, token)
			f, err := New(t.Context(), Options{
				HTTPClient: &http.Client{Transport: wire},
				BaseURL:    strings.Replace(srv.URL, "http://", "https://", 1) + "/api/v1",
				Owner:      "acme", Repo: "infra", Token: token,
				Retry: forge.RetryOptions{Sleep: func(context.Context, time.Duration) error { return nil }},
			})
			if err != nil {
				t.Fatal(err)
			}
			err = func() error {
				ctx := t.Context()
				if _, err := f.FindOpenPR(ctx, "gito/prod/api"); err != nil {
					return err
				}
				if _, err := f.CreatePR(ctx, forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "Release api"}); err != nil {
					return err
				}
				_, err := f.GetPR(ctx, 1)
				return err
			}()
			wire.Check(t)
			if err == nil {
				t.Fatalf("a redirect to another origin was followed without an error")
			}
			if msg := err.Error(); !strings.Contains(msg, "redirected to") || strings.Contains(msg, "\n") || strings.Contains(msg, token) {
				t.Errorf("error is not one line saying the API redirected: %q", msg)
			}
		})
	}
}
