// Package workspace opens the infra repo for one gito run: the cached partial clone
// (fetched), the base branch, a private work tree at that base, its .gito.yaml, and the forge
// the pull request goes to. Everything a command needs before planning a release.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/forge/forgeclient"
	"github.com/gito-dev/gito/internal/forge/githubapp"
	"github.com/gito-dev/gito/internal/gitrepo"
	"github.com/gito-dev/gito/internal/history"
)

// Options says which infra repo to open and how.
type Options struct {
	Remote     string // --repo; already defaulted from GITO_REPO
	Base       string // --base, or ""
	Getenv     func(string) string
	HTTPClient func() (*http.Client, error)
	Progress   io.Writer // nil: silent
	// Service and Env, when set, narrow the work tree to a sparse checkout of what that
	// overlay needs, which keeps a release in a repo of thousands of overlays fast.
	Service string
	Env     string
}

// Workspace is an opened infra repo. Close removes the work tree.
type Workspace struct {
	Remote   string
	Repo     *gitrepo.Repo
	Worktree *gitrepo.Worktree
	Config   *config.Repo
	Base     string
	Target   forge.Target

	httpClient func() (*http.Client, error)
	getenv     func(string) string
	hosts      forge.Hosts
	app        appAuth
	forge      forge.Forge
}

// ResolveRemote picks the infra repo: the flag (or GITO_REPO), then the user config.
func ResolveRemote(flag string, getenv func(string) string) (string, error) {
	remote, _, err := resolveRemote(flag, getenv)
	return remote, err
}

func resolveRemote(flag string, getenv func(string) string) (string, *config.User, error) {
	user, err := config.LoadUser(getenv)
	if err != nil {
		return "", nil, err
	}
	if flag != "" {
		return flag, user, nil
	}
	if user.Repo != "" {
		return user.Repo, user, nil
	}
	return "", nil, cmdutil.FlagErrorf("--repo is required: pass the infra repo URL or path, set GITO_REPO, or set repo: in %s", config.UserConfigPath(getenv))
}

