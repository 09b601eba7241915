package gitea

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/forge"
)

// stub answers Gitea API routes from a table and records what it was asked. Every route
// must be used (verify), and an unexpected request fails the test with its method and path.
type stub struct {
	t      *testing.T
	mu     sync.Mutex
	routes map[string]func(r *http.Request, body string) (int, any)
	used   map[string]int
	log    []string
}

func newStub(t *testing.T, routes map[string]func(*http.Request, string) (int, any)) (*stub, *Forge) {
	s := &stub{t: t, routes: routes, used: map[string]int{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	t.Cleanup(s.verify)
	f, err := New(context.Background(), Options{HTTPClient: srv.Client(), BaseURL: srv.URL + "/api/v1", Owner: "acme", Repo: "infra", Token: "tea-SECRET",
		Retry: forge.RetryOptions{Sleep: func(context.Context, time.Duration) error { return nil }}})
	if err != nil {
		t.Fatal(err)
	}
	return s, f
}

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Method + " " + strings.TrimPrefix(r.URL.Path, "/api/v1")
	if q := r.URL.Query().Get("page"); q != "" {
		key += " page=" + q
	}
	s.mu.Lock()
	h, ok := s.routes[key]
	s.used[key]++
	s.log = append(s.log, key)
	s.mu.Unlock()
	if r.Header.Get("Authorization") != "token tea-SECRET" {
		s.t.Errorf("%s: Authorization %q", key, r.Header.Get("Authorization"))
	}
	if !ok {
		s.t.Errorf("unexpected request %s (body %s)", key, body)
		w.WriteHeader(http.StatusTeapot)
		return
	}
	status, out := h(r, string(body))
	w.Header().Set("Content-Type", "application/json")
	if link, ok := out.(linked); ok {
		w.Header().Set("Link", link.link)
		out = link.body
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}

func (s *stub) verify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.routes {
		if s.used[k] == 0 {
			s.t.Errorf("route %s was never requested; requests: %v", k, s.log)
		}
	}
}

type linked struct {
	link string
	body any
}

func pr(n int, head string, repoID int, title string) map[string]any {
	return map[string]any{"number": n, "state": "open", "title": title, "html_url": fmt.Sprintf("http://gitea/acme/infra/pulls/%d", n),
		"draft": strings.HasPrefix(title, "WIP:"),
		"head":  map[string]any{"ref": head, "repo_id": repoID}, "base": map[string]any{"ref": "main", "repo_id": 1}}
}

func msg(m string) map[string]any { return map[string]any{"message": m} }

func TestFindOpenPRPagesAndSkipsForks(t *testing.T) {
	t.Parallel()
	_, f := newStub(t, map[string]func(*http.Request, string) (int, any){
		"GET /repos/acme/infra/pulls page=1": func(r *http.Request, _ string) (int, any) {
			if r.URL.Query().Get("state") != "open" {
				t.Errorf("state = %q", r.URL.Query().Get("state"))
			}
			return 200, linked{`<http://x/api/v1/repos/acme/infra/pulls?page=2&limit=50>; rel="next"`,
				[]any{pr(1, "gito/prod/web", 1, "a"), pr(2, "gito/prod/api", 9, "from a fork")}}
		},
		"GET /repos/acme/infra/pulls page=2": func(*http.Request, string) (int, any) {
			return 200, []any{pr(3, "gito/prod/api", 1, "WIP: Release api")}
		},
	})
	got, err := f.FindOpenPR(context.Background(), "gito/prod/api")
	if err != nil || got == nil || got.Number != 3 || !got.Draft || got.Title != "Release api" || got.State != "open" {
		t.Fatalf("FindOpenPR = %+v, %v", got, err)
	}
}

func TestListOpenPRs(t *testing.T) {
	t.Parallel()
	_, f := newStub(t, map[string]func(*http.Request, string) (int, any){
		"GET /repos/acme/infra/pulls page=1": func(*http.Request, string) (int, any) {
			return 200, []any{pr(1, "gito/prod/web", 1, "a"), pr(2, "feature", 1, "b"), pr(3, "gito/dev/api", 1, "c"), pr(4, "gito/x", 7, "fork")}
		},
	})
	got, err := f.ListOpenPRs(context.Background(), "gito/")
	if err != nil || len(got) != 2 || got[0].Number != 1 || got[1].Number != 3 {
		t.Fatalf("ListOpenPRs = %+v, %v", got, err)
	}
}

func TestCreateDraftAndConflict(t *testing.T) {
	t.Parallel()
	calls := 0
	_, f := newStub(t, map[string]func(*http.Request, string) (int, any){
		"POST /repos/acme/infra/pulls": func(_ *http.Request, body string) (int, any) {
			calls++
			var in struct{ Title, Head, Base string }
			_ = json.Unmarshal([]byte(body), &in)
			if calls == 1 {
				if in.Title != "WIP: Release api" || in.Head != "gito/prod/api" || in.Base != "main" {
					t.Errorf("create body %s", body)
				}
				return 201, pr(5, in.Head, 1, in.Title)
			}
			return 409, msg("pull request already exists for these targets")
		},
		"GET /repos/acme/infra/pulls page=1": func(*http.Request, string) (int, any) {
			return 200, []any{pr(5, "gito/prod/api", 1, "WIP: Release api")}
		},
	})
	ctx := context.Background()
	p, err := f.CreatePR(ctx, forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "Release api", Draft: true})
	if err != nil || p.Number != 5 || !p.Draft || p.Title != "Release api" {
		t.Fatalf("CreatePR = %+v, %v", p, err)
	}
	p, err = f.CreatePR(ctx, forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "Release api"})
	if err != nil || p.Number != 5 {
		t.Fatalf("CreatePR after 409 = %+v, %v; want the open PR", p, err)
	}
}

