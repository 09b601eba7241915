package gitea

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/httpauth"
)

// draftPrefix is how Gitea marks a draft: it has no draft field, a title starting with one of
// its WORK_IN_PROGRESS_PREFIXES ("WIP:" and "[WIP]" by default) is the switch.
const draftPrefix = "WIP: "

var draftMarker = regexp.MustCompile(`(?i)^\s*(wip:|\[wip\])\s*`)

func stripDraft(title string) string { return draftMarker.ReplaceAllString(title, "") }

const (
	pageSize = 50 // Gitea's default MAX_RESPONSE_ITEMS
	// maxPages bounds pagination against a server whose Link header never ends.
	maxPages = 200
)

// FindOpenPR returns the open PR from head in this repository (not from a fork), or nil.
func (f *Forge) FindOpenPR(ctx context.Context, head string) (*forge.PullRequest, error) {
	var found *forge.PullRequest
	err := f.eachOpenPR(ctx, "find open pull request from "+head, func(p *sdk.PullRequest) bool {
		if p.Head != nil && p.Head.Ref == head {
			found = toPR(p)
			return false
		}
		return true
	})
	return found, err
}

// ListOpenPRs returns every open PR of this repository whose head branch starts with
// headPrefix, all pages read.
func (f *Forge) ListOpenPRs(ctx context.Context, headPrefix string) ([]*forge.PullRequest, error) {
	var out []*forge.PullRequest
	err := f.eachOpenPR(ctx, "list open pull requests", func(p *sdk.PullRequest) bool {
		if p.Head != nil && strings.HasPrefix(p.Head.Ref, headPrefix) {
			out = append(out, toPR(p))
		}
		return true
	})
	return out, err
}

// eachOpenPR walks the open PRs whose head is in this repository, page by page, until fn
// returns false. Gitea's list cannot filter by head branch.
func (f *Forge) eachOpenPR(ctx context.Context, action string, fn func(*sdk.PullRequest) bool) error {
	api := f.api(ctx)
	opt := sdk.ListPullRequestsOptions{ListOptions: sdk.ListOptions{Page: 1, PageSize: pageSize}, State: sdk.StateOpen}
	for range maxPages {
		prs, resp, err := api.ListRepoPullRequests(f.owner, f.repo, opt)
		if err != nil {
			return f.fail(action, resp, err)
		}
		for _, p := range prs {
			if p.State != sdk.StateOpen || !sameRepo(p) {
				continue
			}
			if !fn(p) {
				return nil
			}
		}
		if resp.NextPage <= opt.Page {
			return nil
		}
		opt.Page = resp.NextPage
	}
	return fmt.Errorf("gitea: %s: more than %d pages", action, maxPages)
}

// sameRepo tells a PR from a branch of this repository from one out of a fork that happens
// to use the same branch name.
func sameRepo(p *sdk.PullRequest) bool {
	if p.Head == nil || p.Base == nil {
		return false
	}
	return p.Head.RepoID == 0 || p.Head.RepoID == p.Base.RepoID
}

// GetPR returns PR number in any state.
func (f *Forge) GetPR(ctx context.Context, number int) (*forge.PullRequest, error) {
	p, resp, err := f.api(ctx).GetPullRequest(f.owner, f.repo, int64(number))
	if err != nil {
		return nil, f.fail(fmt.Sprintf("read pull request #%d", number), resp, err)
	}
	return toPR(p), nil
}

// CreatePR opens a PR; a draft gets the "WIP: " title prefix. When Gitea answers 409 because a
// PR from the branch is already open (a race, or a retried POST that had gone through), that
// PR is returned instead.
func (f *Forge) CreatePR(ctx context.Context, pr forge.NewPullRequest) (*forge.PullRequest, error) {
	title := stripDraft(pr.Title)
	if pr.Draft {
		title = draftPrefix + title
	}
	p, resp, err := f.api(ctx).CreatePullRequest(f.owner, f.repo, sdk.CreatePullRequestOption{
		Head: pr.Head, Base: pr.Base, Title: title, Body: pr.Body,
	})
	if err == nil {
		return toPR(p), nil
	}
	action := fmt.Sprintf("create pull request %s -> %s", pr.Head, pr.Base)
	if statusOf(resp) == http.StatusConflict {
		existing, findErr := f.FindOpenPR(ctx, pr.Head)
		if findErr != nil {
			return nil, findErr
		}
		if existing != nil {
			return existing, nil
		}
	}
	return nil, f.fail(action, resp, err)
}

