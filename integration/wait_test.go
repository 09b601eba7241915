package integration

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gito-dev/gito/integration/fakeargocd"
)

// awaitLimit bounds a harness wait for gito to reach a point; reaching it is an event, not
// a sleep, so the limit only turns a hang into a failure.
const awaitLimit = 60 * time.Second

const argoToken = "argocd-fake-token-0123456789abcdef"

func (g *githubFake) merged(n int, sha string) error { return g.s.MergePR(n, sha) }
func (g *githubFake) closed(n int) error             { g.s.ClosePR(n); return nil }
func (g *githubFake) awaitPolls(ctx context.Context, n, count int) error {
	return g.s.AwaitRequests(ctx, "GET", fmt.Sprintf("/repos/acme/infra/pulls/%d", n), count)
}

func (g *gitlabFake) merged(n int, sha string) error { return g.s.MergeMR(n, sha) }
func (g *gitlabFake) closed(n int) error             { return g.s.CloseMR(n) }
func (g *gitlabFake) awaitPolls(ctx context.Context, n, count int) error {
	return g.s.AwaitRequests(ctx, "GET", fmt.Sprintf("/api/v4/projects/group%%2Fsub%%2Finfra/merge_requests/%d", n), count)
}

// forge-merge N: merge PR N's branch into main of $BARE with a merge commit, as the forge's
// merge button does, record it on the fake, and export MERGE_SHA.
func cmdForgeMerge(ts *testscript.TestScript, neg bool, args []string) {
	f := mustForge(ts)
	if len(args) != 1 {
		ts.Fatalf("usage: forge-merge N")
	}
	n, _ := strconv.Atoi(args[0])
	head := ""
	for _, p := range f.prs() {
		if p.Number == n {
			head = p.Head
		}
	}
	if head == "" {
		ts.Fatalf("forge-merge: no PR #%d", n)
	}
	dir := ts.MkAbs(fmt.Sprintf(".merge-%d", n))
	runGit(ts, "", "clone", "-q", ts.Getenv("BARE"), dir)
	runGit(ts, dir, "merge", "-q", "--no-ff", "-m", fmt.Sprintf("Merge pull request #%d from acme/%s", n, head), "origin/"+head)
	pushTo := "origin"
	if host, ok := f.(repoHost); ok {
		pushTo = host.pushURL() // a server's own repository takes pushes only through the server
	}
	runGit(ts, dir, "push", "-q", pushTo, "main")
	sha := strings.TrimSpace(runGit(ts, dir, "rev-parse", "HEAD"))
	ts.Check(f.merged(n, sha))
	ts.Setenv("MERGE_SHA", sha)
}

// forge-close N: close PR N without merging.
func cmdForgeClose(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: forge-close N")
	}
	n, _ := strconv.Atoi(args[0])
	ts.Check(mustForge(ts).closed(n))
}

// forge-await N [COUNT]: block until gito has read PR N COUNT times (default 1).
func cmdForgeAwait(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: forge-await N [COUNT]")
	}
	n, _ := strconv.Atoi(args[0])
	count := 1
	if len(args) == 2 {
		count, _ = strconv.Atoi(args[1])
	}
	ctx, cancel := context.WithTimeout(context.Background(), awaitLimit)
	defer cancel()
	ts.Check(mustForge(ts).awaitPolls(ctx, n, count))
}

// fake-argocd: start the fake Argo CD and point gito at it (ARGOCD_SERVER as a URL, so
// http is kept; ARGOCD_AUTH_TOKEN; a fast first poll interval).
func cmdFakeArgoCD(ts *testscript.TestScript, neg bool, args []string) {
	st := state(ts)
	st.argocd = fakeargocd.New(st.t, argoToken)
	ts.Setenv("ARGOCD_SERVER", st.argocd.URL)
	ts.Setenv("ARGOCD_AUTH_TOKEN", argoToken)
	ts.Setenv("ARGOCD_TOKEN_VALUE", argoToken)
	ts.Setenv("GITO_WAIT_INTERVAL", "20ms")
}

// argocd-app NAME [sync=S] [revision=R] [health=H] [message=M] [forbidden]: set an
// Application's state; unset keys keep their value.
func cmdArgoCDApp(ts *testscript.TestScript, neg bool, args []string) {
	s := mustArgoCD(ts)
	if len(args) < 1 {
		ts.Fatalf("usage: argocd-app NAME [sync=S] [revision=R] [health=H] [message=M] [forbidden]")
	}
	app, _ := s.App(args[0])
	for _, a := range args[1:] {
		k, v, _ := strings.Cut(a, "=")
		switch k {
		case "sync":
			app.SyncStatus = v
		case "revision":
			app.Revision = v
		case "health":
			app.Health = v
		case "message":
			app.Message = v
		case "forbidden":
			app.Forbidden = true
		default:
			ts.Fatalf("argocd-app: unknown key %q", k)
		}
	}
	s.SetApp(args[0], app)
}

// argocd-fail STATUS|drop TIMES: the next TIMES reads answer STATUS, or drop the connection
// (TIMES 0 clears what is still queued).
func cmdArgoCDFail(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: argocd-fail STATUS|drop TIMES")
	}
	status, err := strconv.Atoi(args[0])
	if args[0] == "drop" {
		status, err = 0, nil
	}
	times, err2 := strconv.Atoi(args[1])
	if err != nil || err2 != nil {
		ts.Fatalf("usage: argocd-fail STATUS|drop TIMES")
	}
	mustArgoCD(ts).Fail(status, times)
}

// argocd-await NAME COUNT: block until gito has read the Application COUNT times.
func cmdArgoCDAwait(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: argocd-await NAME COUNT")
	}
	n, _ := strconv.Atoi(args[1])
	ctx, cancel := context.WithTimeout(context.Background(), awaitLimit)
	defer cancel()
	ts.Check(mustArgoCD(ts).AwaitPolls(ctx, args[0], n))
}

func mustArgoCD(ts *testscript.TestScript) *fakeargocd.Server {
	s := state(ts).argocd
	if s == nil {
		ts.Fatalf("no fake Argo CD: run fake-argocd first")
	}
	return s
}
