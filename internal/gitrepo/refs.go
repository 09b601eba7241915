package gitrepo

import (
	"context"
	"fmt"
	"strings"
)

// Fetch brings the cache up to date with the remote (fetch --prune), under the same lock as
// Open, for a long-running process that keeps one Repo.
func (r *Repo) Fetch(ctx context.Context) error {
	unlock, err := lockFile(ctx, r.lockPath)
	if err != nil {
		return err
	}
	defer unlock()
	if err := r.fetch(ctx); err != nil {
		return fmt.Errorf("fetch %s: %w", r.remote.url, err)
	}
	return nil
}

// RemoteBranches maps every branch of the remote, as of the last fetch, to its commit.
func (r *Repo) RemoteBranches(ctx context.Context) (map[string]string, error) {
	const prefix = "refs/remotes/origin/"
	out, err := r.git.output(ctx, r.dir, nil, "for-each-ref", "--format=%(objectname) %(refname)", prefix)
	if err != nil {
		return nil, fmt.Errorf("list branches: %w", err)
	}
	branches := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		sha, ref, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		name := strings.TrimPrefix(ref, prefix)
		if name == "HEAD" {
			continue
		}
		branches[name] = sha
	}
	return branches, nil
}
