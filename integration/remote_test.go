package integration

import (
	"os"

	"github.com/rogpeppe/go-internal/testscript"
)

// remote NAME DIR: commit the files under $WORK/DIR (a tree the script writes) as the first
// commit of a bare remote $WORK/NAME.git, and export BARE and REMOTE. Unlike infra, the
// repo holds only what the script says: for repo shapes other than the fixture's.
func cmdRemote(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: remote NAME DIR")
	}
	work := ts.MkAbs(args[1])
	bare := ts.MkAbs(args[0] + ".git")
	runGit(ts, work, "init", "-q", "-b", "main")
	runGit(ts, work, "add", "-A")
	runGit(ts, work, "commit", "-q", "-m", "Initial infra")
	runGit(ts, "", "init", "-q", "--bare", "-b", "main", bare)
	runGit(ts, bare, "config", "uploadpack.allowFilter", "true")
	runGit(ts, bare, "config", "uploadpack.allowAnySHA1InWant", "true")
	runGit(ts, work, "push", "-q", bare, "main")
	ts.Setenv("BARE", bare)
	ts.Setenv("REMOTE", bare)
}

// merge-branch BRANCH: merge the pushed BRANCH of $BARE into main, as a merged pull
// request would, so history and rollback see it on the base.
func cmdMergeBranch(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: merge-branch BRANCH")
	}
	dir, err := os.MkdirTemp(ts.MkAbs("."), ".merge-")
	ts.Check(err)
	runGit(ts, "", "clone", "-q", ts.Getenv("BARE"), dir)
	runGit(ts, dir, "merge", "-q", "--no-ff", "-m", "Merge pull request #7 from "+args[0], "origin/"+args[0])
	runGit(ts, dir, "push", "-q", "origin", "main")
}