func TestUpdateKeepsDraft(t *testing.T) {
	t.Parallel()
	_, f := newStub(t, map[string]func(*http.Request, string) (int, any){
		"GET /repos/acme/infra/pulls/5": func(*http.Request, string) (int, any) { return 200, pr(5, "gito/prod/api", 1, "WIP: old") },
		"PATCH /repos/acme/infra/pulls/5": func(_ *http.Request, body string) (int, any) {
			if !strings.Contains(body, `"title":"WIP: new"`) || !strings.Contains(body, `"body":"b"`) {
				t.Errorf("edit body %s", body)
			}
			return 201, pr(5, "gito/prod/api", 1, "WIP: new")
		},
	})
	if p, err := f.UpdatePR(context.Background(), 5, "new", "b"); err != nil || p.Title != "new" || !p.Draft {
		t.Fatalf("UpdatePR = %+v, %v", p, err)
	}
}

func TestAddLabelsResolvesIDs(t *testing.T) {
	t.Parallel()
	_, f := newStub(t, map[string]func(*http.Request, string) (int, any){
		"GET /repos/acme/infra/labels page=1": func(*http.Request, string) (int, any) {
			return 200, []any{map[string]any{"id": 11, "name": "Release"}, map[string]any{"id": 12, "name": "release"}}
		},
		"GET /orgs/acme/labels page=1": func(*http.Request, string) (int, any) {
			return 200, []any{map[string]any{"id": 21, "name": "prod"}}
		},
		"POST /repos/acme/infra/issues/5/labels": func(_ *http.Request, body string) (int, any) {
			if strings.TrimSpace(body) != `{"labels":[12,21]}` {
				t.Errorf("labels body %s; want the exact-case match and the org label", body)
			}
			return 200, []any{}
		},
	})
	if err := f.AddLabels(context.Background(), 5, []string{"release", "prod", "release", " "}); err != nil {
		t.Fatal(err)
	}
}

