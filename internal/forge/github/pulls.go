package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/gito-dev/gito/internal/forge"
)

// FindOpenPR implements forge.Forge. GitHub only filters by head when it is "owner:branch";
// a bare branch would list every open PR, so the owner is always sent and the ref re-checked.
func (f *Forge) FindOpenPR(ctx context.Context, head string) (*forge.PullRequest, error) {
	opts := &gh.PullRequestListOptions{
		State:       "open",
		Head:        f.owner + ":" + head,
		ListOptions: gh.ListOptions{PerPage: 100},
	}
	for {
		prs, resp, err := f.client.PullRequests.List(ctx, f.owner, f.repo, opts)
		if err != nil {
			return nil, f.wrap(err, "list pull requests for %s", head)
		}
		for _, p := range prs {
			login := p.GetHead().GetUser().GetLogin()
			if p.GetHead().GetRef() == head && (login == "" || strings.EqualFold(login, f.owner)) {
				return toPR(p), nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}

// CreatePR implements forge.Forge. When the PR already exists — another gito run won, or a
// retried POST had in fact succeeded — the existing one is returned.
func (f *Forge) CreatePR(ctx context.Context, pr forge.NewPullRequest) (*forge.PullRequest, error) {
	p, _, err := f.client.PullRequests.Create(ctx, f.owner, f.repo, &gh.NewPullRequest{
		Title: gh.String(pr.Title),
		Head:  gh.String(pr.Head),
		Base:  gh.String(pr.Base),
		Body:  gh.String(pr.Body),
		Draft: gh.Bool(pr.Draft),
	})
	if err == nil {
		return toPR(p), nil
	}
	if alreadyExists(err) {
		existing, findErr := f.FindOpenPR(ctx, pr.Head)
		if findErr != nil {
			return nil, findErr
		}
		if existing != nil {
			return existing, nil
		}
	}
	return nil, f.wrap(err, "create pull request %s -> %s", pr.Head, pr.Base)
}

func alreadyExists(err error) bool {
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	for _, e := range er.Errors {
		if strings.Contains(e.Message, "A pull request already exists") {
			return true
		}
	}
	return strings.Contains(er.Message, "A pull request already exists")
}

// UpdatePR implements forge.Forge.
func (f *Forge) UpdatePR(ctx context.Context, number int, title, body string) (*forge.PullRequest, error) {
	p, _, err := f.client.PullRequests.Edit(ctx, f.owner, f.repo, number, &gh.PullRequest{
		Title: gh.String(title),
		Body:  gh.String(body),
	})
	if err != nil {
		return nil, f.wrap(err, "update pull request #%d", number)
	}
	return toPR(p), nil
}

// AddLabels implements forge.Forge. GitHub creates labels that do not exist yet.
func (f *Forge) AddLabels(ctx context.Context, number int, labels []string) error {
	if len(labels) == 0 {
		return nil
	}
	_, _, err := f.client.Issues.AddLabelsToIssue(ctx, f.owner, f.repo, number, labels)
	return f.wrap(err, "add labels to pull request #%d", number)
}

// RequestReviewers implements forge.Forge. "org/team" names a team of the repository's
// organisation; GitHub wants only the team's slug.
func (f *Forge) RequestReviewers(ctx context.Context, number int, reviewers []string) error {
	var req gh.ReviewersRequest
	for _, r := range reviewers {
		r = strings.TrimPrefix(strings.TrimSpace(r), "@")
		if r == "" {
			continue
		}
		org, team, isTeam := strings.Cut(r, "/")
		switch {
		case !isTeam:
			req.Reviewers = append(req.Reviewers, r)
		case team == "" || strings.Contains(team, "/"):
			return fmt.Errorf("github: reviewer %q: a team is written org/team", r)
		case !strings.EqualFold(org, f.owner):
			return fmt.Errorf("github: reviewer %q: team belongs to %s, but %s/%s is owned by %s", r, org, f.owner, f.repo, f.owner)
		default:
			req.TeamReviewers = append(req.TeamReviewers, team)
		}
	}
	if len(req.Reviewers) == 0 && len(req.TeamReviewers) == 0 {
		return nil
	}
	_, _, err := f.client.PullRequests.RequestReviewers(ctx, f.owner, f.repo, number, req)
	return f.wrap(err, "request reviewers for pull request #%d", number)
}

func toPR(p *gh.PullRequest) *forge.PullRequest {
	return &forge.PullRequest{
		Number: p.GetNumber(),
		URL:    p.GetHTMLURL(),
		Title:  p.GetTitle(),
		Body:   p.GetBody(),
		Head:   p.GetHead().GetRef(),
		Base:   p.GetBase().GetRef(),
		Draft:  p.GetDraft(),
		State:  prState(p),

		MergeCommit: mergeCommit(p),
	}
}
