// Package workspace opens the infra repo for one gito run: the cached partial clone
// (fetched), the base branch, a private snapshot of the files the run reads at that base, its
// .gito.yaml, and the forge the pull request goes to. Everything a command needs before
// planning a release.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/forge/forgeclient"
	"github.com/gito-dev/gito/internal/forge/githubapp"
	"github.com/gito-dev/gito/internal/gitrepo"
	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/inventory"
)

// Options says which infra repo to open and how.
type Options struct {
	Remote     string // --repo; already defaulted from GITO_REPO
	Base       string // --base, or ""
	Getenv     func(string) string
	HTTPClient func() (*http.Client, error)
	Progress   io.Writer // nil: silent
	Notes      io.Writer // notes the user should see whatever the terminal (nil: none)
	WorkDir    string    // where a relative --repo is resolved; "" is the process's
	// Service and Env, when set, narrow the snapshot to what that overlay needs, which keeps
	// a release in a repo of thousands of overlays fast.
	Service string
	Env     string
	// NoWorktree opens the cache and the base only: for commands that read the tree
	// through gitrepo (status) and never write.
	NoWorktree bool
}

// Workspace is an opened infra repo. Close removes the snapshot.
type Workspace struct {
	Remote   string
	Repo     *gitrepo.Repo
	Snapshot *gitrepo.Snapshot
	Config   *config.Repo
	Base     string
	BaseSHA  string // the base branch's commit, read once per run
	User     *config.User
	Target   forge.Target
	// Service is --service, or the repo's one service when --service was not given.
	Service string

	httpClient func() (*http.Client, error)
	getenv     func(string) string
	hosts      forge.Hosts // the user config's hosts: and GH_HOST/GITLAB_HOST/GITEA_HOST
	app        appAuth
	forge      forge.Forge
	// The token git was given for the remote's host, kept so the forge client of the same
	// host does not look it up a second time.
	gitToken     *forge.Token
	gitTokenKind string
	gitTokenHost string
	inventory    *inventory.Inventory
	located      *located
}

// ResolveRemote picks the infra repo: the flag (or GITO_REPO), then the checkout the working
// directory is in, then the user config. note says which URL was chosen when it is not what
// the user typed ("" otherwise).
func ResolveRemote(ctx context.Context, flag, workDir string, getenv func(string) string) (remote, note string, err error) {
	user, err := config.LoadUser(getenv)
	if err != nil {
		return "", "", err
	}
	return resolveRemote(ctx, flag, workDir, user, getenv)
}

func resolveRemote(ctx context.Context, flag, workDir string, user *config.User, getenv func(string) string) (remote, note string, err error) {
	if workDir == "" {
		if workDir, err = os.Getwd(); err != nil {
			return "", "", fmt.Errorf("working directory: %w", err)
		}
	}
	if flag != "" {
		if !gitrepo.IsLocalPath(flag) {
			return flag, "", nil
		}
		path := flag
		if !filepath.IsAbs(path) {
			path = filepath.Join(workDir, path)
		}
		c, ok, err := gitrepo.FindCheckout(ctx, path)
		if err != nil || !ok {
			return flag, "", err // a bare repository or a plain directory: the remote itself
		}
		// A user's own clone: pushing into it would put the release where no forge sees
		// it. Its origin is the infra repo they mean.
		if c.Origin == "" {
			return "", "", exitcode.FlagErrorf("--repo %s is a checkout without an origin remote: pass the infra repo's URL", flag)
		}
		origin := originURL(c)
		return origin, fmt.Sprintf("--repo %s is a checkout: using its origin %s", flag, redact(origin)), nil
	}
	if c, ok, err := gitrepo.FindCheckout(ctx, workDir); err == nil && ok && c.Origin != "" && isInfraRepo(c.Root) {
		origin := originURL(c)
		return origin, fmt.Sprintf("using the origin of the checkout at %s: %s", c.Root, redact(origin)), nil
	}
	if user.Repo != "" {
		return user.Repo, "", nil
	}
	return "", "", exitcode.FlagErrorf("--repo is required: pass the infra repo URL or path, set GITO_REPO, run gito inside a clone of the infra repo, or set repo: in %s", config.UserConfigPath(getenv))
}

