package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gito-dev/gito/integration/fakegitlab"
	"github.com/gito-dev/gito/internal/forge"
)

const project = "group/sub/infra"

// sleeps records what the retry transport asked to sleep, without sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.d)
}

func options(srv *fakegitlab.Server, sl *sleeps) Options {
	return Options{
		HTTPClient: srv.Client(),
		BaseURL:    srv.APIURL(),
		Project:    project,
		Token:      fakegitlab.DefaultPrivateToken,
		Retry:      forge.RetryOptions{Sleep: sl.sleep},
	}
}

func newForge(t *testing.T, srv *fakegitlab.Server, edit func(*Options)) (*Forge, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	o := options(srv, sl)
	if edit != nil {
		edit(&o)
	}
	f, err := New(t.Context(), o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return f, sl
}

// writes lists the requests that changed, or tried to change, something.
func writes(srv *fakegitlab.Server) []fakegitlab.Request {
	var out []fakegitlab.Request
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r)
		}
	}
	if len(out) != srv.Writes() {
		panic(fmt.Sprintf("fake counted %d writes, recorded %d", srv.Writes(), len(out)))
	}
	return out
}

func onlyMR(t *testing.T, srv *fakegitlab.Server) fakegitlab.MR {
	t.Helper()
	mrs := srv.MRs()
	if len(mrs) != 1 {
		t.Fatalf("fake holds %d merge requests, want 1: %+v", len(mrs), mrs)
	}
	return mrs[0]
}

func TestCreateThenFind(t *testing.T) {
	t.Parallel()
	srv := fakegitlab.New(t, fakegitlab.Options{})
	f, _ := newForge(t, srv, nil)
	ctx := t.Context()

	if pr, err := f.FindOpenPR(ctx, "gito/prod/api"); err != nil || pr != nil {
		t.Fatalf("FindOpenPR before create = %+v, %v; want nil, nil", pr, err)
	}
	created, err := f.CreatePR(ctx, forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "api 1.2.0 to prod", Body: "body"})
	if err != nil {
		t.Fatalf("CreatePR: %v", err)
	}
	want := forge.PullRequest{
		Number: 1, URL: srv.WebURL() + "/group/sub/infra/-/merge_requests/1",
		Title: "api 1.2.0 to prod", Body: "body", Head: "gito/prod/api", Base: "main", State: forge.StateOpen,
	}
	if *created != want {
		t.Errorf("CreatePR = %+v, want %+v", *created, want)
	}
	found, err := f.FindOpenPR(ctx, "gito/prod/api")
	if err != nil || found == nil || *found != want {
		t.Errorf("FindOpenPR = %+v, %v; want %+v", found, err, want)
	}
	if got := onlyMR(t, srv); got.Title != "api 1.2.0 to prod" || got.Draft() {
		t.Errorf("stored MR = %+v", got)
	}
	for _, r := range srv.Requests() {
		if r.Auth != "private-token" {
			t.Errorf("%s %s authenticated with %q, want private-token", r.Method, r.Path, r.Auth)
		}
		if !strings.HasPrefix(r.Path, "/api/v4/projects/group%2Fsub%2Finfra") {
			t.Errorf("%s %s: project path not URL-encoded", r.Method, r.Path)
		}
	}
}

