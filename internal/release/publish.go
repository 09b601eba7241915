package release

import (
	"context"
	"fmt"
	"strings"

	"github.com/gito-dev/gito/internal/forge"
)

// Actions reported in --json and on stderr.
const (
	ActionCreated = "created"
	ActionUpdated = "updated"
	ActionNoop    = "noop"
	ActionPlanned = "planned"
	ActionPushed  = "pushed" // no forge: the branch was pushed and nobody opened a PR
)

// Published is the outcome of Publish.
type Published struct {
	Action string
	PR     *forge.PullRequest
}

// Publish opens the overlay's PR, or updates the one already open (existing, found before
// the push), then applies labels, reviewers and auto-merge. The branch must already be pushed.
func Publish(ctx context.Context, f forge.Forge, p *Plan, existing *forge.PullRequest) (*Published, error) {
	var (
		pr     *forge.PullRequest
		err    error
		action string
	)
	if existing != nil {
		action = ActionUpdated
		pr, err = f.UpdatePR(ctx, existing.Number, p.Title, p.Body)
		if err != nil {
			return nil, fmt.Errorf("update pull request #%d: %w", existing.Number, err)
		}
	} else {
		action = ActionCreated
		pr, err = f.CreatePR(ctx, forge.NewPullRequest{Head: p.Branch, Base: p.Base, Title: p.Title, Body: p.Body, Draft: p.Draft})
		if err != nil {
			return nil, err // the forge's error names the operation and the branches
		}
		if !p.DescribedBy(pr) {
			// The forge answered with a PR another run had opened from the branch meanwhile
			// (GitHub's 422, GitLab's 409): it describes that run's release, so this one
			// updates it.
			action = ActionUpdated
			number := pr.Number
			if pr, err = f.UpdatePR(ctx, number, p.Title, p.Body); err != nil {
				return nil, fmt.Errorf("update pull request #%d: %w", number, err)
			}
		}
	}
	if len(p.Labels) > 0 {
		if err := f.AddLabels(ctx, pr.Number, p.Labels); err != nil {
			return nil, fmt.Errorf("label pull request #%d: %w", pr.Number, err)
		}
	}
	if len(p.Reviewers) > 0 {
		if err := f.RequestReviewers(ctx, pr.Number, p.Reviewers); err != nil {
			return nil, fmt.Errorf("request reviewers on #%d: %w", pr.Number, err)
		}
	}
	if p.AutoMerge {
		if err := f.EnableAutoMerge(ctx, pr.Number); err != nil {
			return nil, fmt.Errorf("enable auto-merge on #%d: %w", pr.Number, err)
		}
	}
	return &Published{Action: action, PR: pr}, nil
}

// DescribedBy reports whether pr's title and body are the ones this plan writes, up to the
// line endings and surrounding blank space a forge may normalise.
func (p *Plan) DescribedBy(pr *forge.PullRequest) bool {
	return pr != nil && normalizeText(pr.Title) == normalizeText(p.Title) && normalizeText(pr.Body) == normalizeText(p.Body)
}

func normalizeText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}
