package github_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gito-dev/gito/integration/fakegithub"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/forge/github"
)

const testToken = "ghp_TESTTOKEN0123456789"

type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return nil
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.waits)
}

type setup struct {
	fake   *fakegithub.Server
	forge  *github.Forge
	sleeps *sleeps
}

func newSetup(t *testing.T, fo fakegithub.Options, mutate ...func(*github.Options)) setup {
	t.Helper()
	if fo.Token == "" {
		fo.Token = testToken
	}
	fake := fakegithub.New(t, fo)
	sl := &sleeps{}
	opts := github.Options{
		HTTPClient: &http.Client{},
		APIURL:     fake.APIURL(),
		Owner:      "acme",
		Repo:       "infra",
		Token:      forge.Token{Value: testToken, Source: "GH_TOKEN"},
		Retry:      forge.RetryOptions{Sleep: sl.sleep},
	}
	for _, m := range mutate {
		m(&opts)
	}
	f, err := github.New(t.Context(), opts)
	if err != nil {
		t.Fatalf("github.New: %v", err)
	}
	return setup{fake: fake, forge: f, sleeps: sl}
}

// checkError asserts an error is one line and free of the token.
func checkError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error")
	}
	if msg := err.Error(); strings.Contains(msg, testToken) || strings.Contains(msg, "\n") {
		t.Errorf("error must be one line without the token: %q", msg)
	}
}

func TestCreateFindUpdate(t *testing.T) {
	t.Parallel()
	s := newSetup(t, fakegithub.Options{})
	ctx := t.Context()

	none, err := s.forge.FindOpenPR(ctx, "gito/prod/api")
	if err != nil || none != nil {
		t.Fatalf("FindOpenPR before create = %+v, %v; want nil, nil", none, err)
	}
	created, err := s.forge.CreatePR(ctx, forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "api 1.2.0 to prod", Body: "body", Draft: true})
	if err != nil {
		t.Fatalf("CreatePR: %v", err)
	}
	want := forge.PullRequest{Number: 1, URL: s.fake.URL + "/acme/infra/pull/1", Title: "api 1.2.0 to prod", Body: "body", Head: "gito/prod/api", Base: "main", Draft: true, State: forge.StateOpen}
	if *created != want {
		t.Errorf("CreatePR = %+v\nwant %+v", *created, want)
	}
	found, err := s.forge.FindOpenPR(ctx, "gito/prod/api")
	if err != nil || found == nil || *found != want {
		t.Fatalf("FindOpenPR = %+v, %v; want %+v", found, err, want)
	}
	if other, err := s.forge.FindOpenPR(ctx, "gito/prod/web"); err != nil || other != nil {
		t.Errorf("FindOpenPR(other head) = %+v, %v; want nil", other, err)
	}

	updated, err := s.forge.UpdatePR(ctx, 1, "api 1.3.0 to prod", "new body")
	if err != nil {
		t.Fatalf("UpdatePR: %v", err)
	}
	if updated.Title != "api 1.3.0 to prod" || updated.Body != "new body" || updated.Number != 1 {
		t.Errorf("UpdatePR = %+v", updated)
	}
	prs := s.fake.PRs()
	if len(prs) != 1 || prs[0].Title != "api 1.3.0 to prod" || prs[0].Body != "new body" || !prs[0].Draft || prs[0].Base != "main" || prs[0].State != "open" {
		t.Errorf("fake state = %+v", prs)
	}
	for _, r := range s.fake.Requests() {
		if !r.AuthOK {
			t.Errorf("%s %s sent without the token", r.Method, r.Path)
		}
		if r.Method == http.MethodGet && r.Path == "/repos/acme/infra/pulls" && !strings.Contains(r.Query, "head=acme%3Agito%2Fprod%2F") {
			t.Errorf("list sent query %q, want head=owner:branch", r.Query)
		}
	}
	if got := s.fake.Writes(); got != 2 {
		t.Errorf("writes = %d, want 2 (create, update)", got)
	}
}

func TestCreatePRReturnsExisting(t *testing.T) {
	t.Parallel()
	s := newSetup(t, fakegithub.Options{})
	s.fake.AddPR(fakegithub.PR{Title: "someone else's PR", Head: "feature", Base: "main"})
	existing := s.fake.AddPR(fakegithub.PR{Title: "old title", Head: "gito/prod/api", Base: "main"})

	got, err := s.forge.CreatePR(t.Context(), forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "new title"})
	if err != nil {
		t.Fatalf("CreatePR: %v", err)
	}
	if got.Number != existing.Number || got.Title != "old title" {
		t.Errorf("CreatePR = %+v, want the existing #%d", got, existing.Number)
	}
	if n := len(s.fake.PRs()); n != 2 {
		t.Errorf("fake holds %d PRs, want 2", n)
	}
}

