package integration

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gito-dev/gito/integration/giteaserver"
)

// ---- Gitea (a real server) ----

// giteaForge is a real Gitea, fresh from the template for each script, with the repository
// acme/infra under the organization acme (created by `infra`).
type giteaForge struct {
	s *giteaserver.Server
}

func prepareGitea(t *testing.T) any {
	tpl := giteaserver.NewTemplate(t)
	t.Logf("gitea template ready in %s", tpl.Startup)
	return tpl
}

func startGitea(t testing.TB, shared any, prefix string) fakeForge {
	s := shared.(*giteaserver.Template).Start(t, prefix)
	t.Logf("gitea server started in %s", s.Startup)
	return &giteaForge{s: s}
}

func (g *giteaForge) kind() string      { return "gitea" }
func (g *giteaForge) apiURL() string    { return g.s.APIURL() }
func (g *giteaForge) project() string   { return giteaserver.Org + "/infra" }
func (g *giteaForge) tokenEnv() string  { return "GITEA_TOKEN" }
func (g *giteaForge) goodToken() string { return g.s.Token() }
func (g *giteaForge) secret() string    { return g.s.Token() }
func (g *giteaForge) badToken() string  { return "not-the-right-token" }
func (g *giteaForge) reviewers() []string {
	return []string{"alice", giteaserver.Org + "/" + giteaserver.Team}
}
func (g *giteaForge) writes() int { return g.s.Writes() }

// env names the server's host in GITEA_HOST: 127.0.0.1 says nothing about the forge it runs,
// and gito hands git the token only for a host it can place.
func (g *giteaForge) env() map[string]string {
	u, _ := url.Parse(g.s.URL)
	return map[string]string{"GITEA_HOST": u.Host}
}

func (g *giteaForge) prs() []prView {
	prs, err := g.s.PRs(context.Background(), giteaserver.Org, "infra")
	if err != nil {
		panic(fmt.Sprintf("gitea: list pull requests: %v", err))
	}
	out := make([]prView, 0, len(prs))
	for _, p := range prs {
		title := strings.TrimSpace(strings.TrimPrefix(p.Title, "WIP:"))
		out = append(out, prView{Number: p.Number, State: p.State, Head: p.Head, Base: p.Base, Draft: p.Draft,
			AutoMerge: p.AutoMerge, Title: title, Body: p.Body, Labels: p.Labels, Reviewers: p.Reviewers})
	}
	return out
}

var giteaOps = map[string][2]string{
	"list":   {"GET", "/repos/acme/infra/pulls"},
	"create": {"POST", "/repos/acme/infra/pulls"},
	"update": {"PATCH", "/repos/acme/infra/pulls/*"},
	"labels": {"POST", "/repos/acme/infra/issues/*/labels"},
}

func (g *giteaForge) fail(op string, status int, retryAfter string, times int) {
	o, ok := giteaOps[op]
	if !ok {
		panic("gitea: no operation " + op)
	}
	h := map[string]string{}
	if retryAfter != "" {
		h["Retry-After"] = retryAfter
	}
	g.s.FailNext(o[0], o[1], status, h, times)
}

// repoHost is a server that keeps the git repositories itself: `infra` creates the
// repository there and pushes the fixture, and `land` pushes through it.
type repoHost interface {
	// createInfra makes the repository from the committed work tree at src and returns the
	// remote gito uses and the bare directory the script reads.
	createInfra(ts *testscript.TestScript, name, src string) (remote, bare string)
	// pushURL is where the harness pushes (with credentials gito never sees).
	pushURL() string
}

func (g *giteaForge) createInfra(ts *testscript.TestScript, name, src string) (string, string) {
	if name != "infra" {
		ts.Fatalf("infra: the Gitea repository is acme/infra, not %s", name)
	}
	ctx := context.Background()
	ts.Check(g.s.CreateRepo(ctx, giteaserver.Org, name, true))
	runGit(ts, src, "push", "-q", g.pushURL(), "main")
	ts.Check(g.s.WaitPullsReady(ctx, giteaserver.Org, name))
	// A required status check keeps an auto-merge scheduled (and the PR open) as on a repo
	// with CI, instead of merging at once.
	ts.Check(g.s.RequireStatusCheck(ctx, giteaserver.Org, name, "main"))
	ts.Check(g.s.API(ctx, "PATCH", "/repos/acme/"+name, map[string]any{"allow_manual_merge": true}, nil))
	return g.s.GitURL(giteaserver.Org, name), g.s.RepoDir(giteaserver.Org, name)
}

func (g *giteaForge) pushURL() string { return g.s.PushURL(giteaserver.Org, "infra") }

// infraPushURL is where the harness pushes to change the infra repository: $BARE, or the
// server that keeps it (which takes pushes only through itself).
func infraPushURL(ts *testscript.TestScript) string {
	if host, ok := state(ts).forge.(repoHost); ok {
		return host.pushURL()
	}
	return ts.Getenv("BARE")
}