// originURL resolves a relative origin (a path next to the clone) against the clone.
func originURL(c gitrepo.Checkout) string {
	if gitrepo.IsLocalPath(c.Origin) && !filepath.IsAbs(c.Origin) {
		return filepath.Join(c.Root, c.Origin)
	}
	return c.Origin
}

// isInfraRepo tells an infra repo's clone from any other repository the user stands in: it
// has a .gito.yaml at its root.
func isInfraRepo(root string) bool {
	_, err := os.Stat(filepath.Join(root, config.FileName))
	return err == nil
}

// Open fetches the cache, resolves the base branch and writes the snapshot the run reads.
func Open(ctx context.Context, opts Options) (*Workspace, error) {
	user, err := config.LoadUser(opts.Getenv)
	if err != nil {
		return nil, err
	}
	remote, note, err := resolveRemote(ctx, opts.Remote, opts.WorkDir, user, opts.Getenv)
	if err != nil {
		return nil, err
	}
	if note != "" && opts.Notes != nil {
		fmt.Fprintln(opts.Notes, "note: "+note)
	}
	w := &Workspace{Remote: remote, User: user, httpClient: opts.HTTPClient, getenv: opts.Getenv, hosts: forge.KnownHosts(user.Hosts, opts.Getenv)}
	w.app.app, w.app.err = githubapp.FromEnv(opts.Getenv)
	cred, err := w.gitAuthFor(ctx, remote)
	if err != nil {
		return nil, fmt.Errorf("open infra repo %s: %w", redact(remote), err)
	}
	auth, tokenSource := cred.auth, ""
	if cred.token != nil {
		tokenSource = cred.token.Source
		w.gitToken, w.gitTokenKind, w.gitTokenHost = cred.token, cred.kind, cred.host
	}
	progress(opts.Progress, "Fetching %s", redact(remote))
	w.Repo, err = gitrepo.Open(ctx, gitrepo.OpenOptions{
		CacheRoot: config.CacheDir(opts.Getenv), Remote: remote, Auth: auth, Progress: opts.Progress,
	})
	if err != nil {
		err = fmt.Errorf("open infra repo %s: %w", redact(remote), err)
		if errors.Is(err, gitrepo.ErrAuth) {
			return nil, &exitcode.AuthError{Err: err, Hint: gitAuthHint(remote, tokenSource, w.hosts, opts.Getenv)}
		}
		return nil, err
	}
	if err := w.resolveBase(ctx, opts.Base); err != nil {
		return nil, err
	}
	w.Service = opts.Service
	if w.Service == "" && opts.Env != "" {
		if w.Service, err = w.oneService(ctx); err != nil {
			return nil, err
		}
	}
	var sparse []string
	if opts.NoWorktree {
		w.Target, err = forge.Detect(remote, w.Config.Forge, w.hosts)
		if err != nil {
			w.Close()
		}
		return w, err
	}
	if w.Service != "" && opts.Env != "" {
		dirs, ok, err := sparseDirs(ctx, w.Repo, w.BaseSHA, w.Config, w.Service, opts.Env)
		if err != nil {
			return nil, err
		}
		if ok {
			sparse = dirs
		} else if e, found, err := w.locate(ctx, w.Service, opts.Env); err != nil {
			return nil, err
		} else if found && e.Dir != "" && len(w.Config.TargetsFor(w.Service)) == 0 {
			if sparse, err = inventoryDirs(ctx, w.Repo, w.BaseSHA, w.Config, e.Dir); err != nil {
				return nil, err
			}
		}
	}
	w.Snapshot, err = w.Repo.NewSnapshot(ctx, w.BaseSHA, sparse...)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("%s: %w", w.Base, err) // gitrepo says "check out <sha>"
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
// lookup (a network round trip) is needed. The base's commit is read here once: the plan,
// the no-op check and the push all work from that one commit.
func (w *Workspace) resolveBase(ctx context.Context, flag string) error {
	what := "--base"
	if flag == "" {
		def, err := w.Repo.DefaultBranch(ctx)
		if err != nil {
			return fmt.Errorf("default branch of %s: %w", redact(w.Remote), err)
		}
		defSHA, err := w.branchSHA(ctx, def, "the default branch")
		if err != nil {
			return err
		}
		if w.Config, err = w.readConfig(ctx, defSHA); err != nil {
			return err
		}
		w.Base, w.BaseSHA = def, defSHA
		if w.Config.BaseBranch == "" || w.Config.BaseBranch == def {
			return nil
		}
		flag, what = w.Config.BaseBranch, config.FileName+" baseBranch"
	}
	sha, err := w.branchSHA(ctx, flag, what)
	if err != nil {
		return err
	}
	w.Base, w.BaseSHA = flag, sha
	// The base branch's own .gito.yaml is the one that applies.
	w.Config, err = w.readConfig(ctx, sha)
	return err
}

// branchSHA is the cached commit of a remote branch; what names where the name came from.
func (w *Workspace) branchSHA(ctx context.Context, branch, what string) (string, error) {
	sha, ok, err := w.Repo.RemoteBranchSHA(ctx, branch)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("%s %q does not exist on %s", what, branch, redact(w.Remote))
	}
	return sha, nil
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

// Root is the snapshot's directory.
func (w *Workspace) Root() string {
	if w.Snapshot == nil {
		return ""
	}
	return w.Snapshot.Path()
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
	if err := forge.CheckAPIHost(w.Target, w.hosts.Names(), config.UserConfigPath(w.getenv)); err != nil {
		return nil, err
	}
	tok := w.gitToken
	if tok == nil || w.gitTokenHost != w.Target.Host || w.gitTokenKind != w.Target.Kind {
		t, err := w.token(ctx, w.Target)
		if err != nil {
			return nil, err
		}
		tok = &t
	}
	client, err := w.httpClient()
	if err != nil {
		return nil, err
	}
	f, err := forgeclient.New(ctx, client, w.Target, *tok)
	if err != nil {
		return nil, err
	}
	w.forge = f
	return f, nil
}

// Close removes the snapshot and stops the cache's object reader. Safe to call more than once.
func (w *Workspace) Close() {
	if w.Snapshot != nil {
		_ = w.Snapshot.Remove()
		w.Snapshot = nil
	}
	if w.Repo != nil {
		w.Repo.Close()
	}
}

// Abs returns the absolute path of a repo-relative file in the snapshot.
func (w *Workspace) Abs(rel string) string { return filepath.Join(w.Root(), filepath.FromSlash(rel)) }

// gitCredential is the token git may use for the remote, and which forge host it belongs to.
type gitCredential struct {
	auth  gitrepo.Auth
	token *forge.Token // nil: gito hands git none
	kind  string
	host  string
}

// gitAuthFor picks the token git may use for an http(s) remote: the forge token of the
// remote's own host, never another host's, or the GitHub App's installation token on a
// GitHub host. The host's forge comes from the URL (github.com, gitlab.com, …),
// GH_HOST/GITLAB_HOST/GITEA_HOST or the user config's hosts map, because .gito.yaml cannot be
// read before the clone. Other remotes use the user's own git credentials. An error only
// comes from a configured GitHub App that cannot get a token.
func (w *Workspace) gitAuthFor(ctx context.Context, remote string) (gitCredential, error) {
	target, ok := gitTarget(remote, w.hosts)
	if !ok || target.Kind != forge.KindGitHub || !w.app.configured() {
		return gitAuthFor(remote, w.hosts, w.getenv), nil
	}
	tok, err := w.token(ctx, target)
	if err != nil {
		return gitCredential{}, err
	}
	value, err := tok.Refresh.Token(ctx)
	if err != nil {
		return gitCredential{}, err
	}
	return gitCredential{auth: gitrepo.Auth{Token: value, Username: "x-access-token"}, token: &tok, kind: target.Kind, host: target.Host}, nil
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
		// the path is no project gito knows (a plain git server): the host's kind still says
		// which token it takes
		return forge.Target{Kind: cfg.Type, Host: strings.ToLower(u.Host)}, cfg.Type != ""
	}
	return target, true
}