// Forks may use the same branch name; the project's own MR sits on the third page.
func TestFindOpenPRFollowsPagesAndSkipsForks(t *testing.T) {
	t.Parallel()
	srv := fakegitlab.New(t, fakegitlab.Options{MaxPerPage: 2})
	own := srv.AddMR(fakegitlab.MR{SourceBranch: "gito/prod/api", TargetBranch: "main", Title: "own"})
	for i := range 4 {
		srv.AddMR(fakegitlab.MR{SourceProjectID: 900 + i, SourceBranch: "gito/prod/api", TargetBranch: "main", Title: "fork"})
	}
	srv.AddMR(fakegitlab.MR{SourceBranch: "gito/prod/web", TargetBranch: "main", Title: "other branch"})
	f, _ := newForge(t, srv, nil)

	pr, err := f.FindOpenPR(t.Context(), "gito/prod/api")
	if err != nil {
		t.Fatalf("FindOpenPR: %v", err)
	}
	if pr == nil || pr.Number != own.IID || pr.Title != "own" {
		t.Fatalf("FindOpenPR = %+v, want !%d", pr, own.IID)
	}
	var pages []string
	for _, r := range srv.Requests() {
		if r.Path == "/api/v4/projects/group%2Fsub%2Finfra/merge_requests" {
			q, _ := url.ParseQuery(r.Query)
			pages = append(pages, q.Get("page"))
			if q.Get("state") != "opened" || q.Get("source_branch") != "gito/prod/api" {
				t.Errorf("list query = %v", r.Query)
			}
		}
	}
	if want := []string{"1", "2", "3"}; !slices.Equal(pages, want) {
		t.Errorf("pages requested = %v, want %v", pages, want)
	}

	if pr, err := f.FindOpenPR(t.Context(), "gito/dev/api"); err != nil || pr != nil {
		t.Errorf("FindOpenPR(no such branch) = %+v, %v; want nil, nil", pr, err)
	}
}

func TestFindOpenPRIgnoresClosed(t *testing.T) {
	t.Parallel()
	srv := fakegitlab.New(t, fakegitlab.Options{})
	srv.AddMR(fakegitlab.MR{SourceBranch: "gito/prod/api", TargetBranch: "main", Title: "old", State: "merged"})
	f, _ := newForge(t, srv, nil)
	if pr, err := f.FindOpenPR(t.Context(), "gito/prod/api"); err != nil || pr != nil {
		t.Errorf("FindOpenPR = %+v, %v; want nil, nil", pr, err)
	}
}

func TestCreatePRConflictReturnsExisting(t *testing.T) {
	t.Parallel()
	srv := fakegitlab.New(t, fakegitlab.Options{})
	srv.AddMR(fakegitlab.MR{SourceBranch: "gito/dev/web", TargetBranch: "main", Title: "unrelated"})
	existing := srv.AddMR(fakegitlab.MR{SourceBranch: "gito/prod/api", TargetBranch: "main", Title: "Draft: api 1.1.0"})
	f, _ := newForge(t, srv, nil)

	pr, err := f.CreatePR(t.Context(), forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "api 1.2.0"})
	if err != nil {
		t.Fatalf("CreatePR: %v", err)
	}
	if pr.Number != existing.IID || pr.Title != "api 1.1.0" || !pr.Draft {
		t.Errorf("CreatePR = %+v, want the existing draft !%d", pr, existing.IID)
	}
	if n := len(srv.MRs()); n != 2 {
		t.Errorf("fake holds %d MRs, want 2", n)
	}
	writes := writes(srv)
	if len(writes) != 1 || writes[0].Status != http.StatusConflict {
		t.Errorf("writes = %+v, want one POST answered 409", writes)
	}
}