// Open fetches the cache, resolves the base branch and checks out a private work tree.
func Open(ctx context.Context, opts Options) (*Workspace, error) {
	remote, user, err := resolveRemote(opts.Remote, opts.Getenv)
	if err != nil {
		return nil, err
	}
	w := &Workspace{Remote: remote, httpClient: opts.HTTPClient, getenv: opts.Getenv, hosts: forge.KnownHosts(user.Hosts, opts.Getenv)}
	w.app.app, w.app.err = githubapp.FromEnv(opts.Getenv)
	auth, tokenSource, err := w.gitAuthFor(ctx, remote)
	if err != nil {
		return nil, fmt.Errorf("open infra repo %s: %w", redact(remote), err)
	}
	progress(opts.Progress, "Fetching %s", redact(remote))
	w.Repo, err = gitrepo.Open(ctx, gitrepo.OpenOptions{
		CacheRoot: config.CacheDir(opts.Getenv), Remote: remote, Auth: auth, Progress: opts.Progress,
	})
	if err != nil {
		err = fmt.Errorf("open infra repo %s: %w", redact(remote), err)
		if errors.Is(err, gitrepo.ErrAuth) {
			return nil, &cmdutil.AuthError{Err: err, Hint: gitAuthHint(remote, tokenSource, opts.Getenv)}
		}
		return nil, err
	}
	if err := w.resolveBase(ctx, opts.Base); err != nil {
		return nil, err
	}
	var sparse []string
	if opts.Service != "" && opts.Env != "" {
		dirs, ok, err := sparseDirs(ctx, w.Repo, w.BaseRef(), w.Config, opts.Service, opts.Env)
		if err != nil {
			return nil, err
		}
		if ok {
			sparse = dirs
		}
	}
	w.Worktree, err = w.Repo.NewWorktree(ctx, w.BaseRef(), sparse...)
	if err != nil {
		return nil, fmt.Errorf("check out %s: %w", w.Base, err)
	}
	if w.Config, err = config.LoadRepo(w.Worktree.Path()); err != nil {
		w.Close()
		return nil, err
	}
	w.Target, err = forge.Detect(remote, w.Config.Forge, w.hosts)
	if err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// resolveBase picks the base branch and reads its .gito.yaml: --base, else the default
// branch's .gito.yaml baseBranch, else the remote's HEAD. With --base no default-branch
// lookup (a network round trip) is needed.
func (w *Workspace) resolveBase(ctx context.Context, flag string) error {
	var err error
	if flag == "" {
		def, err := w.Repo.DefaultBranch(ctx)
		if err != nil {
			return fmt.Errorf("default branch of %s: %w", redact(w.Remote), err)
		}
		if w.Config, err = w.readConfig(ctx, gitrepo.RemoteRef(def)); err != nil {
			return err
		}
		w.Base = def
		if w.Config.BaseBranch == "" || w.Config.BaseBranch == def {
			return nil
		}
		w.Base = w.Config.BaseBranch
	} else {
		w.Base = flag
	}
	if _, ok, err := w.Repo.RemoteBranchSHA(ctx, w.Base); err != nil {
		return err
	} else if !ok {
		what := "--base"
		if flag == "" {
			what = config.FileName + " baseBranch"
		}
		return fmt.Errorf("%s %q does not exist on %s", what, w.Base, redact(w.Remote))
	}
	// The base branch's own .gito.yaml is the one that applies.
	w.Config, err = w.readConfig(ctx, w.BaseRef())
	return err
}

// readConfig reads .gito.yaml at ref from the cache (defaults when the file is absent).
func (w *Workspace) readConfig(ctx context.Context, ref string) (*config.Repo, error) {
	spec := ref + ":" + config.FileName
	blobs, err := w.Repo.ReadBlobs(ctx, []string{spec})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", config.FileName, err)
	}
	data, ok := blobs[spec]
	if !ok {
		return &config.Repo{}, nil
	}
	return config.ParseRepo(data)
}

// Root is the work tree's directory.
func (w *Workspace) Root() string {
	if w.Worktree == nil {
		return ""
	}
	return w.Worktree.Path()
}

// HasForge reports whether pull requests can be opened (false for file remotes and
// forge.type none).
func (w *Workspace) HasForge() bool { return w.Target.Kind != "none" }

// Forge returns the forge client, building it on first use. A missing token is an
// authentication error (exit 4) that names the variable to set.
func (w *Workspace) Forge(ctx context.Context) (forge.Forge, error) {
	if w.forge != nil {
		return w.forge, nil
	}
	if !w.HasForge() {
		return nil, errors.New("no forge configured for this repo")
	}
	tok, err := w.token(ctx, w.Target)
	if err != nil {
		return nil, err
	}
	client, err := w.httpClient()
	if err != nil {
		return nil, err
	}
	f, err := forgeclient.New(ctx, client, w.Target, tok)
	if err != nil {
		return nil, err
	}
	w.forge = f
	return f, nil
}

// Close removes the work tree. Safe to call more than once.
func (w *Workspace) Close() {
	if w.Worktree != nil {
		w.Worktree.Remove()
		w.Worktree = nil
	}
}

// Abs returns the absolute path of a repo-relative file in the work tree.
func (w *Workspace) Abs(rel string) string { return filepath.Join(w.Root(), filepath.FromSlash(rel)) }