// UpdatePR replaces title and body and keeps the PR's draft state: the new title gets the
// "WIP: " prefix exactly when the PR is a draft now.
func (f *Forge) UpdatePR(ctx context.Context, number int, title, body string) (*forge.PullRequest, error) {
	cur, err := f.GetPR(ctx, number)
	if err != nil {
		return nil, err
	}
	title = stripDraft(title)
	if cur.Draft {
		title = draftPrefix + title
	}
	p, resp, err := f.api(ctx).EditPullRequest(f.owner, f.repo, int64(number), sdk.EditPullRequestOption{
		Title: title, Body: &body,
	})
	if err != nil {
		return nil, f.fail(fmt.Sprintf("update pull request #%d", number), resp, err)
	}
	return toPR(p), nil
}

// AddLabels adds labels by name. Gitea takes label IDs and creates no label on use, so the
// names are looked up among the repository's labels and, for a repository of an organization,
// the organization's; a name found in neither is an error that names it.
func (f *Forge) AddLabels(ctx context.Context, number int, labels []string) error {
	var want []string
	for _, l := range labels {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(want, l) {
			want = append(want, l)
		}
	}
	if len(want) == 0 {
		return nil
	}
	ids, err := f.labelIDs(ctx, want)
	if err != nil {
		return err
	}
	_, resp, err := f.api(ctx).AddIssueLabels(f.owner, f.repo, int64(number), sdk.IssueLabelsOption{Labels: ids})
	if err != nil {
		return f.fail(fmt.Sprintf("add labels to pull request #%d", number), resp, err)
	}
	return nil
}

func (f *Forge) labelIDs(ctx context.Context, names []string) ([]int64, error) {
	api := f.api(ctx)
	action := fmt.Sprintf("list labels of %s/%s", f.owner, f.repo)
	known, err := collect(func(o sdk.ListOptions) ([]*sdk.Label, *sdk.Response, error) {
		return api.ListRepoLabels(f.owner, f.repo, sdk.ListLabelsOptions{ListOptions: o})
	})
	if err != nil {
		return nil, f.failPage(action, err)
	}
	ids, missing := matchLabels(known, names)
	if len(missing) > 0 {
		// Labels of the owning organization apply too; a user owner answers 404 here.
		orgLabels, err := collect(func(o sdk.ListOptions) ([]*sdk.Label, *sdk.Response, error) {
			return api.ListOrgLabels(f.owner, sdk.ListOrgLabelsOptions{ListOptions: o})
		})
		var pe *pageError
		switch {
		case errors.As(err, &pe) && statusOf(pe.resp) == http.StatusNotFound:
		case err != nil:
			return nil, f.failPage("list labels of organization "+f.owner, err)
		default:
			ids, missing = matchLabels(append(known, orgLabels...), names)
		}
	}
	if len(missing) > 0 {
		what, pronoun := "label", "it"
		if len(missing) > 1 {
			what, pronoun = "labels", "them"
		}
		return nil, fmt.Errorf("gitea: %s %s not found in %s/%s (Gitea creates no label on use): create %s in the repository's labels, or drop %s from --label and .gito.yaml",
			what, quoteAll(missing), f.owner, f.repo, pronoun, pronoun)
	}
	return ids, nil
}

func matchLabels(known []*sdk.Label, names []string) (ids []int64, missing []string) {
	for _, n := range names {
		if id, ok := lookupLabel(known, n); ok {
			ids = append(ids, id)
		} else {
			missing = append(missing, n)
		}
	}
	return ids, missing
}

