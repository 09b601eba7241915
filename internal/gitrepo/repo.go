package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// OpenOptions says which remote to open and where its cache lives.
type OpenOptions struct {
	// CacheRoot is gito's cache directory (config.CacheDir).
	CacheRoot string
	// Remote is an https/http/ssh URL, an scp-like ssh address, a file:// URL or a local path.
	Remote string
	Auth   Auth
	// Progress receives git's progress output (stderr) for clone and fetch; nil for none.
	Progress io.Writer
	// Git runs git; nil inherits the process environment.
	Git *Git
}

// Repo is the cached, blobless clone of one remote.
type Repo struct {
	git       *Git
	remote    remote
	dir       string // the bare repository
	lockPath  string
	cacheRoot string
	env       []string // credentials for this remote, added to every child
	progress  io.Writer

	mu            sync.Mutex
	defaultBranch string
	cat           *catFile // the long-lived object reader, started on first use
	local         bool     // a user's checkout read in place (OpenLocal), not a cache
}

// Open returns the cache of opts.Remote, cloning it (blobless, bare) on first use and
// fetching it with --prune otherwise. A lock file keeps parallel gito processes from racing.
func Open(ctx context.Context, opts OpenOptions) (*Repo, error) {
	r, err := newRepo(opts)
	if err != nil {
		return nil, err
	}
	asked := time.Now()
	unlock, err := lockFile(ctx, r.lockPath)
	if err != nil {
		return nil, err
	}
	defer unlock()
	_, err = os.Stat(filepath.Join(r.dir, "HEAD"))
	switch {
	case err == nil && r.fetchedSince(asked):
		// Another process's fetch started after this one asked for the lock: it saw every
		// push this one could have seen, so a second fetch would only repeat it.
	case err == nil:
		if err = removeStaleLocks(r.dir); err != nil {
			return nil, fmt.Errorf("recover cache %s: %w", r.dir, err)
		}
		err = r.update(ctx)
	case errors.Is(err, fs.ErrNotExist):
		err = r.clone(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("update cache: %w", err)
	}
	r.sweepSnapshots(ctx)
	return r, nil
}

// ErrNotCached is returned by OpenCached when no earlier run cloned the remote.
var ErrNotCached = errors.New("not in the cache")

// OpenCached returns the cache of opts.Remote as the last run left it, without any network
// access: shell completion must answer at once, even offline.
func OpenCached(opts OpenOptions) (*Repo, error) {
	r, err := newRepo(opts)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(r.dir, "HEAD")); err != nil {
		return nil, fmt.Errorf("%s: %w", r.remote.url, ErrNotCached)
	}
	return r, nil
}

// CachedDefaultBranch guesses the default branch from the cache alone: origin/HEAD when the
// clone recorded it, else main or master when they exist.
func (r *Repo) CachedDefaultBranch(ctx context.Context) (string, error) {
	if b := r.cachedHead(ctx); b != "" {
		return b, nil
	}
	for _, b := range []string{"main", "master"} {
		if _, err := r.git.output(ctx, r.dir, nil, "rev-parse", "--verify", "--quiet", RemoteRef(b)); err == nil {
			return b, nil
		}
	}
	return "", fmt.Errorf("no default branch in the cache of %s", r.remote.url)
}

// cachedHead is the branch the cache's origin/HEAD names ("" when it names none).
func (r *Repo) cachedHead(ctx context.Context) string {
	out, err := r.git.output(ctx, r.dir, nil, "symbolic-ref", "--quiet", RemoteRef("HEAD"))
	if b, ok := strings.CutPrefix(strings.TrimSpace(string(out)), RemoteRef("")); err == nil && ok {
		return b
	}
	return ""
}

func newRepo(opts OpenOptions) (*Repo, error) {
	rem, err := parseRemote(opts.Remote)
	if err != nil {
		return nil, err
	}
	if opts.CacheRoot == "" {
		return nil, fmt.Errorf("open %s: no cache directory", rem.url)
	}
	g := opts.Git
	if g == nil {
		g = &Git{}
	}
	base := g.Env
	if base == nil {
		base = os.Environ()
	}
	reposDir := filepath.Join(opts.CacheRoot, "repos")
	if err := os.MkdirAll(reposDir, 0o700); err != nil {
		return nil, fmt.Errorf("create cache %s: %w", reposDir, err)
	}
	return &Repo{
		git:       g,
		remote:    rem,
		dir:       filepath.Join(reposDir, rem.name),
		lockPath:  filepath.Join(reposDir, rem.name+".lock"),
		cacheRoot: opts.CacheRoot,
		env:       authEnv(opts.Auth, rem, base),
		progress:  opts.Progress,
	}, nil
}