func TestDraftPrefix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		draft      bool
		updateTo   string
		wantStored string
	}{
		{"draft keeps prefix", true, "api 1.3.0", "Draft: api 1.3.0"},
		{"draft with prefix already in new title", true, "Draft: api 1.3.0", "Draft: api 1.3.0"},
		{"draft with bracket prefix", true, "[Draft] api 1.3.0", "Draft: api 1.3.0"},
		{"ready stays ready", false, "Draft: api 1.3.0", "api 1.3.0"},
		{"ready plain", false, "api 1.3.0", "api 1.3.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakegitlab.New(t, fakegitlab.Options{})
			f, _ := newForge(t, srv, nil)
			ctx := t.Context()
			pr, err := f.CreatePR(ctx, forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "api 1.2.0", Draft: tt.draft})
			if err != nil {
				t.Fatalf("CreatePR: %v", err)
			}
			wantCreated := "api 1.2.0"
			if tt.draft {
				wantCreated = "Draft: api 1.2.0"
			}
			if got := onlyMR(t, srv).Title; got != wantCreated {
				t.Errorf("created title = %q, want %q", got, wantCreated)
			}
			if pr.Title != "api 1.2.0" || pr.Draft != tt.draft {
				t.Errorf("CreatePR = %+v", pr)
			}
			upd, err := f.UpdatePR(ctx, pr.Number, tt.updateTo, "new body")
			if err != nil {
				t.Fatalf("UpdatePR: %v", err)
			}
			stored := onlyMR(t, srv)
			if stored.Title != tt.wantStored || stored.Description != "new body" {
				t.Errorf("stored after update = %q / %q, want %q / new body", stored.Title, stored.Description, tt.wantStored)
			}
			if upd.Draft != tt.draft || upd.Title != "api 1.3.0" {
				t.Errorf("UpdatePR = %+v", upd)
			}
		})
	}
}

func TestAddLabels(t *testing.T) {
	t.Parallel()
	srv := fakegitlab.New(t, fakegitlab.Options{})
	mr := srv.AddMR(fakegitlab.MR{SourceBranch: "gito/prod/api", TargetBranch: "main", Title: "t", Labels: []string{"existing"}})
	f, _ := newForge(t, srv, nil)
	ctx := t.Context()

	if err := f.AddLabels(ctx, mr.IID, []string{"release", "prod", "release", " "}); err != nil {
		t.Fatalf("AddLabels: %v", err)
	}
	if got, want := onlyMR(t, srv).Labels, []string{"existing", "prod", "release"}; !slices.Equal(got, want) {
		t.Errorf("labels = %v, want %v", got, want)
	}
	if w := writes(srv); len(w) != 1 || !strings.Contains(w[0].Body, `"add_labels":"release,prod"`) {
		t.Errorf("writes = %+v, want one PUT with add_labels", w)
	}

	err := f.AddLabels(ctx, mr.IID, []string{"a,b"})
	if err == nil || !strings.Contains(err.Error(), `"a,b"`) {
		t.Errorf("AddLabels(comma) = %v, want an error naming the label", err)
	}
	if err := f.AddLabels(ctx, mr.IID, nil); err != nil {
		t.Errorf("AddLabels(nil) = %v", err)
	}
	if n := srv.Writes(); n != 1 {
		t.Errorf("%d writes, want no more after refused and empty label lists", n)
	}
}

func TestRequestReviewers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		reviewers []string
		wantIDs   []int
		wantErr   string
		wantPUT   bool
	}{
		{"merges with existing", []string{"alice", "@carol", "bob"}, []int{102, 101, 103}, "", true},
		{"case-insensitive username", []string{"Alice"}, []int{102, 101}, "", true},
		{"already requested", []string{"bob"}, []int{102}, "", false},
		{"unknown users named", []string{"alice", "mallory", "eve"}, []int{102}, "mallory, eve: no such GitLab user", false},
		{"group refused", []string{"acme/sre"}, []int{102}, `"acme/sre": GitLab cannot request a review from a group`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakegitlab.New(t, fakegitlab.Options{})
			mr := srv.AddMR(fakegitlab.MR{SourceBranch: "gito/prod/api", TargetBranch: "main", Title: "t", ReviewerIDs: []int{102}})
			f, _ := newForge(t, srv, nil)
			err := f.RequestReviewers(t.Context(), mr.IID, tt.reviewers)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("RequestReviewers: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("RequestReviewers error = %v, want it to contain %q", err, tt.wantErr)
			}
			if got := onlyMR(t, srv).ReviewerIDs; !slices.Equal(got, tt.wantIDs) {
				t.Errorf("reviewer IDs = %v, want %v", got, tt.wantIDs)
			}
			if got := len(writes(srv)) == 1; got != tt.wantPUT {
				t.Errorf("writes = %+v, want PUT %v", writes(srv), tt.wantPUT)
			}
		})
	}
}

