package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Worktree is a private checkout of the cache, in its own temporary directory, so parallel
// gito processes never share a work tree.
type Worktree struct {
	repo   *Repo
	path   string
	sparse bool

	mu      sync.Mutex
	removed bool
}

// cleanupTimeout bounds Remove, which runs on a fresh context so it works after a cancel.
const cleanupTimeout = 30 * time.Second

// NewWorktree checks out baseRef (any commit-ish, e.g. RemoteRef("main") or a SHA) detached in
// a fresh directory under the cache. With sparseDirs, only those directories (cone mode: plus
// the files of the root and of their parent directories, so .gito.yaml is there) are
// checked out and only their blobs fetched; pass every directory a kustomization reaches,
// such as the overlay and its ../../base. On any failure, nothing is left behind.
func (r *Repo) NewWorktree(ctx context.Context, baseRef string, sparseDirs ...string) (*Worktree, error) {
	if baseRef == "" || strings.HasPrefix(baseRef, "-") {
		return nil, fmt.Errorf("invalid base ref %q", baseRef)
	}
	dirs, err := cleanDirs(sparseDirs)
	if err != nil {
		return nil, err
	}
	root := filepath.Join(r.cacheRoot, "worktrees")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("create worktree: %w", err)
	}
	dir, err := os.MkdirTemp(root, r.remote.name+"-")
	if err != nil {
		return nil, fmt.Errorf("create worktree: %w", err)
	}
	w := &Worktree{repo: r, path: dir, sparse: len(dirs) > 0}
	if err := w.create(ctx, baseRef, dirs); err != nil {
		_ = w.Remove()
		return nil, fmt.Errorf("check out %s: %w", baseRef, err)
	}
	return w, nil
}

func (w *Worktree) create(ctx context.Context, baseRef string, dirs []string) error {
	r := w.repo
	// Only the registration in the shared repository needs the lock; the checkout, which
	// may fetch blobs, runs without it.
	unlock, err := lockFile(ctx, r.lockPath)
	if err != nil {
		return err
	}
	_, err = r.git.output(ctx, r.dir, r.env, "worktree", "add", "--quiet", "--detach", "--no-checkout", w.path, baseRef)
	unlock()
	if err != nil {
		return err
	}
	if len(dirs) > 0 {
		if _, err := r.git.output(ctx, w.path, r.env, "sparse-checkout", "init", "--cone"); err != nil {
			return err
		}
		if _, err := r.git.output(ctx, w.path, r.env, append([]string{"sparse-checkout", "set"}, dirs...)...); err != nil {
			return err
		}
	}
	_, err = r.git.output(ctx, w.path, r.env, "reset", "--quiet", "--hard")
	return err
}

// AddSparseDirs widens a sparse worktree, e.g. with a base found in the overlay's
// kustomization. A full worktree already has everything.
func (w *Worktree) AddSparseDirs(ctx context.Context, dirs ...string) error {
	clean, err := cleanDirs(dirs)
	if err != nil || len(clean) == 0 || !w.sparse {
		return err
	}
	_, err = w.repo.git.output(ctx, w.path, w.repo.env, append([]string{"sparse-checkout", "add"}, clean...)...)
	return err
}

// Path is the worktree's directory.
func (w *Worktree) Path() string { return w.path }

// Remove deletes the worktree and its registration. It runs on its own short context, so it
// also cleans up after the caller's context was cancelled. Calling it twice is harmless.
func (w *Worktree) Remove() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.removed {
		return nil
	}
	w.removed = true
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	errRemove := os.RemoveAll(w.path)
	unlock, err := lockFile(ctx, w.repo.lockPath)
	if err != nil {
		return errors.Join(errRemove, err)
	}
	defer unlock()
	// prune drops registrations whose directory is gone: this one, and any a killed gito left.
	_, errPrune := w.repo.git.output(ctx, w.repo.dir, nil, "worktree", "prune")
	if err := errors.Join(errRemove, errPrune); err != nil {
		return fmt.Errorf("remove worktree %s: %w", w.path, err)
	}
	return nil
}

// cleanDirs makes sparse directories repo-relative and refuses ones that leave the repo.
func cleanDirs(dirs []string) ([]string, error) {
	var out []string
	for _, d := range dirs {
		c := path.Clean(strings.Trim(filepath.ToSlash(d), "/"))
		if c == "." {
			continue
		}
		if c == ".." || strings.HasPrefix(c, "../") || strings.HasPrefix(c, "-") || strings.ContainsAny(c, "\n\r") {
			return nil, fmt.Errorf("invalid sparse directory %q", d)
		}
		out = append(out, c)
	}
	return out, nil
}
