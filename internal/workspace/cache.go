package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/gitrepo"
)

// OpenCache fetches (or clones) the cached clone of remote with the same credentials a
// release uses, without a work tree: for a long-running reader such as gito serve. workDir
// resolves a relative --repo ("" is the process's working directory). Each git runs in a
// process group of its own, stopped whole when its context ends: nobody is at a terminal to
// answer a prompt, and a helper stuck on a silent remote must not outlive its refresh.
func OpenCache(ctx context.Context, remote, workDir string, getenv func(string) string, progress io.Writer) (*gitrepo.Repo, error) {
	user, err := config.LoadUser(getenv)
	if err != nil {
		return nil, err
	}
	remote, _, err = resolveRemote(ctx, remote, workDir, user, getenv)
	if err != nil {
		return nil, err
	}
	hosts := forge.KnownHosts(user.Hosts, getenv)
	cred := gitAuthFor(remote, hosts, getenv) // a long-running reader: token variables, not a GitHub App
	tokenSource := ""
	if cred.token != nil {
		tokenSource = cred.token.Source
	}
	repo, err := gitrepo.Open(ctx, gitrepo.OpenOptions{
		CacheRoot: config.CacheDir(getenv), Remote: remote, Auth: cred.auth, Progress: progress,
		Git: &gitrepo.Git{ProcessGroup: true},
	})
	if err != nil {
		err = fmt.Errorf("open infra repo %s: %w", redact(remote), err)
		if errors.Is(err, gitrepo.ErrAuth) {
			return nil, &exitcode.AuthError{Err: err, Hint: gitAuthHint(remote, tokenSource, hosts, getenv)}
		}
		return nil, err
	}
	return repo, nil
}