// lookupLabel matches exactly, then ignoring case (users type labels in any case); an exact
// match wins over a case-folded one.
func lookupLabel(known []*sdk.Label, name string) (int64, bool) {
	for _, l := range known {
		if l.Name == name {
			return l.ID, true
		}
	}
	for _, l := range known {
		if strings.EqualFold(l.Name, name) {
			return l.ID, true
		}
	}
	return 0, false
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// pageError carries the response of the page that failed.
type pageError struct {
	resp *sdk.Response
	err  error
}

func (e *pageError) Error() string { return e.err.Error() }

// collect reads every page of a list.
func collect[T any](list func(sdk.ListOptions) ([]T, *sdk.Response, error)) ([]T, error) {
	var all []T
	opt := sdk.ListOptions{Page: 1, PageSize: pageSize}
	for range maxPages {
		items, resp, err := list(opt)
		if err != nil {
			return nil, &pageError{resp: resp, err: err}
		}
		all = append(all, items...)
		if resp.NextPage <= opt.Page {
			return all, nil
		}
		opt.Page = resp.NextPage
	}
	return nil, fmt.Errorf("more than %d pages", maxPages)
}

func (f *Forge) failPage(action string, err error) error {
	var pe *pageError
	if errors.As(err, &pe) {
		return f.fail(action, pe.resp, pe.err)
	}
	var redir *httpauth.RedirectError
	if errors.As(err, &redir) {
		return f.fail(action, nil, err)
	}
	return fmt.Errorf("gitea: %s: %w", action, err)
}

// RequestReviewers asks users, or teams written "org/team" (the repository's organization),
// to review. Gitea refuses a user or team who may not read the repository; its reason is
// quoted.
func (f *Forge) RequestReviewers(ctx context.Context, number int, reviewers []string) error {
	var req sdk.PullReviewRequestOptions
	var names []string // as the user wrote them, for the error
	for _, r := range reviewers {
		r = strings.TrimPrefix(strings.TrimSpace(r), "@")
		if r == "" {
			continue
		}
		org, team, isTeam := strings.Cut(r, "/")
		switch {
		case !isTeam:
			if !slices.Contains(req.Reviewers, r) {
				req.Reviewers = append(req.Reviewers, r)
				names = append(names, r)
			}
		case team == "" || strings.Contains(team, "/"):
			return fmt.Errorf("gitea: reviewer %q: a team is written org/team", r)
		case !strings.EqualFold(org, f.owner):
			return fmt.Errorf("gitea: reviewer %q: team belongs to %s, but %s/%s is owned by %s", r, org, f.owner, f.repo, f.owner)
		case !slices.Contains(req.TeamReviewers, team):
			req.TeamReviewers = append(req.TeamReviewers, team)
			names = append(names, r)
		}
	}
	if len(names) == 0 {
		return nil
	}
	if len(req.TeamReviewers) > 0 {
		if err := f.requireOrg(ctx, f.owner+"/"+req.TeamReviewers[0]); err != nil {
			return err
		}
	}
	resp, err := f.api(ctx).CreateReviewRequests(f.owner, f.repo, int64(number), req)
	if err != nil {
		return f.fail(fmt.Sprintf("request reviewers %s for pull request #%d", strings.Join(names, ", "), number), resp, err)
	}
	return nil
}

// requireOrg refuses a team reviewer on a repository a user owns: only organizations have
// teams, and Gitea answers 201 to such a request without asking anyone.
func (f *Forge) requireOrg(ctx context.Context, team string) error {
	_, resp, err := f.api(ctx).GetOrg(f.owner)
	switch {
	case err == nil:
		return nil
	case statusOf(resp) == http.StatusNotFound:
		return fmt.Errorf("gitea: reviewer %q: %s/%s is owned by the user %s, and only an organization has teams: name users instead", team, f.owner, f.repo, f.owner)
	default:
		return f.fail("read organization "+f.owner, resp, err)
	}
}

// EnableAutoMerge schedules the merge for when the PR's checks succeed, in the repository's
// default merge style. With no check pending Gitea merges at once.
func (f *Forge) EnableAutoMerge(ctx context.Context, number int) error {
	info, err := f.repository(ctx)
	if err != nil {
		return err
	}
	style := info.DefaultMergeStyle
	if style == "" {
		style = sdk.MergeStyleMerge
	}
	// The SDK reads no body on this route; the status says enough.
	_, resp, err := f.api(ctx).MergePullRequest(f.owner, f.repo, int64(number), sdk.MergePullRequestOption{
		Style: style, MergeWhenChecksSucceed: true,
	})
	action := fmt.Sprintf("enable auto-merge on pull request #%d", number)
	if err != nil {
		return f.fail(action, resp, err)
	}
	switch code := statusOf(resp); code {
	case http.StatusOK, http.StatusCreated:
		return nil
	case http.StatusConflict:
		// With merge_when_checks_succeed Gitea schedules rather than merges, and 409 means it
		// already is scheduled: a re-release of an open PR asks again.
		return nil
	case http.StatusMethodNotAllowed:
		return fmt.Errorf("gitea: %s: 405: Gitea says it cannot be merged (a draft, the token's user may not merge, or the repository does not allow the %s merge style)", action, style)
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return f.fail(action, resp, errors.New(http.StatusText(code)))
	default:
		return fmt.Errorf("gitea: %s: %d %s", action, code, http.StatusText(code))
	}
}

func toPR(p *sdk.PullRequest) *forge.PullRequest {
	out := &forge.PullRequest{
		Number: int(p.Index),
		URL:    p.HTMLURL,
		Title:  stripDraft(p.Title),
		Body:   p.Body,
		Draft:  p.Draft || draftMarker.MatchString(p.Title),
		State:  "open",
	}
	if p.Head != nil {
		out.Head = p.Head.Ref
	}
	if p.Base != nil {
		out.Base = p.Base.Ref
	}
	switch {
	case p.HasMerged:
		out.State = "merged"
		if p.MergedCommitID != nil {
			out.MergeCommit = *p.MergedCommitID
		}
	case p.State == sdk.StateClosed:
		out.State = "closed"
	}
	return out
}
