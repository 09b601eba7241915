package fakegithub_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gito-dev/gito/integration/fakegithub"
)

const token = "ghp_FAKE"

type result struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, method, url, auth, body string) result {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{resp.StatusCode, resp.Header, string(b)}
}

func TestAuthEnforced(t *testing.T) {
	t.Parallel()
	s := fakegithub.New(t, fakegithub.Options{Token: token})
	repo := s.APIURL() + "repos/acme/infra"
	tests := []struct {
		auth string
		want int
	}{
		{"Bearer " + token, 200},
		{"token " + token, 200},
		{"", 401},
		{"Bearer wrong", 401},
		{token, 401},
		{"Basic " + token, 401},
	}
	for _, tt := range tests {
		got := do(t, "GET", repo, tt.auth, "")
		if got.status != tt.want {
			t.Errorf("Authorization %q: status %d, want %d", tt.auth, got.status, tt.want)
		}
		if tt.want == 401 && !strings.Contains(got.body, `"message":"Bad credentials"`) {
			t.Errorf("401 body = %s", got.body)
		}
	}
	for _, r := range s.Requests() {
		if strings.Contains(r.Body+r.Query+r.Path, token) {
			t.Errorf("request record holds the token: %+v", r)
		}
	}
	if got := do(t, "POST", s.GraphQLURL(), "", `{"query":"mutation { enablePullRequestAutoMerge }"}`); got.status != 401 {
		t.Errorf("GraphQL without auth: %d, want 401", got.status)
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	s := fakegithub.New(t, fakegithub.Options{Token: token})
	pulls := s.APIURL() + "repos/acme/infra/pulls"
	auth := "Bearer " + token
	tests := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"missing everything", `{}`, 422, `"errors":[{"code":"missing_field","field":"title","resource":"PullRequest"},{"code":"missing_field","field":"head","resource":"PullRequest"},{"code":"missing_field","field":"base","resource":"PullRequest"}]`},
		{"missing base", `{"title":"t","head":"b"}`, 422, `"field":"base"`},
		{"wrong field name is ignored, so head is missing", `{"title":"t","source_branch":"b","base":"main"}`, 422, `"field":"head"`},
		{"wrong type", `{"title":"t","head":"b","base":"main","draft":"yes"}`, 422, `Invalid request`},
		{"not JSON", `{`, 400, `Problems parsing JSON`},
		{"same branch", `{"title":"t","head":"main","base":"main"}`, 422, `No commits between main and main`},
		{"body over 65536 characters", `{"title":"t","head":"c","base":"main","body":"` + strings.Repeat("é", 65537) + `"}`, 422, `body is too long (maximum is 65536 characters)`},
		{"ok", `{"title":"t","head":"acme:b","base":"main","draft":true}`, 201, `"number":1`},
		{"duplicate", `{"title":"t2","head":"b","base":"main"}`, 422, `A pull request already exists for acme:b.`},
		{"same head, other base", `{"title":"t3","head":"b","base":"release"}`, 201, `"number":2`},
	}
	for _, tt := range tests {
		got := do(t, "POST", pulls, auth, tt.body)
		if got.status != tt.status || !strings.Contains(got.body, tt.want) {
			t.Errorf("%s: %d %s\nwant %d containing %s", tt.name, got.status, got.body, tt.status, tt.want)
		}
		if tt.status == 422 && !strings.Contains(got.body, `"message":"`) {
			t.Errorf("%s: 422 without GitHub's message field: %s", tt.name, got.body)
		}
	}
	prs := s.PRs()
	if len(prs) != 2 || prs[0].Head != "b" || prs[0].HeadOwner != "acme" || !prs[0].Draft || prs[1].Base != "release" {
		t.Errorf("PRs = %+v", prs)
	}
	if s.Writes() != len(tests) {
		t.Errorf("Writes = %d, want %d", s.Writes(), len(tests))
	}
}

