package workspace

import (
	"context"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/gitrepo"
	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/inventory"
)

// Completer answers shell completion from what is already on disk: the local checkout that
// --repo or GITO_REPO names, or the cache an earlier run left. It never touches the network,
// so a TAB press is instant and works offline; with nothing on disk it completes nothing.
type Completer struct {
	Getenv func(string) string
	Remote string // the --repo flag as typed so far, or ""
}

// completionSource is one readable copy of the infra repo.
type completionSource struct {
	tree    *tree
	lister  inventory.Lister // what the inventory reads: the checkout, or the cache without the network
	cfg     *config.Repo
	history history.Source
	ref     string
	cache   *gitrepo.Repo // the cache read, nil for a local checkout
}

// deepenWait bounds how long a TAB press waits for a shallow cache's history: once, then the
// cache stays deep. When the remote cannot be reached in time, completion offers what the
// cache holds.
const deepenWait = 3 * time.Second

func (c Completer) open(ctx context.Context) (*completionSource, bool) {
	remote := c.Remote
	if remote == "" {
		remote = c.Getenv("GITO_REPO")
	}
	if dir, ok := workTree(remote); ok && remote != "" {
		return localSource(dir) // a checkout on disk is read as it is, offline
	}
	if remote == "" {
		if co, ok, err := gitrepo.FindCheckout(ctx, ""); err == nil && ok && isInfraRepo(co.Root) {
			return localSource(co.Root)
		}
	}
	remote, _, err := ResolveRemote(ctx, remote, "", c.Getenv)
	if err != nil {
		return nil, false
	}
	repo, err := gitrepo.OpenCached(gitrepo.OpenOptions{CacheRoot: config.CacheDir(c.Getenv), Remote: remote})
	if err != nil {
		return nil, false
	}
	branch, err := repo.CachedDefaultBranch(ctx)
	if err != nil {
		return nil, false
	}
	ref := gitrepo.RemoteRef(branch)
	files, err := repo.ListFiles(ctx, ref)
	if err != nil {
		return nil, false
	}
	src := &completionSource{tree: newTree(files), cfg: &config.Repo{}, history: history.RepoSource{Repo: repo, Offline: true}, ref: ref, cache: repo,
		lister: inventory.Commit{Ref: ref, ListBlobIDs: repo.ListBlobIDs, ReadBlobs: repo.ReadCachedBlobs}}
	spec := ref + ":" + config.FileName
	if blobs, err := repo.ReadCachedBlobs(ctx, []string{spec}); err == nil && blobs[spec] != nil {
		if cfg, err := config.ParseRepo(blobs[spec]); err == nil {
			src.cfg = cfg
		}
	}
	return src, true
}

// workTree reports whether remote is a local checkout (a directory with files, not a bare
// repository) and returns its path.
func workTree(remote string) (string, bool) {
	dir := strings.TrimPrefix(remote, "file://")
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return "", false
	}
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err == nil {
		if _, err := os.Stat(filepath.Join(dir, "objects")); err == nil {
			return "", false // a bare repository: read it through the cache
		}
	}
	return dir, true
}

func localSource(dir string) (*completionSource, bool) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, false
	}
	cfg, err := config.LoadRepo(dir)
	if err != nil {
		cfg = &config.Repo{}
	}
	src := &completionSource{tree: newTree(files), cfg: cfg, lister: inventory.Dir(dir)}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		src.history, src.ref = history.RepoSource{Repo: gitrepo.OpenLocal(dir, nil), Offline: true}, "HEAD"
	}
	return src, true
}

// Services lists the services of the repo's inventory (the layout's names when the cache
// lacks the blobs the inventory reads).
func (c Completer) Services(ctx context.Context) []string {
	src, ok := c.open(ctx)
	if !ok {
		return nil
	}
	if inv, err := inventory.Build(ctx, src.lister, src.cfg); err == nil && len(inv.Entries) > 0 {
		return inv.Services()
	}
	return src.tree.names(src.cfg, "service", "")
}

// Envs lists the environments of a service, or of every service when service is "".
func (c Completer) Envs(ctx context.Context, service string) []string {
	src, ok := c.open(ctx)
	if !ok {
		return nil
	}
	if inv, err := inventory.Build(ctx, src.lister, src.cfg); err == nil && len(inv.Envs(service)) > 0 {
		return inv.Envs(service)
	}
	return src.tree.names(src.cfg, "env", service)
}

// Versions lists the overlay's releases, newest first (at most limit).
func (c Completer) Versions(ctx context.Context, service, env string, limit int) []string {
	src, ok := c.open(ctx)
	if !ok || src.history == nil || service == "" || env == "" {
		return nil
	}
	layout := src.cfg.Layout
	if layout == "" {
		layout = src.tree.detectLayout()
	}
	kust, found := src.tree.kust[path.Clean(config.ExpandLayout(layout, service, env))]
	if layout == "" || !found {
		return nil
	}
	if src.cache != nil {
		dctx, cancel := context.WithTimeout(ctx, deepenWait)
		_ = src.cache.Deepen(dctx)
		cancel()
	}
	releases, err := history.Load(ctx, history.Request{
		Source: src.history, Ref: src.ref, Paths: []string{kust}, Images: src.cfg.ImagesFor(service), Limit: limit,
	})
	var out []string
	for _, r := range releases {
		out = append(out, r.Ref())
	}
	if err == nil && len(out) > 1 {
		return out
	}
	// A blobless cache may not hold the old files yet (until a history or rollback run has
	// read them); gito's own commits still name their version in a trailer.
	commits, err := src.history.Log(ctx, src.ref, []string{kust}, 0)
	if err != nil {
		return out
	}
	for _, c := range commits {
		if v := c.Trailers["Gito-Version"]; v != "" && !slices.Contains(out, v) && len(out) < limit {
			out = append(out, v)
		}
	}
	return out
}

// Labels and Reviewers come from .gito.yaml: every environment's, or one's.
func (c Completer) Labels(ctx context.Context, env string) []string {
	return c.fromEnvs(ctx, env, func(e config.Environment) []string { return e.Labels })
}

// Reviewers lists the reviewers .gito.yaml names.
func (c Completer) Reviewers(ctx context.Context, env string) []string {
	return c.fromEnvs(ctx, env, func(e config.Environment) []string { return e.Reviewers })
}

func (c Completer) fromEnvs(ctx context.Context, env string, get func(config.Environment) []string) []string {
	src, ok := c.open(ctx)
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for name, e := range src.cfg.Environments {
		if env != "" && name != env {
			continue
		}
		for _, v := range get(e) {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}
