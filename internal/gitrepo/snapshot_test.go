package gitrepo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

func TestCommitPushAndLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bare := gitserver.NewBare(t, sampleFiles)
	g, _ := newGit(t)
	r := openRepo(t, g, t.TempDir(), bare, Auth{})
	const branch = "gito/prod/api"
	file := "overlays/prod/api/kustomization.yaml"

	release := func(tag string, opts CommitOptions) string {
		t.Helper()
		w := newSnapshot(t, r, RemoteRef("main"))
		writeFile(t, filepath.Join(w.Path(), file), "images:\n  - name: api\n    newTag: "+tag+"\n")
		opts.Message = "release api " + tag + "\n\nGito-Version: " + tag + "\n"
		opts.Paths = []string{file}
		sha, err := w.Commit(ctx, opts)
		if err != nil {
			t.Fatalf("Commit(%s): %v", tag, err)
		}
		return sha
	}

	// Item 8: with no identity anywhere, gito refuses instead of inventing one.
	{
		w := newSnapshot(t, r, RemoteRef("main"))
		writeFile(t, filepath.Join(w.Path(), file), "images:\n  - name: api\n    newTag: v0\n")
		if _, err := w.Commit(ctx, CommitOptions{Message: "x", Paths: []string{file}}); !errors.Is(err, ErrNoIdentity) {
			t.Fatalf("Commit without an identity = %v, want ErrNoIdentity", err)
		}
	}
	first := release("v2", CommitOptions{AuthorEmail: "dev@example.com"})
	if err := r.Push(ctx, PushOptions{SHA: first, Branch: branch, DryRun: true}); err != nil {
		t.Fatalf("dry-run Push: %v", err)
	}
	if got := gitserver.Head(t, bare, branch); got != "" {
		t.Fatalf("dry run created the branch at %s", got)
	}
	if err := r.Push(ctx, PushOptions{SHA: first, Branch: branch}); err != nil {
		t.Fatalf("Push new branch: %v", err)
	}
	if got := gitserver.Head(t, bare, branch); got != first {
		t.Fatalf("remote branch at %q, want %q", got, first)
	}
	// Pushing what is already there is a no-op, whatever the lease.
	if err := r.Push(ctx, PushOptions{SHA: first, Branch: branch}); err != nil {
		t.Errorf("Push of the same commit = %v", err)
	}

	// The branch exists now: "must not exist" is a stale lease.
	second := release("v3", CommitOptions{AuthorName: "Release Bot", AuthorEmail: "bot@example.com"})
	if err := r.Push(ctx, PushOptions{SHA: second, Branch: branch}); !errors.Is(err, ErrStaleLease) {
		t.Errorf("Push over an existing branch = %v; want ErrStaleLease", err)
	}
	// A new release replaces the branch (not a fast-forward) when the lease holds...
	if err := r.Push(ctx, PushOptions{SHA: second, Branch: branch, ExpectedRemoteSHA: first}); err != nil {
		t.Fatalf("Push replacing the branch: %v", err)
	}
	if got := gitserver.Head(t, bare, branch); got != second {
		t.Fatalf("remote branch at %q, want %q", got, second)
	}
	// ...and is refused, in dry runs too, when someone moved it.
	third := release("v4", CommitOptions{AuthorEmail: "dev@example.com"})
	for _, dry := range []bool{true, false} {
		err := r.Push(ctx, PushOptions{SHA: third, Branch: branch, ExpectedRemoteSHA: first, DryRun: dry})
		if !errors.Is(err, ErrStaleLease) {
			t.Errorf("Push with a stale lease (dry run %v) = %v; want ErrStaleLease", dry, err)
		}
	}
	if got := gitserver.Head(t, bare, branch); got != second {
		t.Errorf("stale push moved the branch to %q", got)
	}

	// Identities: the options win.
	r = openRepo(t, g, r.cacheRoot, bare, Auth{})
	last := gitserver.Git(t, gitserver.Env(t), r.Dir(), "", "log", "-1", "--format=%an|%ae|%(trailers:key=Gito-Version,valueonly,separator=)", RemoteRef(branch), "--", file)
	if last != "Release Bot|bot@example.com|v3" {
		t.Errorf("second release commit = %q", last)
	}
	committer := gitserver.Git(t, gitserver.Env(t), bare, "", "log", "-1", "--format=%an <%ae>|%cn <%ce>", first)
	if committer != "dev <dev@example.com>|dev <dev@example.com>" {
		t.Errorf("identity from the email alone = %q", committer)
	}
}

