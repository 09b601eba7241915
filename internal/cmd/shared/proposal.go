package shared

import (
	"fmt"

	"github.com/gito-dev/gito/internal/forge"
)

// PullRequestPhrase says what a release does about its pull request, as the words after
// "push BRANCH and": "open a pull request", "update pull request #7", or, with no forge, that
// none is opened. The confirmation question, the dry run and the rollback picker all use it,
// so they cannot disagree.
func PullRequestPhrase(hasForge bool, existing *forge.PullRequest) string {
	switch {
	case !hasForge:
		return "open no pull request (no forge is configured)"
	case existing != nil:
		return fmt.Sprintf("update pull request #%d", existing.Number)
	}
	return "open a pull request"
}
