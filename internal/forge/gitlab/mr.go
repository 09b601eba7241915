package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/gito-dev/gito/internal/forge"
)

// draftPrefix is what gito puts in front of a draft MR's title; GitLab has no draft field on
// create or update, the title prefix is the switch.
const draftPrefix = "Draft: "

// draftMarker matches the prefixes GitLab reads as "draft".
var draftMarker = regexp.MustCompile(`(?i)^\s*(\[draft\]|\(draft\)|draft:)\s*`)

func stripDraft(title string) string { return draftMarker.ReplaceAllString(title, "") }

// maxPages bounds pagination against a server whose X-Next-Page never ends.
const maxPages = 100

// FindOpenPR returns the open MR from head in this project, skipping MRs from forks that use
// the same branch name, or nil.
func (f *Forge) FindOpenPR(ctx context.Context, head string) (*forge.PullRequest, error) {
	p, err := f.projectInfo(ctx)
	if err != nil {
		return nil, err
	}
	opt := &gl.ListProjectMergeRequestsOptions{
		ListOptions:  gl.ListOptions{PerPage: 100, Page: 1},
		State:        gl.Ptr("opened"),
		SourceBranch: gl.Ptr(head),
	}
	for range maxPages {
		mrs, resp, err := f.client.MergeRequests.ListProjectMergeRequests(f.project, opt, gl.WithContext(ctx))
		if err != nil {
			return nil, f.fail(fmt.Sprintf("find open merge request from %s", head), err)
		}
		for _, m := range mrs {
			if m.SourceBranch == head && m.SourceProjectID == p.ID && m.State == "opened" {
				return toPR(m), nil
			}
		}
		if resp.NextPage <= opt.Page {
			return nil, nil
		}
		opt.Page = resp.NextPage
	}
	return nil, fmt.Errorf("gitlab: find open merge request from %s: more than %d pages", head, maxPages)
}

// conflictIID reads the MR number out of GitLab's 409 message.
var conflictIID = regexp.MustCompile(`already exists for this source branch: !(\d+)`)

// CreatePR opens an MR. A draft gets the "Draft: " title prefix. When GitLab answers 409
// because an MR from the branch is already open (a race, or a retried POST that had gone
// through), that MR is returned instead.
func (f *Forge) CreatePR(ctx context.Context, pr forge.NewPullRequest) (*forge.PullRequest, error) {
	title := pr.Title
	if pr.Draft {
		title = draftPrefix + stripDraft(title)
	}
	mr, _, err := f.client.MergeRequests.CreateMergeRequest(f.project, &gl.CreateMergeRequestOptions{
		Title:        gl.Ptr(title),
		Description:  gl.Ptr(pr.Body),
		SourceBranch: gl.Ptr(pr.Head),
		TargetBranch: gl.Ptr(pr.Base),
	}, gl.WithContext(ctx))
	if err == nil {
		return toPR(&mr.BasicMergeRequest), nil
	}
	action := fmt.Sprintf("create merge request %s -> %s", pr.Head, pr.Base)
	if !gl.HasStatusCode(err, http.StatusConflict) {
		return nil, f.fail(action, err)
	}
	var resp *gl.ErrorResponse
	if errors.As(err, &resp) {
		if m := conflictIID.FindStringSubmatch(resp.Message); m != nil {
			iid, _ := strconv.ParseInt(m[1], 10, 64)
			existing, err := f.get(ctx, iid)
			if err != nil {
				return nil, err
			}
			return toPR(&existing.BasicMergeRequest), nil
		}
	}
	existing, findErr := f.FindOpenPR(ctx, pr.Head)
	if findErr != nil {
		return nil, findErr
	}
	if existing == nil {
		return nil, f.fail(action, err)
	}
	return existing, nil
}

// UpdatePR replaces title and body and keeps the MR's draft state: the new title gets the
// "Draft: " prefix exactly when the MR is a draft now.
func (f *Forge) UpdatePR(ctx context.Context, number int, title, body string) (*forge.PullRequest, error) {
	cur, err := f.get(ctx, int64(number))
	if err != nil {
		return nil, err
	}
	title = stripDraft(title)
	if cur.Draft {
		title = draftPrefix + title
	}
	mr, _, err := f.client.MergeRequests.UpdateMergeRequest(f.project, int64(number), &gl.UpdateMergeRequestOptions{
		Title:       gl.Ptr(title),
		Description: gl.Ptr(body),
	}, gl.WithContext(ctx))
	if err != nil {
		return nil, f.fail(fmt.Sprintf("update merge request !%d", number), err)
	}
	return toPR(&mr.BasicMergeRequest), nil
}

// AddLabels adds labels with add_labels, keeping the MR's other labels. GitLab creates a
// project label that does not exist yet.
func (f *Forge) AddLabels(ctx context.Context, number int, labels []string) error {
	var add gl.LabelOptions
	for _, l := range labels {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
			continue
		case strings.Contains(l, ","):
			return fmt.Errorf("gitlab: label %q: GitLab label names cannot contain a comma", l)
		}
		if !slices.Contains(add, l) {
			add = append(add, l)
		}
	}
	if len(add) == 0 {
		return nil
	}
	_, _, err := f.client.MergeRequests.UpdateMergeRequest(f.project, int64(number), &gl.UpdateMergeRequestOptions{
		AddLabels: &add,
	}, gl.WithContext(ctx))
	if err != nil {
		return f.fail(fmt.Sprintf("add labels to merge request !%d", number), err)
	}
	return nil
}