func TestCommitUsesConfiguredIdentityAndRefusesEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bare := gitserver.NewBare(t, sampleFiles)
	g, _ := newGit(t)
	home, _ := envValue(g.Env, "HOME")
	hooks := filepath.Join(home, "hooks")
	writeFile(t, filepath.Join(hooks, "prepare-commit-msg"), "#!/bin/sh\necho HOOKED >> \"$1\"\n")
	if err := os.Chmod(filepath.Join(hooks, "prepare-commit-msg"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(home, ".gitconfig"), "[user]\n\tname = Alice Doe\n\temail = alice@example.com\n[core]\n\thooksPath = "+hooks+"\n")
	r := openRepo(t, g, t.TempDir(), bare, Auth{})
	w := newSnapshot(t, r, RemoteRef("main"))
	if _, err := w.Commit(ctx, CommitOptions{Message: "nothing"}); !errors.Is(err, ErrNothingToCommit) {
		t.Errorf("Commit without changes = %v; want ErrNothingToCommit", err)
	}
	if _, err := w.Commit(ctx, CommitOptions{Message: "  "}); err == nil {
		t.Error("Commit with an empty message succeeded")
	}
	if err := os.Remove(filepath.Join(w.Path(), "overlays/dev/worker/kustomization.yaml")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(w.Path(), "new.txt"), "x\n")
	msg := "remove worker\n\n# not a comment: kept\n"
	sha, err := w.Commit(ctx, CommitOptions{Message: msg})
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	out := gitserver.Git(t, gitserver.Env(t), r.Dir(), "", "show", "--name-status", "--format=%an <%ae>|%cn <%ce>|%B", sha)
	for _, want := range []string{"Alice Doe <alice@example.com>|Alice Doe <alice@example.com>|", "# not a comment: kept", "D\toverlays/dev/worker/kustomization.yaml", "A\tnew.txt"} {
		if !strings.Contains(out, want) {
			t.Errorf("commit lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "HOOKED") {
		t.Errorf("the user's prepare-commit-msg hook ran on gito's commit:\n%s", out)
	}
}

func TestSnapshotHoldsTheConeOfItsDirs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bare := gitserver.NewBare(t, sampleFiles)
	g, _ := newGit(t)
	r := openRepo(t, g, t.TempDir(), bare, Auth{})
	w := newSnapshot(t, r, RemoteRef("main"), "overlays/prod/api", "overlays/prod/api/../../../base/api/")
	for p := range sampleFiles {
		_, err := os.Stat(filepath.Join(w.Path(), p))
		want := !strings.HasPrefix(p, "overlays/dev/")
		if (err == nil) != want {
			t.Errorf("%s checked out = %v, want %v", p, err == nil, want)
		}
	}
	writeFile(t, filepath.Join(w.Path(), "overlays/prod/api/kustomization.yaml"), "images: []\n")
	sha, err := w.Commit(ctx, CommitOptions{Message: "edit", Paths: []string{"overlays/prod/api/kustomization.yaml"}, AuthorEmail: "dev@example.com"})
	if err != nil {
		t.Fatalf("Commit in a partial snapshot: %v", err)
	}
	// Files outside the snapshot are kept in the commit, not deleted.
	tree := gitserver.Git(t, gitserver.Env(t), r.Dir(), "", "ls-tree", "-r", "--name-only", sha)
	if !strings.Contains(tree, "overlays/dev/api/kustomization.yaml") {
		t.Errorf("the commit lost files:\n%s", tree)
	}
	if _, err := r.NewSnapshot(ctx, RemoteRef("main"), "../outside"); err == nil {
		t.Error("a snapshot directory outside the repository was accepted")
	}
}

func TestCancelLeavesNoSnapshot(t *testing.T) {
	t.Parallel()
	// Cancel as each git of NewSnapshot starts: the object reader, the blob fetch.
	for _, step := range []string{"cat-file", "fetch"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			bare := gitserver.NewBare(t, sampleFiles)
			g, _ := newGit(t)
			r := openRepo(t, g, t.TempDir(), bare, Auth{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			hooked := *g
			hooked.Hook = func(inv Invocation) {
				if subcommand(inv.Args) == step {
					cancel()
				}
			}
			r.git = &hooked
			w, err := r.NewSnapshot(ctx, RemoteRef("main"), "overlays/prod/api")
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("NewSnapshot = %v, %v; want context.Canceled", w, err)
			}
			assertNoSnapshots(t, r)
		})
	}
}

func TestRemoveAfterCancel(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, sampleFiles)
	g, _ := newGit(t)
	r := openRepo(t, g, t.TempDir(), bare, Auth{})
	ctx, cancel := context.WithCancel(context.Background())
	w, err := r.NewSnapshot(ctx, RemoteRef("main"))
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := w.Remove(); err != nil {
		t.Fatalf("Remove after cancel: %v", err)
	}
	if err := w.Remove(); err != nil {
		t.Errorf("second Remove: %v", err)
	}
	assertNoSnapshots(t, r)
}

// The object reader outlives the call that started it: a cancelled call (the rollback picker's
// context) fails alone, and the next read starts a new reader.
func TestObjectReaderSurvivesACancelledCall(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, sampleFiles)
	g, _ := newGit(t)
	r := openRepo(t, g, t.TempDir(), bare, Auth{})
	defer r.Close()
	first, cancel := context.WithCancel(context.Background())
	if _, _, err := r.RemoteBranchSHA(first, "main"); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := r.ReadBlobs(first, []string{RemoteRef("main") + ":.gito.yaml"}); !errors.Is(err, context.Canceled) {
		t.Errorf("read on a cancelled context = %v, want context.Canceled", err)
	}
	blobs, err := r.ReadBlobs(context.Background(), []string{RemoteRef("main") + ":.gito.yaml"})
	if err != nil || string(blobs[RemoteRef("main")+":.gito.yaml"]) != sampleFiles[".gito.yaml"] {
		t.Errorf("read after a cancelled call = %q, %v", blobs, err)
	}
}