func TestEnableAutoMerge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      fakegitlab.Options
		mr        fakegitlab.MR
		wantState string
		wantAuto  bool
		wantErr   string
	}{
		{name: "pipeline running", mr: fakegitlab.MR{Title: "t"}, wantState: "opened", wantAuto: true},
		{name: "no pipeline merges now", opts: fakegitlab.Options{NoPipeline: true}, mr: fakegitlab.MR{Title: "t"}, wantState: "merged"},
		{name: "draft", mr: fakegitlab.MR{Title: "Draft: t"}, wantState: "opened", wantErr: "not mergeable yet"},
		{name: "closed", mr: fakegitlab.MR{Title: "t", State: "closed"}, wantState: "closed", wantErr: "not mergeable yet"},
		{name: "conflicts", mr: fakegitlab.MR{Title: "t", Conflicts: true}, wantState: "opened", wantErr: "cannot be merged (conflicts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakegitlab.New(t, tt.opts)
			tt.mr.SourceBranch, tt.mr.TargetBranch = "gito/prod/api", "main"
			mr := srv.AddMR(tt.mr)
			f, _ := newForge(t, srv, nil)
			err := f.EnableAutoMerge(t.Context(), mr.IID)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("EnableAutoMerge: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("EnableAutoMerge error = %v, want it to contain %q", err, tt.wantErr)
			}
			got := onlyMR(t, srv)
			if got.State != tt.wantState || got.AutoMerge != tt.wantAuto {
				t.Errorf("MR state %q auto-merge %v, want %q %v", got.State, got.AutoMerge, tt.wantState, tt.wantAuto)
			}
			w := writes(srv)
			if len(w) != 1 || w[0].Path != fmt.Sprintf("/api/v4/projects/group%%2Fsub%%2Finfra/merge_requests/%d/merge", mr.IID) ||
				!strings.Contains(w[0].Body, `"auto_merge":true`) ||
				!strings.Contains(w[0].Body, `"merge_when_pipeline_succeeds":true`) {
				t.Errorf("writes = %+v, want one PUT .../merge with auto_merge and merge_when_pipeline_succeeds", w)
			}
		})
	}
}