func TestCreatePRValidationError(t *testing.T) {
	t.Parallel()
	s := newSetup(t, fakegithub.Options{})
	_, err := s.forge.CreatePR(t.Context(), forge.NewPullRequest{Head: "gito/prod/api", Base: "main"})
	checkError(t, err)
	if !strings.Contains(err.Error(), "422 Validation Failed: title missing field") {
		t.Errorf("error = %q, want GitHub's field error", err)
	}
	if errors.Is(err, forge.ErrAuth) {
		t.Error("a validation error is not an auth error")
	}
}

func TestFindOpenPRFollowsPagination(t *testing.T) {
	t.Parallel()
	// The fake ignores head= here, so the match sits on page 3 behind 250 other PRs.
	s := newSetup(t, fakegithub.Options{IgnoreHeadFilter: true})
	s.fake.AddPR(fakegithub.PR{Title: "target", Head: "gito/prod/api", Base: "main"})
	for i := range 250 {
		s.fake.AddPR(fakegithub.PR{Title: "other", Head: fmt.Sprintf("feature-%d", i), Base: "main"})
	}
	s.fake.AddPR(fakegithub.PR{Title: "fork", Head: "gito/prod/api", HeadOwner: "mallory", Base: "main"})

	got, err := s.forge.FindOpenPR(t.Context(), "gito/prod/api")
	if err != nil {
		t.Fatalf("FindOpenPR: %v", err)
	}
	if got == nil || got.Number != 1 || got.Title != "target" {
		t.Fatalf("FindOpenPR = %+v, want #1 (not the fork's PR)", got)
	}
	var pages []string
	for _, r := range s.fake.Requests() {
		if r.Path == "/repos/acme/infra/pulls" {
			pages = append(pages, r.Query)
		}
	}
	if len(pages) != 3 || !strings.Contains(pages[2], "page=3") {
		t.Errorf("list requests = %q, want 3 pages", pages)
	}
}

func TestLabelsAndReviewers(t *testing.T) {
	t.Parallel()
	s := newSetup(t, fakegithub.Options{})
	ctx := t.Context()
	pr := s.fake.AddPR(fakegithub.PR{Title: "t", Head: "gito/prod/api", Base: "main"})

	if err := s.forge.AddLabels(ctx, pr.Number, []string{"release", "prod"}); err != nil {
		t.Fatalf("AddLabels: %v", err)
	}
	if err := s.forge.RequestReviewers(ctx, pr.Number, []string{"alice", "@bob", "acme/sre", "ACME/platform"}); err != nil {
		t.Fatalf("RequestReviewers: %v", err)
	}
	got := s.fake.PRs()[0]
	if !slices.Equal(got.Labels, []string{"release", "prod"}) {
		t.Errorf("labels = %q", got.Labels)
	}
	if !slices.Equal(got.Reviewers, []string{"alice", "bob"}) || !slices.Equal(got.TeamReviewers, []string{"sre", "platform"}) {
		t.Errorf("reviewers = %q, teams = %q", got.Reviewers, got.TeamReviewers)
	}

	writes := s.fake.Writes()
	if err := s.forge.AddLabels(ctx, pr.Number, nil); err != nil {
		t.Errorf("AddLabels(nil): %v", err)
	}
	if err := s.forge.RequestReviewers(ctx, pr.Number, nil); err != nil {
		t.Errorf("RequestReviewers(nil): %v", err)
	}
	err := s.forge.RequestReviewers(ctx, pr.Number, []string{"alice", "other-org/sre"})
	checkError(t, err)
	if !strings.Contains(err.Error(), `reviewer "other-org/sre"`) {
		t.Errorf("error = %q, want it to name the reviewer", err)
	}
	if s.fake.Writes() != writes {
		t.Errorf("empty lists and a refused team made %d requests, want none", s.fake.Writes()-writes)
	}
}