// push-main DIR: push main of the clone DIR to the infra repository, as a merged change
// would land there.
func cmdPushMain(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: push-main DIR")
	}
	runGit(ts, ts.MkAbs(args[0]), "push", "-q", infraPushURL(ts), "main")
}

// gitea-repo NAME [user]: create another repository NAME with one commit (under the
// organization, or with user under the bot's own account) and export REPO_REMOTE and
// REPO_PROJECT. Labels: gitea-label NAME LABEL adds a repository label.
func cmdGiteaRepo(ts *testscript.TestScript, neg bool, args []string) {
	g := mustGitea(ts)
	if len(args) < 1 || len(args) > 2 || (len(args) == 2 && args[1] != "user") {
		ts.Fatalf("usage: gitea-repo NAME [user]")
	}
	owner, org := giteaserver.Org, true
	if len(args) == 2 {
		owner, org = giteaserver.Bot, false
	}
	name := args[0]
	ctx := context.Background()
	ts.Check(g.s.CreateRepo(ctx, owner, name, org))
	work := ts.MkAbs(".gitea-src-" + name)
	copyTree(ts, state(ts).fixture, work)
	yaml := strings.Replace(gitoYAML(state(ts), false, false), "project: "+g.project(), "project: "+owner+"/"+name, 1)
	ts.Check(os.WriteFile(filepath.Join(work, ".gito.yaml"), []byte(yaml), 0o644))
	runGit(ts, work, "init", "-q", "-b", "main")
	runGit(ts, work, "add", "-A")
	runGit(ts, work, "commit", "-q", "-m", "Initial infra")
	u, _ := url.Parse(g.s.GitURL(owner, name))
	u.User = url.UserPassword(giteaserver.Bot, g.s.Token())
	runGit(ts, work, "push", "-q", u.String(), "main")
	ts.Check(g.s.WaitPullsReady(ctx, owner, name))
	ts.Setenv("REPO_REMOTE", g.s.GitURL(owner, name))
	ts.Setenv("REPO_BARE", g.s.RepoDir(owner, name))
	ts.Setenv("REPO_PROJECT", owner+"/"+name)
}

// gitea-label OWNER/REPO LABEL: add a label to the repository itself.
func cmdGiteaLabel(ts *testscript.TestScript, neg bool, args []string) {
	g := mustGitea(ts)
	if len(args) != 2 {
		ts.Fatalf("usage: gitea-label OWNER/REPO LABEL")
	}
	owner, repo, _ := strings.Cut(args[0], "/")
	id, err := g.s.CreateLabel(context.Background(), owner, repo, args[1])
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "%d\n", id)
}

// gitea-public OWNER/REPO: make the repository public, so git reads it without a token.
func cmdGiteaPublic(ts *testscript.TestScript, neg bool, args []string) {
	g := mustGitea(ts)
	if len(args) != 1 {
		ts.Fatalf("usage: gitea-public OWNER/REPO")
	}
	ts.Check(g.s.API(context.Background(), "PATCH", "/repos/"+args[0], map[string]any{"private": false}, nil))
}

// gitea-prs OWNER/REPO: forge-prs for another repository of the Gitea.
func cmdGiteaPRs(ts *testscript.TestScript, neg bool, args []string) {
	g := mustGitea(ts)
	if len(args) != 1 {
		ts.Fatalf("usage: gitea-prs OWNER/REPO")
	}
	owner, repo, _ := strings.Cut(args[0], "/")
	prs, err := g.s.PRs(context.Background(), owner, repo)
	ts.Check(err)
	for _, p := range prs {
		title := strings.TrimSpace(strings.TrimPrefix(p.Title, "WIP:"))
		fmt.Fprintln(ts.Stdout(), prView{Number: p.Number, State: p.State, Head: p.Head, Base: p.Base, Draft: p.Draft,
			AutoMerge: p.AutoMerge, Title: title, Labels: p.Labels, Reviewers: p.Reviewers}.line())
		fmt.Fprintf(ts.Stdout(), "#%d raw title=%q\n", p.Number, p.Title)
	}
}

func mustGitea(ts *testscript.TestScript) *giteaForge {
	g, ok := state(ts).forge.(*giteaForge)
	if !ok {
		ts.Fatalf("not a Gitea script: run fake-forge with FORGE=gitea first")
	}
	return g
}

// merged records PR n as merged by sha, which the harness already pushed to main: Gitea's
// "manually merged" (the repository allows it, see createInfra).
func (g *giteaForge) merged(n int, sha string) error {
	return g.s.API(context.Background(), "POST", fmt.Sprintf("/repos/acme/infra/pulls/%d/merge", n),
		map[string]any{"Do": "manually-merged", "MergeCommitID": sha}, nil)
}

func (g *giteaForge) closed(n int) error {
	return g.s.API(context.Background(), "PATCH", fmt.Sprintf("/repos/acme/infra/pulls/%d", n), map[string]any{"state": "closed"}, nil)
}

func (g *giteaForge) awaitPolls(ctx context.Context, n, count int) error {
	return g.s.AwaitGets(ctx, fmt.Sprintf("/repos/acme/infra/pulls/%d", n), count)
}