func TestPathsAndRepos(t *testing.T) {
	t.Parallel()
	s := fakegithub.New(t, fakegithub.Options{Token: token, PathPrefix: "/api/v3"})
	auth := "Bearer " + token
	s.AddPR(fakegithub.PR{Title: "t", Head: "b", Base: "main"})
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/api/v3/repos/acme/infra", 200},
		{"GET", "/api/v3/repos/ACME/Infra", 200},
		{"GET", "/api/v3/repos/acme/other", 404},
		{"GET", "/api/v3/repos/other/infra/pulls", 404},
		{"GET", "/repos/acme/infra", 404}, // GHES serves the API only under /api/v3
		{"GET", "/api/v3/repos/acme/infra/pulls/1", 200},
		{"GET", "/api/v3/repos/acme/infra/pulls/2", 404},
		{"GET", "/api/v3/repos/acme/infra/pulls/01", 404},
		{"GET", "/api/v3/repos/acme/infra/pull/1", 404},
		{"DELETE", "/api/v3/repos/acme/infra/pulls/1", 404},
		{"POST", "/graphql", 404}, // GHES GraphQL lives at /api/graphql
	}
	for _, tt := range tests {
		if got := do(t, tt.method, s.URL+tt.path, auth, ""); got.status != tt.want {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, got.status, tt.want)
		}
	}
	if got := s.GraphQLURL(); got != s.URL+"/api/graphql" {
		t.Errorf("GraphQLURL = %s", got)
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	s := fakegithub.New(t, fakegithub.Options{Token: token, PerPage: 3})
	for range 7 {
		s.AddPR(fakegithub.PR{Title: "t", Head: "b", Base: "main", HeadOwner: "someone"})
	}
	s.AddPR(fakegithub.PR{Title: "closed", Head: "c", Base: "main", State: "closed"})
	auth := "Bearer " + token
	numbers := func(body string) []int {
		var prs []struct{ Number int }
		if err := json.Unmarshal([]byte(body), &prs); err != nil {
			t.Fatalf("list body %s: %v", body, err)
		}
		var out []int
		for _, p := range prs {
			out = append(out, p.Number)
		}
		return out
	}

	first := do(t, "GET", s.APIURL()+"repos/acme/infra/pulls?state=open", auth, "")
	if got := numbers(first.body); len(got) != 3 || got[0] != 7 {
		t.Errorf("page 1 = %v, want 3 newest first", got)
	}
	link := first.header.Get("Link")
	if !strings.Contains(link, `page=2`) || !strings.Contains(link, `rel="next"`) || !strings.Contains(link, `page=3&state=open>; rel="last"`) {
		t.Errorf("Link = %s", link)
	}
	last := do(t, "GET", s.APIURL()+"repos/acme/infra/pulls?page=3", auth, "")
	if got := numbers(last.body); len(got) != 1 || got[0] != 1 {
		t.Errorf("page 3 = %v, want [1]", got)
	}
	if l := last.header.Get("Link"); strings.Contains(l, `rel="next"`) || !strings.Contains(l, `rel="prev"`) {
		t.Errorf("last page Link = %s", l)
	}
	big := do(t, "GET", s.APIURL()+"repos/acme/infra/pulls?per_page=100&state=all", auth, "")
	if got := numbers(big.body); len(got) != 8 || big.header.Get("Link") != "" {
		t.Errorf("per_page=100 state=all = %v (Link %q), want all 8 and no Link", got, big.header.Get("Link"))
	}
	filtered := do(t, "GET", s.APIURL()+"repos/acme/infra/pulls?head=acme:b", auth, "")
	if got := numbers(filtered.body); len(got) != 0 {
		t.Errorf("head=acme:b = %v, want none (the PRs are someone's)", got)
	}
	bySomeone := do(t, "GET", s.APIURL()+"repos/acme/infra/pulls?head=someone:b&per_page=100", auth, "")
	if got := numbers(bySomeone.body); len(got) != 7 {
		t.Errorf("head=someone:b = %v, want 7", got)
	}
}

