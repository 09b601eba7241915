package github

import (
	"context"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/gito-dev/gito/internal/forge"
)

// GetPR implements forge.Forge: the PR in any state, merged told apart from closed.
func (f *Forge) GetPR(ctx context.Context, number int) (*forge.PullRequest, error) {
	p, _, err := f.client.PullRequests.Get(ctx, f.owner, f.repo, number)
	if err != nil {
		return nil, f.wrap(err, "get pull request #%d", number)
	}
	return toPR(p), nil
}

// ListOpenPRs implements forge.Forge with one paginated list of the repository's open PRs
// (GitHub cannot filter by a head prefix), keeping those from this repository whose head
// starts with headPrefix.
func (f *Forge) ListOpenPRs(ctx context.Context, headPrefix string) ([]*forge.PullRequest, error) {
	opts := &gh.PullRequestListOptions{State: "open", ListOptions: gh.ListOptions{PerPage: 100}}
	var out []*forge.PullRequest
	for {
		prs, resp, err := f.client.PullRequests.List(ctx, f.owner, f.repo, opts)
		if err != nil {
			return nil, f.wrap(err, "list open pull requests")
		}
		for _, p := range prs {
			login := p.GetHead().GetUser().GetLogin()
			if strings.HasPrefix(p.GetHead().GetRef(), headPrefix) && (login == "" || strings.EqualFold(login, f.owner)) {
				out = append(out, toPR(p))
			}
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// prState maps GitHub's open/closed plus the merged flag to forge's three states.
func prState(p *gh.PullRequest) string {
	switch {
	case p.GetMerged() || p.MergedAt != nil:
		return forge.StateMerged
	case p.GetState() == "closed":
		return forge.StateClosed
	}
	return forge.StateOpen
}

// mergeCommit is set only once merged: GitHub fills merge_commit_sha with a test merge
// commit while the PR is open.
func mergeCommit(p *gh.PullRequest) string {
	if prState(p) != forge.StateMerged {
		return ""
	}
	return p.GetMergeCommitSHA()
}