func TestEnableAutoMerge(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"", "/api/v3"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, fakegithub.Options{PathPrefix: prefix})
			pr := s.fake.AddPR(fakegithub.PR{Title: "t", Head: "gito/prod/api", Base: "main"})
			if err := s.forge.EnableAutoMerge(t.Context(), pr.Number); err != nil {
				t.Fatalf("EnableAutoMerge: %v", err)
			}
			if !s.fake.PRs()[0].AutoMerge {
				t.Error("auto-merge not enabled on the fake")
			}
			wantPath := "/graphql"
			if prefix == "/api/v3" {
				wantPath = "/api/graphql"
			}
			var gql []fakegithub.Request
			for _, r := range s.fake.Requests() {
				if r.Method == http.MethodPost {
					gql = append(gql, r)
				}
			}
			if len(gql) != 1 || gql[0].Path != wantPath || !strings.Contains(gql[0].Body, pr.NodeID) {
				t.Errorf("GraphQL requests = %+v, want one POST %s carrying %s", gql, wantPath, pr.NodeID)
			}
		})
	}
	t.Run("refused by the repository", func(t *testing.T) {
		t.Parallel()
		s := newSetup(t, fakegithub.Options{DisallowAutoMerge: true})
		pr := s.fake.AddPR(fakegithub.PR{Title: "t", Head: "gito/prod/api", Base: "main"})
		err := s.forge.EnableAutoMerge(t.Context(), pr.Number)
		checkError(t, err)
		if !strings.Contains(err.Error(), "Auto merge is not allowed for this repository") {
			t.Errorf("error = %q", err)
		}
	})
	t.Run("unknown pull request", func(t *testing.T) {
		t.Parallel()
		s := newSetup(t, fakegithub.Options{})
		err := s.forge.EnableAutoMerge(t.Context(), 42)
		checkError(t, err)
		if !strings.Contains(err.Error(), "404") {
			t.Errorf("error = %q, want a 404", err)
		}
	})
}

func TestEnterpriseServer(t *testing.T) {
	t.Parallel()
	s := newSetup(t, fakegithub.Options{PathPrefix: "/api/v3"})
	if !strings.HasSuffix(s.fake.APIURL(), "/api/v3/") {
		t.Fatalf("fake APIURL = %q", s.fake.APIURL())
	}
	pr, err := s.forge.CreatePR(t.Context(), forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "t"})
	if err != nil {
		t.Fatalf("CreatePR on GHES: %v", err)
	}
	if pr.Number != 1 {
		t.Errorf("PR = %+v", pr)
	}
	for _, r := range s.fake.Requests() {
		if !strings.HasPrefix(r.Path, "/api/v3/") {
			t.Errorf("request to %s, want under /api/v3/", r.Path)
		}
	}
}

func TestAuthErrors(t *testing.T) {
	t.Parallel()
	s := newSetup(t, fakegithub.Options{Token: "the-right-one"})
	ctx := t.Context()
	calls := map[string]func() error{
		"FindOpenPR": func() error { _, err := s.forge.FindOpenPR(ctx, "b"); return err },
		"CreatePR": func() error {
			_, err := s.forge.CreatePR(ctx, forge.NewPullRequest{Head: "b", Base: "main", Title: "t"})
			return err
		},
		"AddLabels": func() error { return s.forge.AddLabels(ctx, 1, []string{"x"}) },
	}
	for name, call := range calls {
		err := call()
		checkError(t, err)
		if !errors.Is(err, forge.ErrAuth) {
			t.Errorf("%s: err = %v, want ErrAuth", name, err)
		}
		if !strings.Contains(err.Error(), "Bad credentials") {
			t.Errorf("%s: %q should carry GitHub's message", name, err)
		}
	}
	if len(s.sleeps.got()) != 0 {
		t.Errorf("401 was retried: waits %v", s.sleeps.got())
	}
}

func TestNoToken(t *testing.T) {
	t.Parallel()
	_, err := github.New(t.Context(), github.Options{Owner: "acme", Repo: "infra"})
	if !errors.Is(err, forge.ErrAuth) {
		t.Fatalf("New without token: %v, want ErrAuth", err)
	}
}

