package release

import (
	"context"
	"fmt"
)

// Committer records files as one commit; internal/pipeline adapts internal/gitrepo to it.
type Committer interface {
	Path() string
	Commit(ctx context.Context, message string, paths []string) (sha string, err error)
}

// Apply writes the plan's files into the snapshot and commits them. A noop plan is an error:
// the caller decides what "nothing to do" means before it gets here.
func Apply(ctx context.Context, wt Committer, p *Plan) (sha string, err error) {
	if p.Noop || len(p.Files) == 0 {
		return "", fmt.Errorf("apply %s/%s: nothing to commit", p.Env, p.Service)
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := writeFiles(wt.Path(), p.Files); err != nil {
		return "", err
	}
	sha, err = wt.Commit(ctx, p.Commit, p.Paths())
	if err != nil {
		return "", fmt.Errorf("commit on %s: %w", p.Branch, err)
	}
	return sha, nil
}