func TestLabelsReviewersAndAutoMerge(t *testing.T) {
	t.Parallel()
	s := fakegithub.New(t, fakegithub.Options{Token: token})
	pr := s.AddPR(fakegithub.PR{Title: "t", Head: "b", Base: "main"})
	auth := "Bearer " + token
	base := s.APIURL() + "repos/acme/infra/"
	steps := []struct {
		method, url, body string
		want              int
	}{
		{"POST", base + "issues/1/labels", `["a","b"]`, 200},
		{"POST", base + "issues/1/labels", `{"labels":["b","c"]}`, 200},
		{"POST", base + "issues/1/labels", `{"names":["x"]}`, 422},
		{"POST", base + "pulls/1/requested_reviewers", `{"reviewers":["alice"],"team_reviewers":["sre"]}`, 201},
		{"POST", base + "pulls/1/requested_reviewers", `{"team_reviewers":["acme/sre"]}`, 422},
		{"POST", base + "pulls/1/requested_reviewers", `{"users":["bob"]}`, 422},
		{"POST", s.GraphQLURL(), `{"query":"mutation($id: ID!) { enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: SQUASH}) { pullRequest { number } } }","variables":{"id":"` + pr.NodeID + `"}}`, 200},
	}
	for _, st := range steps {
		if got := do(t, st.method, st.url, auth, st.body); got.status != st.want {
			t.Errorf("%s %s %s: %d %s, want %d", st.method, st.url, st.body, got.status, got.body, st.want)
		}
	}
	got := s.PRs()[0]
	if strings.Join(got.Labels, ",") != "a,b,c" || strings.Join(got.Reviewers, ",") != "alice" || strings.Join(got.TeamReviewers, ",") != "sre" {
		t.Errorf("PR = %+v", got)
	}
	if !got.AutoMerge || got.MergeMethod != "SQUASH" {
		t.Errorf("auto-merge = %v %q, want true SQUASH", got.AutoMerge, got.MergeMethod)
	}
	unknown := do(t, "POST", s.GraphQLURL(), auth, `{"query":"mutation { enablePullRequestAutoMerge(input: {pullRequestId: \"PR_nope\"}) { clientMutationId } }"}`)
	if unknown.status != 200 || !strings.Contains(unknown.body, `"type":"NOT_FOUND"`) {
		t.Errorf("unknown node id: %d %s", unknown.status, unknown.body)
	}
}

func TestFailNext(t *testing.T) {
	t.Parallel()
	s := fakegithub.New(t, fakegithub.Options{Token: token})
	s.FailNext("GET", "/repos/*/*", http.StatusTooManyRequests, map[string]string{"Retry-After": "9"}, 2)
	s.FailNext("*", "/repos/acme/infra", http.StatusBadGateway, nil, 1)
	url := s.APIURL() + "repos/acme/infra"
	// Faults fire before auth: a proxy or rate limiter answers first.
	want := []int{429, 429, 502, 401, 200}
	auths := []string{"Bearer " + token, "Bearer " + token, "", "", "Bearer " + token}
	for i, w := range want {
		got := do(t, "GET", url, auths[i], "")
		if got.status != w {
			t.Errorf("request %d: %d, want %d", i+1, got.status, w)
		}
		if w == 429 && got.header.Get("Retry-After") != "9" {
			t.Errorf("request %d: Retry-After %q", i+1, got.header.Get("Retry-After"))
		}
	}
	reqs := s.Requests()
	if len(reqs) != 5 || reqs[0].Status != 429 || reqs[3].AuthOK || !reqs[4].AuthOK {
		t.Errorf("requests = %+v", reqs)
	}
	if s.Writes() != 0 {
		t.Errorf("Writes = %d after GETs only", s.Writes())
	}
}