// RequestReviewers resolves usernames to user IDs and sets reviewer_ids to the MR's current
// reviewers plus these. GitLab has no group reviewers, so "group/team" is refused.
func (f *Forge) RequestReviewers(ctx context.Context, number int, reviewers []string) error {
	var ids []int64
	var unknown []string
	for _, r := range reviewers {
		name := strings.TrimPrefix(strings.TrimSpace(r), "@")
		switch {
		case name == "":
			continue
		case strings.Contains(name, "/"):
			return fmt.Errorf("gitlab: reviewer %q: GitLab cannot request a review from a group; list its members as users", r)
		}
		id, err := f.userID(ctx, name)
		if err != nil {
			return err
		}
		if id == 0 {
			unknown = append(unknown, name)
			continue
		}
		ids = append(ids, id)
	}
	if len(unknown) > 0 {
		return fmt.Errorf("gitlab: reviewer %s: no such GitLab user", strings.Join(unknown, ", "))
	}
	if len(ids) == 0 {
		return nil
	}
	cur, err := f.get(ctx, int64(number))
	if err != nil {
		return err
	}
	merged := make([]int64, 0, len(cur.Reviewers)+len(ids))
	for _, u := range cur.Reviewers {
		merged = append(merged, u.ID)
	}
	have := len(merged)
	for _, id := range ids {
		if !slices.Contains(merged, id) {
			merged = append(merged, id)
		}
	}
	if len(merged) == have {
		return nil // all already requested; a re-release changes nothing
	}
	_, _, err = f.client.MergeRequests.UpdateMergeRequest(f.project, int64(number), &gl.UpdateMergeRequestOptions{
		ReviewerIDs: &merged,
	}, gl.WithContext(ctx))
	if err != nil {
		return f.fail(fmt.Sprintf("request reviewers on merge request !%d", number), err)
	}
	return nil
}

// userID returns the ID of the user with exactly this username, or 0 when there is none
// (GET /users?username= answers an empty list, not 404).
func (f *Forge) userID(ctx context.Context, username string) (int64, error) {
	users, _, err := f.client.Users.ListUsers(&gl.ListUsersOptions{Username: gl.Ptr(username)}, gl.WithContext(ctx))
	if err != nil {
		return 0, f.fail(fmt.Sprintf("look up reviewer %s", username), err)
	}
	for _, u := range users {
		if strings.EqualFold(u.Username, username) {
			return u.ID, nil
		}
	}
	return 0, nil
}

// EnableAutoMerge asks GitLab to merge when the pipeline succeeds. Both the current
// auto_merge and the older merge_when_pipeline_succeeds are sent; each version reads the one
// it knows. With no pipeline running GitLab merges at once.
func (f *Forge) EnableAutoMerge(ctx context.Context, number int) error {
	_, _, err := f.client.MergeRequests.AcceptMergeRequest(f.project, int64(number), &gl.AcceptMergeRequestOptions{
		AutoMerge:                 gl.Ptr(true),
		MergeWhenPipelineSucceeds: gl.Ptr(true),
	}, gl.WithContext(ctx))
	if err == nil {
		return nil
	}
	action := fmt.Sprintf("enable auto-merge on merge request !%d", number)
	switch {
	case gl.HasStatusCode(err, http.StatusMethodNotAllowed), gl.HasStatusCode(err, http.StatusUnprocessableEntity):
		return fmt.Errorf("gitlab: %s: GitLab says it is not mergeable yet (draft, closed, unresolved threads, or blocked by approvals or merge checks)", action)
	case gl.HasStatusCode(err, http.StatusNotAcceptable):
		return fmt.Errorf("gitlab: %s: GitLab says the branch cannot be merged (conflicts with the target branch)", action)
	case gl.HasStatusCode(err, http.StatusUnauthorized) && !f.jobToken:
		return fmt.Errorf("gitlab: %s: 401 Unauthorized: the token is invalid or its user may not merge into the target branch: %w", action, forge.ErrAuth)
	}
	return f.fail(action, err)
}

func (f *Forge) get(ctx context.Context, iid int64) (*gl.MergeRequest, error) {
	mr, _, err := f.client.MergeRequests.GetMergeRequest(f.project, iid, nil, gl.WithContext(ctx))
	if err != nil {
		return nil, f.fail(fmt.Sprintf("read merge request !%d", iid), err)
	}
	return mr, nil
}

// toPR reports the title without GitLab's draft prefix; Draft carries that bit, as on GitHub.
func toPR(m *gl.BasicMergeRequest) *forge.PullRequest {
	title := m.Title
	if m.Draft {
		title = stripDraft(title)
	}
	return &forge.PullRequest{
		Number: int(m.IID),
		URL:    m.WebURL,
		Title:  title,
		Body:   m.Description,
		Head:   m.SourceBranch,
		Base:   m.TargetBranch,
		Draft:  m.Draft,
		State:  mrState(m),

		MergeCommit: mrMergeCommit(m),
	}
}
