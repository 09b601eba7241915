package gitrepo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
)

// ChangedPaths lists the paths a change from base to head touches, as a pull request shows
// them: compared with the merge base (base...head), renames as a deletion and an addition.
func (r *Repo) ChangedPaths(ctx context.Context, base, head string) ([]string, error) {
	if err := checkRevs(base, head); err != nil {
		return nil, err
	}
	out, err := r.git.run(ctx, cmd{dir: r.dir, env: []string{"GIT_OPTIONAL_LOCKS=0"}, args: []string{
		"-c", "core.quotePath=false", "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff",
		"--end-of-options", base + "..." + head, "--",
	}})
	if err != nil {
		return nil, fmt.Errorf("git diff %s...%s: %w", base, head, err)
	}
	var paths []string
	for _, p := range bytes.Split(out, []byte{0}) {
		if len(p) > 0 {
			paths = append(paths, string(p))
		}
	}
	return paths, nil
}

// RawCommit is a commit object as git stores it.
type RawCommit struct {
	SHA  string
	Data []byte
}

// CommitsBetween returns the commits reachable from head and not from base, oldest first,
// as raw objects: their messages carry trailers and their headers the signature.
func (r *Repo) CommitsBetween(ctx context.Context, base, head string) ([]RawCommit, error) {
	if err := checkRevs(base, head); err != nil {
		return nil, err
	}
	out, err := r.git.run(ctx, cmd{dir: r.dir, env: []string{"GIT_OPTIONAL_LOCKS=0"}, args: []string{
		"rev-list", "--reverse", "--end-of-options", head, "^" + base, "--",
	}})
	if err != nil {
		return nil, fmt.Errorf("git rev-list %s..%s: %w", base, head, err)
	}
	var commits []RawCommit
	for _, sha := range strings.Fields(string(out)) {
		data, err := r.git.run(ctx, cmd{dir: r.dir, env: []string{"GIT_OPTIONAL_LOCKS=0"}, args: []string{"cat-file", "commit", sha}})
		if err != nil {
			return nil, fmt.Errorf("git cat-file commit %s: %w", sha, err)
		}
		commits = append(commits, RawCommit{SHA: sha, Data: data})
	}
	return commits, nil
}

// ResolveCommit names the commit a revision points at.
func (r *Repo) ResolveCommit(ctx context.Context, rev string) (string, error) {
	if err := checkRevs(rev); err != nil {
		return "", err
	}
	out, err := r.git.run(ctx, cmd{dir: r.dir, env: []string{"GIT_OPTIONAL_LOCKS=0"}, args: []string{
		"rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}",
	}})
	if err != nil {
		return "", fmt.Errorf("%s is not a commit of %s", rev, r.dir)
	}
	return strings.TrimSpace(string(out)), nil
}

func checkRevs(revs ...string) error {
	for _, rev := range revs {
		if rev == "" || strings.HasPrefix(rev, "-") || strings.ContainsAny(rev, " \t\r\n") {
			return fmt.Errorf("invalid revision %q", rev)
		}
	}
	return nil
}