func TestProjectAddressing(t *testing.T) {
	t.Parallel()
	projects := []fakegitlab.Project{
		{ID: 42, Path: "group/sub/infra", DefaultBranch: "main"},
		{ID: 7, Path: "acme/platform/deep/er/infra.gitops", DefaultBranch: "trunk"},
	}
	tests := []struct {
		project, wantPath, wantBranch string
	}{
		{"42", "/api/v4/projects/42", "main"},
		{"Group/Sub/Infra", "/api/v4/projects/Group%2FSub%2FInfra", "main"},
		{"/acme/platform/deep/er/infra.gitops/", "/api/v4/projects/acme%2Fplatform%2Fdeep%2Fer%2Finfra%2Egitops", "trunk"},
	}
	for _, tt := range tests {
		t.Run(tt.project, func(t *testing.T) {
			t.Parallel()
			srv := fakegitlab.New(t, fakegitlab.Options{Projects: projects})
			f, _ := newForge(t, srv, func(o *Options) { o.Project = tt.project })
			pr, err := f.CreatePR(t.Context(), forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "t"})
			if err != nil {
				t.Fatalf("CreatePR: %v", err)
			}
			if found, err := f.FindOpenPR(t.Context(), "gito/prod/api"); err != nil || found == nil || found.Number != pr.Number {
				t.Errorf("FindOpenPR = %+v, %v", found, err)
			}
			if got := writes(srv)[0].Path; got != tt.wantPath+"/merge_requests" {
				t.Errorf("POST path = %q, want %q", got, tt.wantPath+"/merge_requests")
			}
		})
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fake     fakegitlab.Options
		edit     func(*Options)
		wantAuth string
		wantErr  string // empty: success
	}{
		{name: "private token", wantAuth: "private-token"},
		{name: "job token where allowed", fake: fakegitlab.Options{JobTokenMergeRequests: true},
			edit: func(o *Options) { o.Token, o.JobToken = fakegitlab.DefaultJobToken, true }, wantAuth: "job-token"},
		{name: "job token refused like GitLab", edit: func(o *Options) { o.Token, o.JobToken = fakegitlab.DefaultJobToken, true },
			wantAuth: "job-token", wantErr: "CI_JOB_TOKEN cannot use the merge request API; set GITLAB_TOKEN"},
		{name: "oauth bearer", edit: func(o *Options) { o.Token, o.OAuth = fakegitlab.DefaultOAuthToken, true }, wantAuth: "bearer"},
		{name: "bad token", edit: func(o *Options) { o.Token = "glpat-wrong-secret" }, wantAuth: "private-token", wantErr: "create merge request h -> main: 401 Unauthorized; check GITLAB_TOKEN"},
		{name: "oauth token sent as private token", edit: func(o *Options) { o.Token = fakegitlab.DefaultOAuthToken },
			wantAuth: "private-token", wantErr: "401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakegitlab.New(t, tt.fake)
			o := options(srv, &sleeps{})
			if tt.edit != nil {
				tt.edit(&o)
			}
			f, err := New(t.Context(), o)
			if err == nil {
				_, err = f.CreatePR(t.Context(), forge.NewPullRequest{Head: "h", Base: "main", Title: "t"})
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
			} else {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if !errors.Is(err, forge.ErrAuth) {
					t.Errorf("err = %v does not wrap forge.ErrAuth", err)
				}
				if strings.Contains(err.Error(), o.Token) || strings.Contains(err.Error(), "\n") {
					t.Errorf("err = %q shows the token or spans lines", err)
				}
			}
			for _, r := range srv.Requests() {
				if r.Auth != tt.wantAuth {
					t.Errorf("%s %s authenticated with %q, want %q", r.Method, r.Path, r.Auth, tt.wantAuth)
				}
			}
		})
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		o       Options
		wantErr string
		auth    bool
	}{
		{"no project", Options{Token: "x"}, "no project", false},
		{"no token", Options{Project: "a/b"}, "no token for project a/b", true},
		{"URL without scheme", Options{Project: "a/b", Token: "x", BaseURL: "gitlab.example.com/api/v4"}, "not an http(s) URL", false},
		{"URL with credentials", Options{Project: "a/b", Token: "x", BaseURL: "https://u:secret-pw@gitlab.example.com"}, "not an http(s) URL", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(t.Context(), tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New = %v, want error containing %q", err, tt.wantErr)
			}
			if errors.Is(err, forge.ErrAuth) != tt.auth {
				t.Errorf("errors.Is(ErrAuth) = %v, want %v", !tt.auth, tt.auth)
			}
			if strings.Contains(err.Error(), "secret-pw") {
				t.Errorf("error shows a password: %v", err)
			}
		})
	}
}

func TestRetry502ThenSuccess(t *testing.T) {
	t.Parallel()
	srv := fakegitlab.New(t, fakegitlab.Options{})
	f, sl := newForge(t, srv, nil)
	srv.FailNext(http.MethodPost, "/projects/*/merge_requests", http.StatusBadGateway, nil, 1)

	pr, err := f.CreatePR(t.Context(), forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "t", Body: "b"})
	if err != nil {
		t.Fatalf("CreatePR: %v", err)
	}
	if pr.Number != 1 || onlyMR(t, srv).Description != "b" {
		t.Errorf("CreatePR = %+v", pr)
	}
	var statuses []int
	for _, w := range writes(srv) {
		statuses = append(statuses, w.Status)
		if !strings.Contains(w.Body, `"title":"t"`) {
			t.Errorf("attempt body = %s, want the replayed JSON", w.Body)
		}
	}
	if want := []int{502, 201}; !slices.Equal(statuses, want) {
		t.Errorf("POST statuses = %v, want %v", statuses, want)
	}
	if got := sl.got(); !slices.Equal(got, []time.Duration{time.Second}) {
		t.Errorf("slept %v, want [1s]", got)
	}
}