// gitAuthFor picks the token git may use for an http(s) remote: the forge token of the
// remote's own host, never another host's. The host's forge comes from the URL (github.com,
// gitlab.com, …), GH_HOST/GITLAB_HOST/GITEA_HOST or the user config's hosts map, because
// .gito.yaml cannot be read before the clone. Other remotes use the user's own git
// credentials. source names where the token came from ("" when gito hands git none). An error
// only comes from a configured GitHub App that cannot get a token.
func (w *Workspace) gitAuthFor(ctx context.Context, remote string) (auth gitrepo.Auth, source string, err error) {
	target, ok := gitTarget(remote, w.hosts)
	if !ok {
		return gitrepo.Auth{}, "", nil
	}
	if target.Kind == forge.KindGitHub && w.app.configured() {
		tok, err := w.token(ctx, target)
		if err != nil {
			return gitrepo.Auth{}, "", err
		}
		value, err := tok.Refresh.Token(ctx)
		if err != nil {
			return gitrepo.Auth{}, "", err
		}
		return gitrepo.Auth{Token: value, Username: "x-access-token"}, tok.Source, nil
	}
	auth, source = gitAuthFor(remote, w.hosts, w.getenv)
	return auth, source, nil
}

// gitTarget is the forge of an http(s) remote's host, when gito can place it.
func gitTarget(remote string, hosts forge.Hosts) (forge.Target, bool) {
	u, err := url.Parse(remote)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return forge.Target{}, false
	}
	cfg := config.Forge{Type: hosts.Kind(u.Host)}
	target, err := forge.Detect(remote, cfg, hosts)
	if err != nil {
		return forge.Target{Kind: cfg.Type, Host: u.Host}, cfg.Type != ""
	}
	return target, true
}

// gitAuthFor is the token-variable half of Workspace.gitAuthFor.
func gitAuthFor(remote string, hosts forge.Hosts, getenv func(string) string) (auth gitrepo.Auth, source string) {
	target, ok := gitTarget(remote, hosts)
	kind := target.Kind
	if !ok || (kind != forge.KindGitHub && kind != forge.KindGitLab && kind != forge.KindGitea) {
		return gitrepo.Auth{}, ""
	}
	tok, err := forge.LookupToken(kind, target.Host, getenv)
	if err != nil {
		return gitrepo.Auth{}, ""
	}
	return gitAuth(kind, tok), tok.Source
}

// gitAuthHint says what to do when the remote refused git's credentials.
func gitAuthHint(remote, tokenSource string, getenv func(string) string) string {
	if tokenSource != "" {
		return fmt.Sprintf("gito gave git the token from %s: check that it is valid and may read and push %s", tokenSource, redact(remote))
	}
	u, err := url.Parse(remote)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "git used your own credentials (ssh keys or credential helper): check that they may read and push " + redact(remote)
	}
	return fmt.Sprintf("gito found no token for %s: set GH_TOKEN, GITLAB_TOKEN or GITEA_TOKEN, and if the host's name does not say which forge it runs, name it in GH_HOST, GITLAB_HOST or GITEA_HOST or under hosts: in %s",
		u.Host, config.UserConfigPath(getenv))
}

func gitAuth(kind string, tok forge.Token) gitrepo.Auth {
	user := "x-access-token"
	if kind == forge.KindGitea {
		user = "gito" // Gitea takes a token as the password for any user name
	}
	if kind == "gitlab" {
		user = "oauth2"
		if tok.JobToken {
			user = "gitlab-ci-token"
		}
	}
	return gitrepo.Auth{Token: tok.Value, Username: user}
}

func progress(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// BaseRef is the remote-tracking ref of the base branch in the cache.
func (w *Workspace) BaseRef() string { return gitrepo.RemoteRef(w.Base) }

// HistorySource reads the cache's history without a work tree.
func (w *Workspace) HistorySource() history.Source { return cacheHistory{w.Repo} }

// cacheHistory reads history from the cache: git log through history's reader, blobs
// through gitrepo, which fetches all the ones a blobless clone lacks in one request instead
// of one round trip per blob.
type cacheHistory struct{ repo *gitrepo.Repo }

func (c cacheHistory) Log(ctx context.Context, ref string, paths []string, limit int) ([]history.Commit, error) {
	return history.ExecGit{Dir: c.repo.Dir()}.Log(ctx, ref, paths, limit)
}

func (c cacheHistory) ReadBlobs(ctx context.Context, specs []string) (map[string][]byte, error) {
	return c.repo.ReadBlobs(ctx, specs)
}
