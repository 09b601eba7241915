package integration

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/gito-dev/gito/integration/fakegithub"
	"github.com/gito-dev/gito/integration/fakegitlab"
)

// forgeTable is every server the forge scripts (testdata/script/forge) run against; a script
// runs once per row. A new forge needs a row, and a fakeForge for its server.
var forgeTable = []forgeRow{
	{name: "github", kind: "github", start: func(t testing.TB, _ any, prefix string) fakeForge { return newGitHubFake(t, prefix) }},
	{name: "gitlab", kind: "gitlab", start: func(t testing.TB, _ any, prefix string) fakeForge { return newGitLabFake(t, prefix) }},
	{name: "gitea", kind: "gitea", prepare: prepareGitea, start: startGitea, scripts: "testdata/script/gitea"},
	{name: "github-app", kind: "github", start: func(t testing.TB, _ any, prefix string) fakeForge { return newGitHubAppFake(t, prefix) }},
}

type forgeRow struct {
	name string // the subtest, and the script condition [forge:NAME]
	kind string // forge.type in .gito.yaml; [forge:KIND] matches too
	// prepare runs once per test run before any script (the Gitea template); what it
	// returns is handed to every start. Nil: nothing to share.
	prepare func(t *testing.T) any
	// start brings up this row's server for one script, under a self-hosted path prefix.
	start func(t testing.TB, shared any, prefix string) fakeForge
	// scripts is a directory of scripts only this row runs, besides the forge scripts.
	scripts string
}

// fakeForge hides the differences between the servers so one script runs against all.
type fakeForge interface {
	kind() string
	apiURL() string
	project() string
	// tokenEnv is the variable gito reads the credential from for this server's host.
	tokenEnv() string
	// goodToken is the value of tokenEnv that works.
	goodToken() string
	// secret is what must never show in output, argv or files: the token itself, or for a
	// GitHub App the prefix of every installation token the fake issues.
	secret() string
	// badToken is a credential of the right form that the server refuses.
	badToken() string
	// env holds other variables gito needs for this server (the App ID, GITEA_HOST).
	env() map[string]string
	// reviewers are users the fake knows.
	reviewers() []string
	prs() []prView
	writes() int
	// fail makes the next `times` requests of a logical operation answer status.
	fail(op string, status int, retryAfter string, times int)
	// merged records PR n as merged at sha; closed closes it unmerged (wait_test.go).
	merged(n int, sha string) error
	closed(n int) error
	// awaitPolls blocks until PR n has been read count times.
	awaitPolls(ctx context.Context, n, count int) error
}

// prView is a forge-neutral PR/MR, printed by the forge-prs command.
type prView struct {
	Number    int
	State     string
	Head      string
	Base      string
	Draft     bool
	AutoMerge bool
	Title     string
	Body      string
	Labels    []string
	Reviewers []string
}

func (p prView) line() string {
	labels := append([]string(nil), p.Labels...)
	sort.Strings(labels)
	reviewers := append([]string(nil), p.Reviewers...)
	sort.Strings(reviewers)
	return fmt.Sprintf("#%d %s %s -> %s draft=%t automerge=%t labels=%s reviewers=%s title=%q",
		p.Number, p.State, p.Head, p.Base, p.Draft, p.AutoMerge,
		strings.Join(labels, ","), strings.Join(reviewers, ","), p.Title)
}

// ---- GitHub ----

type githubFake struct {
	s     *fakegithub.Server
	token string
}

const ghToken = "ghp_fakeTokenForGitoIntegration0001"

func newGitHubFake(t testing.TB, prefix string) *githubFake {
	return &githubFake{s: fakegithub.New(t, fakegithub.Options{Token: ghToken, Owner: "acme", Repo: "infra", PathPrefix: prefix, PerPage: 2}), token: ghToken}
}

func (g *githubFake) kind() string     { return "github" }
func (g *githubFake) secret() string   { return g.token }
func (g *githubFake) badToken() string { return "not-the-right-token" }
func (g *githubFake) env() map[string]string {
	return nil
}
func (g *githubFake) apiURL() string      { return g.s.APIURL() }
func (g *githubFake) project() string     { return "acme/infra" }
func (g *githubFake) tokenEnv() string    { return "GH_ENTERPRISE_TOKEN" } // 127.0.0.1 is not github.com
func (g *githubFake) goodToken() string   { return g.token }
func (g *githubFake) reviewers() []string { return []string{"alice", "acme/sre"} }
func (g *githubFake) writes() int         { return g.s.Writes() }

