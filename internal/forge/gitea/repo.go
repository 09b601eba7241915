package gitea

import (
	"context"
	"fmt"

	"github.com/gito-dev/gito/internal/forge"
)

// Kind is "gitea". (Kind and DefaultBranch leave the forge interface with issue 10; delete
// this file then.)
func (f *Forge) Kind() string { return forge.KindGitea }

// DefaultBranch is the repository's default branch.
func (f *Forge) DefaultBranch(ctx context.Context) (string, error) {
	r, err := f.repository(ctx)
	if err != nil {
		return "", err
	}
	if r.DefaultBranch == "" {
		return "", fmt.Errorf("gitea: repository %s/%s reports no default branch", f.owner, f.repo)
	}
	return r.DefaultBranch, nil
}
