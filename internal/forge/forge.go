// Package forge is gito's view of a code-review host: just enough to open or update the one
// release pull request of an overlay. internal/forge/github and internal/forge/gitlab
// implement it, and so does internal/forge/gitea (Gitea and Forgejo); nothing outside them
// imports a forge SDK.
package forge

import (
	"context"

	"github.com/gito-dev/gito/internal/exitcode"
)

// PullRequest is a GitHub or Gitea pull request or a GitLab merge request.
type PullRequest struct {
	Number int    // GitHub and Gitea number, GitLab IID
	URL    string // web URL a human opens
	Title  string
	Body   string
	Head   string // source branch
	Base   string // target branch
	Draft  bool
	// State is "open", "closed" (without merging) or "merged".
	State string
	// MergeCommit is the commit the merge made on the base branch ("" until merged).
	MergeCommit string
}

// PR states as forge.PullRequest.State reports them, whatever the forge calls them.
const (
	StateOpen   = "open"
	StateClosed = "closed"
	StateMerged = "merged"
)

// NewPullRequest is what Create sends.
type NewPullRequest struct {
	Head  string
	Base  string
	Title string
	Body  string
	Draft bool
}

// Forge is one repository (GitHub) or project (GitLab) on a forge.
type Forge interface {
	// FindOpenPR returns the open PR whose source branch is head, or nil when there is none.
	FindOpenPR(ctx context.Context, head string) (*PullRequest, error)
	// GetPR returns the PR with this number in any state.
	GetPR(ctx context.Context, number int) (*PullRequest, error)
	// ListOpenPRs returns every open PR whose source branch starts with headPrefix, reading
	// all pages of one list call (status uses it instead of one lookup per overlay).
	ListOpenPRs(ctx context.Context, headPrefix string) ([]*PullRequest, error)
	// CreatePR opens a PR.
	CreatePR(ctx context.Context, pr NewPullRequest) (*PullRequest, error)
	// UpdatePR replaces the title and body of an open PR.
	UpdatePR(ctx context.Context, number int, title, body string) (*PullRequest, error)
	// AddLabels adds labels (creating none that the forge would refuse to create implicitly).
	AddLabels(ctx context.Context, number int, labels []string) error
	// RequestReviewers asks users (or "org/team" on GitHub) to review.
	RequestReviewers(ctx context.Context, number int, reviewers []string) error
	// EnableAutoMerge merges the PR once its checks pass.
	EnableAutoMerge(ctx context.Context, number int) error
}

// ErrAuth is wrapped by errors caused by a missing, invalid or insufficient token.
// It exits 4.
var ErrAuth = exitcode.Sentinel(exitcode.Auth, "forge authentication failed")