func TestUnknownRepository(t *testing.T) {
	t.Parallel()
	s := newSetup(t, fakegithub.Options{}, func(o *github.Options) { o.Repo = "nope" })
	_, err := s.forge.FindOpenPR(t.Context(), "gito/prod/api")
	checkError(t, err)
	if errors.Is(err, forge.ErrAuth) || !strings.Contains(err.Error(), "404 not found (or the token cannot see acme/nope)") {
		t.Errorf("err = %q", err)
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	create := func(s setup) (*forge.PullRequest, error) {
		return s.forge.CreatePR(t.Context(), forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "t", Body: "b"})
	}
	t.Run("502 then success", func(t *testing.T) {
		t.Parallel()
		s := newSetup(t, fakegithub.Options{})
		s.fake.FailNext("POST", "/repos/*/*/pulls", http.StatusBadGateway, nil, 1)
		pr, err := create(s)
		if err != nil {
			t.Fatalf("CreatePR: %v", err)
		}
		if pr.Number != 1 || len(s.fake.PRs()) != 1 {
			t.Errorf("PR %+v, fake holds %d", pr, len(s.fake.PRs()))
		}
		reqs := s.fake.Requests()
		if len(reqs) != 2 || reqs[0].Status != 502 || reqs[1].Status != 201 || reqs[0].Body != reqs[1].Body || reqs[1].Body == "" {
			t.Errorf("requests = %+v, want the same body twice: 502 then 201", reqs)
		}
		if !slices.Equal(s.sleeps.got(), []time.Duration{time.Second}) {
			t.Errorf("waits = %v, want [1s]", s.sleeps.got())
		}
	})
	t.Run("429 Retry-After honoured", func(t *testing.T) {
		t.Parallel()
		s := newSetup(t, fakegithub.Options{})
		s.fake.FailNext("POST", "/repos/*/*/pulls", http.StatusTooManyRequests, map[string]string{"Retry-After": "7"}, 1)
		if _, err := create(s); err != nil {
			t.Fatalf("CreatePR: %v", err)
		}
		if !slices.Equal(s.sleeps.got(), []time.Duration{7 * time.Second}) {
			t.Errorf("waits = %v, want [7s]", s.sleeps.got())
		}
	})
	t.Run("403 secondary rate limit honoured", func(t *testing.T) {
		t.Parallel()
		s := newSetup(t, fakegithub.Options{})
		s.fake.FailNext("GET", "/repos/acme/infra/pulls", http.StatusForbidden, map[string]string{"Retry-After": "2"}, 2)
		if _, err := s.forge.FindOpenPR(t.Context(), "gito/prod/api"); err != nil {
			t.Fatalf("FindOpenPR: %v", err)
		}
		if !slices.Equal(s.sleeps.got(), []time.Duration{2 * time.Second, 2 * time.Second}) {
			t.Errorf("waits = %v", s.sleeps.got())
		}
	})
	t.Run("Retry-After too long is not slept", func(t *testing.T) {
		t.Parallel()
		s := newSetup(t, fakegithub.Options{})
		s.fake.FailNext("POST", "/repos/*/*/pulls", http.StatusTooManyRequests, map[string]string{"Retry-After": "3600"}, 1)
		_, err := create(s)
		checkError(t, err)
		if !strings.Contains(err.Error(), "429") {
			t.Errorf("err = %q, want the 429", err)
		}
		if len(s.sleeps.got()) != 0 || s.fake.Writes() != 1 || len(s.fake.PRs()) != 0 {
			t.Errorf("waits %v, writes %d, PRs %d; want no wait, one write, no PR", s.sleeps.got(), s.fake.Writes(), len(s.fake.PRs()))
		}
	})
	t.Run("secondary limit beyond MaxWait is an error", func(t *testing.T) {
		t.Parallel()
		s := newSetup(t, fakegithub.Options{})
		s.fake.FailNext("GET", "/repos/acme/infra/pulls", http.StatusForbidden, map[string]string{"Retry-After": "600"}, 1)
		_, err := s.forge.FindOpenPR(t.Context(), "gito/prod/api")
		checkError(t, err)
		if errors.Is(err, forge.ErrAuth) || !strings.Contains(err.Error(), "secondary rate limit") {
			t.Errorf("err = %q, want a rate-limit error that is not ErrAuth", err)
		}
	})
	t.Run("gives up after four attempts", func(t *testing.T) {
		t.Parallel()
		s := newSetup(t, fakegithub.Options{})
		s.fake.FailNext("*", "/repos/acme/infra/pulls", http.StatusServiceUnavailable, nil, 10)
		_, err := s.forge.FindOpenPR(t.Context(), "gito/prod/api")
		checkError(t, err)
		if !strings.Contains(err.Error(), "503") || len(s.fake.Requests()) != 4 {
			t.Errorf("err = %q after %d requests, want 503 after 4", err, len(s.fake.Requests()))
		}
	})
}

// countingTransport proves New wraps the injected client's transport instead of replacing it.
type countingTransport struct {
	n    atomic.Int32
	auth atomic.Bool
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	c.auth.Store(r.Header.Get("Authorization") == "Bearer "+testToken)
	return http.DefaultTransport.RoundTrip(r)
}

func TestInjectedTransportIsKept(t *testing.T) {
	t.Parallel()
	ct := &countingTransport{}
	client := &http.Client{Transport: ct}
	s := newSetup(t, fakegithub.Options{}, func(o *github.Options) { o.HTTPClient = client })
	if _, err := s.forge.FindOpenPR(t.Context(), "gito/prod/api"); err != nil {
		t.Fatalf("FindOpenPR: %v", err)
	}
	if ct.n.Load() != 1 || !ct.auth.Load() {
		t.Errorf("injected transport saw %d requests (auth %v), want 1 with the bearer token", ct.n.Load(), ct.auth.Load())
	}
	if client.Transport != ct {
		t.Error("New modified the caller's http.Client")
	}
}