func TestAddLabelsNamesMissing(t *testing.T) {
	t.Parallel()
	_, f := newStub(t, map[string]func(*http.Request, string) (int, any){
		"GET /repos/acme/infra/labels page=1": func(*http.Request, string) (int, any) {
			return 200, []any{map[string]any{"id": 11, "name": "release"}}
		},
		// a user-owned repository: no organization labels
		"GET /orgs/acme/labels page=1": func(*http.Request, string) (int, any) { return 404, msg("not found") },
	})
	err := f.AddLabels(context.Background(), 5, []string{"release", "hotfix", "urgent"})
	want := `gitea: labels "hotfix", "urgent" not found in acme/infra (Gitea creates no label on use)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func TestReviewers(t *testing.T) {
	t.Parallel()
	_, f := newStub(t, map[string]func(*http.Request, string) (int, any){
		"POST /repos/acme/infra/pulls/5/requested_reviewers": func(_ *http.Request, body string) (int, any) {
			if strings.TrimSpace(body) != `{"reviewers":["alice","carol"],"team_reviewers":["sre"]}` {
				t.Errorf("body %s", body)
			}
			return 422, msg("Reviewer can't read [user_id: 4, repo_id: 1]")
		},
		"GET /orgs/acme": func(*http.Request, string) (int, any) { return 200, map[string]any{"username": "acme"} },
	})
	ctx := context.Background()
	err := f.RequestReviewers(ctx, 5, []string{"alice", "@carol", "acme/sre", "alice", "acme/sre"})
	want := "gitea: request reviewers alice, carol, acme/sre for pull request #5: 422 Reviewer can't read [user_id: 4, repo_id: 1]"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	if err := f.RequestReviewers(ctx, 5, []string{"other/sre"}); err == nil || !strings.Contains(err.Error(), "team belongs to other") {
		t.Errorf("foreign team: %v", err)
	}
}

// A repository of a user has no teams, and Gitea would take a team request without a word:
// gito refuses it before asking.
func TestTeamReviewerOnAUserRepo(t *testing.T) {
	t.Parallel()
	_, f := newStub(t, map[string]func(*http.Request, string) (int, any){
		"GET /orgs/acme": func(*http.Request, string) (int, any) { return 404, msg("GetOrgByName") },
	})
	err := f.RequestReviewers(context.Background(), 5, []string{"alice", "acme/sre"})
	want := `gitea: reviewer "acme/sre": acme/infra is owned by the user acme, and only an organization has teams: name users instead`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

func TestAutoMerge(t *testing.T) {
	t.Parallel()
	calls := 0
	_, f := newStub(t, map[string]func(*http.Request, string) (int, any){
		"GET /repos/acme/infra": func(*http.Request, string) (int, any) {
			return 200, map[string]any{"default_merge_style": "squash", "default_branch": "main"}
		},
		"POST /repos/acme/infra/pulls/5/merge": func(_ *http.Request, body string) (int, any) {
			calls++
			if !strings.Contains(body, `"Do":"squash"`) || !strings.Contains(body, `"merge_when_checks_succeed":true`) {
				t.Errorf("merge body %s", body)
			}
			if calls == 2 {
				return 409, msg("pull request is already scheduled to auto merge when checks succeed [pull_id: 5]")
			}
			return 201, nil
		},
	})
	ctx := context.Background()
	if err := f.EnableAutoMerge(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if err := f.EnableAutoMerge(ctx, 5); err != nil {
		t.Errorf("a re-release re-enables auto-merge: %v, want nil", err)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	_, f := newStub(t, map[string]func(*http.Request, string) (int, any){
		"GET /repos/acme/infra/pulls/1": func(*http.Request, string) (int, any) { return 401, msg("token is required tea-SECRET") },
		"GET /repos/acme/infra/pulls/2": func(*http.Request, string) (int, any) { return 404, msg("not found") },
		"GET /repos/acme/infra/pulls/3": func(*http.Request, string) (int, any) { return 500, msg("boom") },
	})
	ctx := context.Background()
	_, err := f.GetPR(ctx, 1)
	if !errors.Is(err, forge.ErrAuth) || !strings.Contains(err.Error(), "check GITEA_TOKEN") || strings.Contains(err.Error(), "tea-SECRET") {
		t.Errorf("401: %v", err)
	}
	if _, err := f.GetPR(ctx, 2); err == nil || !strings.Contains(err.Error(), "404 not found (or the token cannot see acme/infra)") {
		t.Errorf("404: %v", err)
	}
	if _, err := f.GetPR(ctx, 3); err == nil || !strings.Contains(err.Error(), "read pull request #3: 500 boom") {
		t.Errorf("500 after retries: %v", err)
	}
}

func TestBaseURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://gitea.example.com":         "https://gitea.example.com",
		"https://gitea.example.com/api/v1/": "https://gitea.example.com",
		"https://example.com/git/api/v1":    "https://example.com/git",
		"http://127.0.0.1:3000/":            "http://127.0.0.1:3000",
		"https://user:pw@gitea.example.com": "",
		"ftp://gitea.example.com":           "",
	} {
		got, err := BaseURL(in)
		if (err != nil) != (want == "") || got != want {
			t.Errorf("BaseURL(%q) = %q, %v; want %q", in, got, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("BaseURL error shows the password: %v", err)
		}
	}
}

func TestGetPRStates(t *testing.T) {
	t.Parallel()
	merged := pr(7, "gito/prod/api", 1, "x")
	merged["state"], merged["merged"], merged["merge_commit_sha"] = "closed", true, "abc123"
	closed := pr(8, "gito/prod/api", 1, "y")
	closed["state"] = "closed"
	_, f := newStub(t, map[string]func(*http.Request, string) (int, any){
		"GET /repos/acme/infra/pulls/7": func(*http.Request, string) (int, any) { return 200, merged },
		"GET /repos/acme/infra/pulls/8": func(*http.Request, string) (int, any) { return 200, closed },
	})
	ctx := context.Background()
	if p, err := f.GetPR(ctx, 7); err != nil || p.State != "merged" || p.MergeCommit != "abc123" {
		t.Errorf("merged: %+v, %v", p, err)
	}
	if p, err := f.GetPR(ctx, 8); err != nil || p.State != "closed" || p.MergeCommit != "" {
		t.Errorf("closed: %+v, %v", p, err)
	}
}