// Every attempt reaches the fake once: client-go's own retry loop is off.
func TestRetriesCountedOnce(t *testing.T) {
	t.Parallel()
	srv := fakegitlab.New(t, fakegitlab.Options{})
	f, sl := newForge(t, srv, func(o *Options) { o.Retry.MaxAttempts = 3 })
	srv.FailNext(http.MethodGet, "/projects/*/merge_requests", http.StatusServiceUnavailable, nil, 10)

	_, err := f.FindOpenPR(t.Context(), "gito/prod/api")
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("FindOpenPR = %v, want a 503 error", err)
	}
	lists := 0
	for _, r := range srv.Requests() {
		if r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/merge_requests") {
			lists++
		}
	}
	if lists != 3 {
		t.Errorf("fake saw %d list requests, want 3 (MaxAttempts)", lists)
	}
	if n := len(sl.got()); n != 2 {
		t.Errorf("slept %d times, want 2", n)
	}
}

func TestRetry429(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"Retry-After", map[string]string{"Retry-After": "7"}, 7 * time.Second},
		{"RateLimit-Reset", map[string]string{"RateLimit-Reset": fmt.Sprint(now.Add(20 * time.Second).Unix()), "RateLimit-Remaining": "0"}, 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakegitlab.New(t, fakegitlab.Options{})
			f, sl := newForge(t, srv, func(o *Options) { o.Retry.Now = func() time.Time { return now } })
			srv.FailNext(http.MethodGet, "/users", http.StatusTooManyRequests, tt.header, 1)
			mr := srv.AddMR(fakegitlab.MR{SourceBranch: "gito/prod/api", TargetBranch: "main", Title: "t"})

			if err := f.RequestReviewers(t.Context(), mr.IID, []string{"alice"}); err != nil {
				t.Fatalf("RequestReviewers: %v", err)
			}
			if got := sl.got(); !slices.Equal(got, []time.Duration{tt.want}) {
				t.Errorf("slept %v, want [%v]", got, tt.want)
			}
			if got := onlyMR(t, srv).ReviewerIDs; !slices.Equal(got, []int{101}) {
				t.Errorf("reviewers = %v", got)
			}
		})
	}
}

func TestSelfHostedPrefix(t *testing.T) {
	t.Parallel()
	srv := fakegitlab.New(t, fakegitlab.Options{PathPrefix: "/gitlab"})
	for _, base := range []string{srv.APIURL(), srv.APIURL() + "/", srv.WebURL()} {
		t.Run(base, func(t *testing.T) {
			f, _ := newForge(t, srv, func(o *Options) { o.BaseURL = base })
			pr, err := f.CreatePR(t.Context(), forge.NewPullRequest{Head: "gito/prod/" + fmt.Sprint(len(base)), Base: "main", Title: "t"})
			if err != nil {
				t.Fatalf("CreatePR: %v", err)
			}
			if !strings.HasPrefix(pr.URL, srv.WebURL()+"/group/sub/infra/-/merge_requests/") {
				t.Errorf("URL = %q", pr.URL)
			}
		})
	}
	for _, r := range srv.Requests() {
		if r.Status >= 400 {
			t.Errorf("%s %s answered %d", r.Method, r.Path, r.Status)
		}
	}
}