// gitAuthFor is Workspace.gitAuthFor for token variables and CLI stores.
func gitAuthFor(remote string, hosts forge.Hosts, getenv func(string) string) gitCredential {
	target, ok := gitTarget(remote, hosts)
	kind := target.Kind
	if !ok || (kind != forge.KindGitHub && kind != forge.KindGitLab && kind != forge.KindGitea) {
		return gitCredential{}
	}
	host := strings.ToLower(target.Host)
	tok, err := forge.LookupToken(kind, host, getenv)
	if err != nil {
		return gitCredential{}
	}
	return gitCredential{auth: gitAuth(kind, tok), token: &tok, kind: kind, host: host}
}

// gitAuthHint says what to do when the remote refused git's credentials.
func gitAuthHint(remote, tokenSource string, hosts forge.Hosts, getenv func(string) string) string {
	if tokenSource != "" {
		return fmt.Sprintf("gito gave git the token from %s: check that it is valid and may read and push %s", tokenSource, redact(remote))
	}
	u, err := url.Parse(remote)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "git used your own credentials (ssh keys or credential helper): check that they may read and push " + redact(remote)
	}
	// A host whose forge gito knows (by name, GH_HOST/GITLAB_HOST/GITEA_HOST or hosts:) takes
	// one token variable: name it alone.
	if target, ok := gitTarget(remote, hosts); ok {
		if v, known := tokenVariable[target.Kind]; known {
			return fmt.Sprintf("gito found no token for %s, a %s host: set %s", u.Host, target.Kind, v)
		}
	}
	return fmt.Sprintf("gito found no token for %s: set GH_TOKEN, GITLAB_TOKEN or GITEA_TOKEN, and if the host's name does not say which forge it runs, name it in GH_HOST, GITLAB_HOST or GITEA_HOST or under hosts: in %s",
		u.Host, config.UserConfigPath(getenv))
}

