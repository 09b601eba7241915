package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
)

var hexCommit = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)

// IsAncestor reports whether commit ancestor is reachable from commit descendant (a commit
// is its own ancestor). An unknown commit is reported as false, not as an error.
func (r *Repo) IsAncestor(ctx context.Context, ancestor, descendant string) (bool, error) {
	if !hexCommit.MatchString(ancestor) || !hexCommit.MatchString(descendant) {
		return false, fmt.Errorf("is-ancestor: %q and %q must be commit ids", ancestor, descendant)
	}
	// A shallow cache cannot tell: the commits between the two are not there.
	if err := r.Deepen(ctx); err != nil {
		return false, err
	}
	_, err := r.git.output(ctx, r.dir, nil, "merge-base", "--is-ancestor", ancestor, descendant)
	var gitErr *Error
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &gitErr) && (gitErr.ExitCode == 1 || gitErr.ExitCode == 128):
		return false, nil // not an ancestor, or a commit the cache does not have
	}
	return false, fmt.Errorf("is-ancestor %s %s: %w", ancestor, descendant, err)
}