func TestStripDraft(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Draft: x":     "x",
		"draft:x":      "x",
		"[Draft] x":    "x",
		"(draft) x":    "x",
		"  DRAFT:   x": "x",
		"Drafting x":   "Drafting x",
		"x Draft: y":   "x Draft: y",
	} {
		if got := stripDraft(in); got != want {
			t.Errorf("stripDraft(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProjectReadOnceAndErrors(t *testing.T) {
	t.Parallel()
	srv := fakegitlab.New(t, fakegitlab.Options{})
	f, _ := newForge(t, srv, nil)
	ctx := t.Context()
	srv.FailNext(http.MethodGet, "/projects/*", http.StatusInternalServerError, nil, 4)
	if _, err := f.FindOpenPR(ctx, "gito/prod/api"); err == nil || !strings.Contains(err.Error(), "read project group/sub/infra: 500") {
		t.Fatalf("FindOpenPR during outage = %v, want a 500 error", err)
	}
	for range 2 {
		if _, err := f.FindOpenPR(ctx, "gito/prod/api"); err != nil {
			t.Fatalf("FindOpenPR: %v", err)
		}
	}
	ok := 0
	for _, r := range srv.Requests() {
		if r.Path == "/api/v4/projects/group%2Fsub%2Finfra" && r.Status == http.StatusOK {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("project read %d times after the outage, want once", ok)
	}

	missing, _ := newForge(t, srv, func(o *Options) { o.Project = "group/nope" })
	_, err := missing.FindOpenPR(ctx, "gito/prod/api")
	if err == nil || err.Error() != "gitlab: read project group/nope: not found (404)" {
		t.Errorf("FindOpenPR on a missing project = %v", err)
	}
}

func TestErrorsAreOneLine(t *testing.T) {
	t.Parallel()
	srv := fakegitlab.New(t, fakegitlab.Options{})
	existing := srv.AddMR(fakegitlab.MR{SourceBranch: "gito/prod/api", TargetBranch: "main", Title: "old"})
	f, _ := newForge(t, srv, nil)
	ctx := t.Context()

	_, err := f.CreatePR(ctx, forge.NewPullRequest{Head: "gito/dev/api", Base: "main"})
	if err == nil || err.Error() != "gitlab: create merge request gito/dev/api -> main: 400 title is missing" {
		t.Errorf("CreatePR without title = %v", err)
	}
	_, err = f.UpdatePR(ctx, 99, "t", "b")
	if err == nil || err.Error() != "gitlab: read merge request !99: not found (404)" {
		t.Errorf("UpdatePR(missing) = %v", err)
	}

	// A 409 whose message names no MR (a proxy, an older GitLab) falls back to a lookup.
	srv.FailNext(http.MethodPost, "/projects/*/merge_requests", http.StatusConflict, nil, 1)
	pr, err := f.CreatePR(ctx, forge.NewPullRequest{Head: "gito/prod/api", Base: "main", Title: "new"})
	if err != nil || pr.Number != existing.IID {
		t.Errorf("CreatePR after a bare 409 = %+v, %v; want !%d", pr, err, existing.IID)
	}

	srv.FailNext(http.MethodPut, "/projects/*/merge_requests/*", http.StatusForbidden, nil, 1)
	err = f.AddLabels(ctx, existing.IID, []string{"prod"})
	if !errors.Is(err, forge.ErrAuth) || !strings.Contains(err.Error(), "403 Forbidden") {
		t.Errorf("AddLabels on 403 = %v, want forge.ErrAuth", err)
	}
	if len(srv.MRs()) != 1 {
		t.Errorf("fake holds %d MRs, want 1", len(srv.MRs()))
	}
}

// A server that echoes the token (a misconfigured proxy) must not get it into an error.
func TestTokenScrubbedFromServerText(t *testing.T) {
	t.Parallel()
	f := &Forge{token: "glpat-echoed-secret", project: project}
	err := f.fail("read project x", fmt.Errorf("proxy said glpat-echoed-secret is bad: %w", forge.ErrAuth))
	if strings.Contains(err.Error(), "glpat-echoed-secret") || !errors.Is(err, forge.ErrAuth) {
		t.Errorf("fail = %v; want the token redacted and ErrAuth kept", err)
	}
}