func (g *githubFake) prs() []prView {
	var out []prView
	for _, p := range g.s.PRs() {
		reviewers := append(append([]string(nil), p.Reviewers...), p.TeamReviewers...)
		for i, r := range reviewers[len(p.Reviewers):] {
			reviewers[len(p.Reviewers)+i] = "acme/" + r
		}
		out = append(out, prView{Number: p.Number, State: p.State, Head: p.Head, Base: p.Base, Draft: p.Draft,
			AutoMerge: p.AutoMerge, Title: p.Title, Body: p.Body, Labels: p.Labels, Reviewers: reviewers})
	}
	return out
}

var githubOps = map[string][2]string{
	"list":   {"GET", "/repos/acme/infra/pulls"},
	"create": {"POST", "/repos/acme/infra/pulls"},
	"update": {"PATCH", "/repos/acme/infra/pulls/*"},
	"labels": {"POST", "/repos/acme/infra/issues/*/labels"},
}

func (g *githubFake) fail(op string, status int, retryAfter string, times int) {
	o := githubOps[op]
	h := map[string]string{}
	if retryAfter != "" {
		h["Retry-After"] = retryAfter
	}
	g.s.FailNext(o[0], o[1], status, h, times)
}

// ---- GitLab ----

type gitlabFake struct{ s *fakegitlab.Server }

func newGitLabFake(t testing.TB, prefix string) *gitlabFake {
	return &gitlabFake{s: fakegitlab.New(t, fakegitlab.Options{PathPrefix: prefix, MaxPerPage: 2})}
}

func (g *gitlabFake) kind() string     { return "gitlab" }
func (g *gitlabFake) secret() string   { return fakegitlab.DefaultPrivateToken }
func (g *gitlabFake) badToken() string { return "not-the-right-token" }
func (g *gitlabFake) env() map[string]string {
	return nil
}
func (g *gitlabFake) apiURL() string      { return g.s.APIURL() }
func (g *gitlabFake) project() string     { return "group/sub/infra" }
func (g *gitlabFake) tokenEnv() string    { return "GITLAB_TOKEN" }
func (g *gitlabFake) goodToken() string   { return fakegitlab.DefaultPrivateToken }
func (g *gitlabFake) reviewers() []string { return []string{"alice", "bob"} }
func (g *gitlabFake) writes() int         { return g.s.Writes() }

var gitlabUsers = map[int]string{101: "alice", 102: "bob", 103: "carol"}

func (g *gitlabFake) prs() []prView {
	var out []prView
	for _, m := range g.s.MRs() {
		var reviewers []string
		for _, id := range m.ReviewerIDs {
			reviewers = append(reviewers, gitlabUsers[id])
		}
		state := m.State
		if state == "opened" {
			state = "open"
		}
		title := strings.TrimSpace(strings.TrimPrefix(m.Title, "Draft:"))
		out = append(out, prView{Number: m.IID, State: state, Head: m.SourceBranch, Base: m.TargetBranch,
			Draft: m.Draft(), AutoMerge: m.AutoMerge, Title: title, Body: m.Description, Labels: m.Labels, Reviewers: reviewers})
	}
	return out
}

var gitlabOps = map[string][2]string{
	"list":   {"GET", "/projects/group%2Fsub%2Finfra/merge_requests"},
	"create": {"POST", "/projects/group%2Fsub%2Finfra/merge_requests"},
	"update": {"PUT", "/projects/group%2Fsub%2Finfra/merge_requests/*"},
	"labels": {"PUT", "/projects/group%2Fsub%2Finfra/merge_requests/*"},
}

func (g *gitlabFake) fail(op string, status int, retryAfter string, times int) {
	o := gitlabOps[op]
	h := map[string]string{}
	if retryAfter != "" {
		h["Retry-After"] = retryAfter
	}
	g.s.FailNext(o[0], o[1], status, h, times)
}

// The forge-prs line is what every script matches; pin its format, sorted labels and
// reviewers included, so both fakes print the same thing for the same PR.
func TestPRViewLine(t *testing.T) {
	t.Parallel()
	p := prView{Number: 3, State: "open", Head: "gito/prod/api", Base: "main", Draft: true,
		Title: `Release "api"`, Labels: []string{"release", "prod"}, Reviewers: []string{"bob", "alice"}}
	want := `#3 open gito/prod/api -> main draft=true automerge=false labels=prod,release reviewers=alice,bob title="Release \"api\""`
	if got := p.line(); got != want {
		t.Errorf("line() =\n%s\nwant\n%s", got, want)
	}
	if p.Labels[0] != "release" {
		t.Error("line() must not reorder the PR's own labels")
	}
}
