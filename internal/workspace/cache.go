package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/gitrepo"
)

// OpenCache fetches (or clones) the cached clone of remote with the same credentials a
// release uses, without a work tree: for a long-running reader such as gito serve.
func OpenCache(ctx context.Context, remote string, getenv func(string) string, progress io.Writer) (*gitrepo.Repo, error) {
	remote, user, err := resolveRemote(remote, getenv)
	if err != nil {
		return nil, err
	}
	auth, tokenSource := gitAuthFor(remote, user, getenv)
	repo, err := gitrepo.Open(ctx, gitrepo.OpenOptions{
		CacheRoot: config.CacheDir(getenv), Remote: remote, Auth: auth, Progress: progress,
	})
	if err != nil {
		err = fmt.Errorf("open infra repo %s: %w", redact(remote), err)
		if errors.Is(err, gitrepo.ErrAuth) {
			return nil, &exitcode.AuthError{Err: err, Hint: gitAuthHint(remote, tokenSource, getenv)}
		}
		return nil, err
	}
	return repo, nil
}