// tokenVariable is the variable that gives gito each forge's token.
var tokenVariable = map[string]string{
	forge.KindGitHub: "GH_TOKEN (or GITHUB_TOKEN)",
	forge.KindGitLab: "GITLAB_TOKEN",
	forge.KindGitea:  "GITEA_TOKEN",
}

func gitAuth(kind string, tok forge.Token) gitrepo.Auth {
	user := "x-access-token"
	if kind == forge.KindGitea {
		user = "gito" // Gitea takes a token as the password for any user name
	}
	if kind == forge.KindGitLab {
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

// HistorySource reads the cache's history without a snapshot; it deepens a shallow cache
// first.
func (w *Workspace) HistorySource() history.Source { return history.RepoSource{Repo: w.Repo} }

// oneService is the service of a repo that has one: the single entry of .gito.yaml's
// services, else, in a layout without {service}, the repo's name. Otherwise --service is
// required, and the error lists the services.
func (w *Workspace) oneService(ctx context.Context) (string, error) {
	if len(w.Config.Services) == 1 {
		for name := range w.Config.Services {
			return name, nil
		}
	}
	files, err := w.Repo.ListFiles(ctx, w.BaseSHA)
	if err != nil {
		return "", err
	}
	t := newTree(files)
	layout := w.Config.Layout
	if layout == "" {
		layout = t.detectLayout()
	}
	if layout != "" && config.OneApp(layout) && len(w.Config.Services) == 0 {
		name := strings.TrimSuffix(path.Base(strings.TrimRight(strings.ReplaceAll(w.Remote, "\\", "/"), "/")), ".git")
		if config.ValidateName("service", name) == nil {
			return name, nil
		}
	}
	inv, err := w.Inventory(ctx)
	if err != nil {
		return "", err
	}
	if name, ok := inv.OneService(); ok {
		return name, nil
	}
	names := inv.Services()
	if len(names) == 0 {
		return "", exitcode.FlagErrorf("--service is required")
	}
	return "", exitcode.FlagErrorf("--service is required: the repo has %s", strings.Join(names, ", "))
}