// staleSnapshotAge is when a snapshot is surely left over from a killed gito: no run lasts
// this long.
const staleSnapshotAge = 24 * time.Hour

// sweepSnapshots removes this cache's snapshots that a killed gito left behind (and the work
// trees of gito versions before snapshots, whose registrations worktree prune then drops).
// Failures only leave debris, so they are ignored.
func (r *Repo) sweepSnapshots(ctx context.Context) {
	for _, root := range []string{r.snapshotsDir(), filepath.Join(r.cacheRoot, "worktrees")} {
		entries, err := os.ReadDir(root)
		if err != nil {
			continue
		}
		for _, e := range entries {
			info, err := e.Info()
			if err != nil || !strings.HasPrefix(e.Name(), r.remote.name+"-") || time.Since(info.ModTime()) < staleSnapshotAge {
				continue
			}
			_ = os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
	if _, err := os.Stat(filepath.Join(r.dir, "worktrees")); err == nil {
		_, _ = r.git.output(ctx, r.dir, nil, "worktree", "prune")
	}
}

// Dir is the bare repository of the cache.
func (r *Repo) Dir() string { return r.dir }

// URL is the remote as git sees it.
func (r *Repo) URL() string { return r.remote.url }

// RemoteRef is the cached remote-tracking ref of branch.
func RemoteRef(branch string) string { return "refs/remotes/origin/" + branch }

// isShallow reports whether the cache holds only the branch tips (no shallow file: the whole
// history).
func (r *Repo) isShallow() bool {
	_, err := os.Stat(filepath.Join(r.dir, "shallow"))
	return err == nil
}

// Deepen fetches the whole history of a shallow cache (commits and trees, no blobs) and writes
// its changed-path commit-graph, for history, rollback and completion, which read the past.
// A deepened cache stays deep. A cache that is already deep is left alone.
func (r *Repo) Deepen(ctx context.Context) error {
	if !r.isShallow() {
		return nil
	}
	unlock, err := lockFile(ctx, r.lockPath)
	if err != nil {
		return err
	}
	defer unlock()
	if !r.isShallow() { // another process deepened it while this one waited
		return nil
	}
	args := []string{"fetch", "--unshallow", "--no-tags", "--filter=blob:none"}
	if r.progress != nil {
		args = append(args, "--progress")
	}
	started := time.Now()
	if _, err := r.git.run(ctx, cmd{dir: r.dir, args: append(args, "origin"), env: r.env, progress: r.progress}); err != nil {
		return fmt.Errorf("fetch the history of %s: %w", r.remote.url, err)
	}
	r.recordFetch(started)
	return r.writeCommitGraph(ctx, r.dir)
}

// writeCommitGraph extends the changed-path commit-graph for what the last fetch brought, one
// small layer at a time; called under the lock, the only writer of the graph.
func (r *Repo) writeCommitGraph(ctx context.Context, dir string) error {
	_, err := r.git.output(ctx, dir, nil, "commit-graph", "write", "--reachable", "--changed-paths", "--split")
	return err
}

// clone builds the cache in a temporary directory and renames it into place, so a cancelled
// or failed clone never leaves a half-made cache behind.
func (r *Repo) clone(ctx context.Context) error {
	_ = os.RemoveAll(r.dir) // a directory without HEAD is debris
	err := r.cloneInto(ctx, true)
	var gitErr *Error
	if errors.As(err, &gitErr) && !errors.Is(err, ErrAuth) && strings.Contains(gitErr.Stderr, "filter") {
		err = r.cloneInto(ctx, false) // the remote refuses partial clone: take everything
	}
	return err
}

func (r *Repo) cloneInto(ctx context.Context, blobless bool) error {
	started := time.Now()
	tmp, err := os.MkdirTemp(filepath.Dir(r.dir), "."+filepath.Base(r.dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("create cache: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = os.RemoveAll(tmp)
		}
	}()
	if _, err := r.git.output(ctx, "", nil, "init", "--quiet", "--bare", "--template=", tmp); err != nil {
		return err
	}
	// The cache belongs to gito: tags are never needed, gc must not detach into the
	// background where it would outlive the lock, and the user's hooks (core.hooksPath),
	// meant for their own commits, do not run on gito's: the hooks directory named here does
	// not exist. (cacheConfig keeps git's own writes of shared files off; see cachesafety.go.)
	settings := [][2]string{
		{"core.hooksPath", filepath.Join(r.dir, "hooks")},
		{"remote.origin.url", r.remote.url},
		{"remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"},
		{"remote.origin.tagOpt", "--no-tags"},
		{"gc.autoDetach", "false"},
	}
	for _, kv := range settings {
		if _, err := r.git.output(ctx, tmp, nil, "config", kv[0], kv[1]); err != nil {
			return err
		}
	}
	// A release reads the branch tips only: the cold start fetches them one commit deep, and
	// the commands that read the past deepen the cache when they first need it (Deepen).
	args := []string{"fetch", "--no-tags", "--depth=1"}
	if blobless {
		args = append(args, "--filter=blob:none")
	}
	if r.progress != nil {
		args = append(args, "--progress")
	}
	if _, err := r.git.run(ctx, cmd{dir: tmp, args: append(args, "origin"), env: r.env, progress: r.progress}); err != nil {
		return err
	}
	if err := os.Rename(tmp, r.dir); err != nil {
		return fmt.Errorf("move cache into place: %w", err)
	}
	r.recordFetch(started)
	done = true
	return nil
}

// DefaultBranch is the branch the remote's HEAD points to, asked once per Repo; when the
// remote does not say (dumb HTTP), the cached origin/HEAD decides.
func (r *Repo) DefaultBranch(ctx context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.defaultBranch != "" {
		return r.defaultBranch, nil
	}
	_, head, err := r.lsRemote(ctx)
	if err != nil {
		return "", fmt.Errorf("find default branch of %s: %w", r.remote.url, err)
	}
	if head == "" {
		head = r.cachedHead(ctx) // the remote does not say (dumb HTTP)
	}
	if head != "" {
		r.defaultBranch = head
		return head, nil
	}
	return "", fmt.Errorf("find default branch of %s: the remote does not name one; pass --base", r.remote.url)
}

// RemoteBranchSHA returns the commit of branch on the remote as of the last fetch, read
// through the long-lived object reader.
func (r *Repo) RemoteBranchSHA(ctx context.Context, branch string) (sha string, exists bool, err error) {
	if err := checkBranch(branch); err != nil {
		return "", false, err
	}
	name := RemoteRef(branch) + "^{commit}"
	objs, err := r.batch(ctx, r.dir, nil, []string{name})
	if err != nil {
		return "", false, fmt.Errorf("read branch %s: %w", branch, err)
	}
	obj, ok := objs[name]
	if !ok {
		return "", false, nil
	}
	return obj.oid, true, nil
}

// checkBranch refuses names git would read as options or ref expressions.
func checkBranch(b string) error {
	if b == "" || strings.HasPrefix(b, "-") || strings.ContainsAny(b, " \t\n~^:?*[\\") || strings.Contains(b, "..") {
		return fmt.Errorf("invalid branch name %q", b)
	}
	return nil
}

// ListFiles lists every file path (slash-separated) in ref's tree, without a checkout. In a
// blobless cache this reads trees only, so it is cheap even for large repositories.
func (r *Repo) ListFiles(ctx context.Context, ref string) ([]string, error) {
	if ref == "" || strings.HasPrefix(ref, "-") {
		return nil, fmt.Errorf("invalid ref %q", ref)
	}
	out, err := r.git.output(ctx, r.dir, nil, "ls-tree", "-r", "-z", "--name-only", ref)
	if err != nil {
		return nil, fmt.Errorf("list files of %s: %w", ref, err)
	}
	var files []string
	for _, name := range bytes.Split(out, []byte{0}) {
		if len(name) > 0 {
			files = append(files, string(name))
		}
	}
	return files, nil
}

// Parent returns the first parent of a commit in the cache. It is read from the commit object
// itself, so it is known even for a shallow cache's tips, whose parents are not there.
func (r *Repo) Parent(ctx context.Context, sha string) (string, error) {
	if !fullSHA.MatchString(sha) {
		return "", fmt.Errorf("invalid commit %q", sha)
	}
	objs, err := r.batch(ctx, r.dir, nil, []string{sha})
	if err != nil {
		return "", fmt.Errorf("parent of %s: %w", sha, err)
	}
	obj, ok := objs[sha]
	if !ok || obj.kind != "commit" {
		return "", fmt.Errorf("parent of %s: no such commit in the cache", sha)
	}
	for _, line := range strings.Split(string(obj.data), "\n") {
		if line == "" {
			break // the end of the headers
		}
		if p, ok := strings.CutPrefix(line, "parent "); ok {
			return p, nil
		}
	}
	return "", fmt.Errorf("parent of %s: a root commit", sha)
}
