package gitrepo

import (
	"context"
	"fmt"
	"strings"
)

// Fetch brings the cache up to date with the remote, under the same lock as Open, for a
// long-running process that keeps one Repo.
func (r *Repo) Fetch(ctx context.Context) error {
	unlock, err := lockFile(ctx, r.lockPath)
	if err != nil {
		return err
	}
	defer unlock()
	if err := r.update(ctx); err != nil {
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

// ListBlobIDs maps every file in ref's tree to its blob id, from trees only (cheap in a
// blobless cache): a reader can tell which files changed between two commits without
// reading them.
func (r *Repo) ListBlobIDs(ctx context.Context, ref string) (map[string]string, error) {
	if ref == "" || strings.HasPrefix(ref, "-") {
		return nil, fmt.Errorf("invalid ref %q", ref)
	}
	out, err := r.git.output(ctx, r.dir, nil, "ls-tree", "-r", "-z", "--full-tree", ref)
	if err != nil {
		return nil, fmt.Errorf("list files of %s: %w", ref, err)
	}
	ids := map[string]string{}
	for _, entry := range strings.Split(string(out), "\x00") {
		meta, path, ok := strings.Cut(entry, "\t") // "<mode> blob <oid>\t<path>"
		if !ok {
			continue
		}
		f := strings.Fields(meta)
		if len(f) == 3 && f[1] == "blob" {
			ids[path] = f[2]
		}
	}
	return ids, nil
}
