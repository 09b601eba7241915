package gitlab

import (
	"context"
	"fmt"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/gito-dev/gito/internal/forge"
)

// GetPR implements forge.Forge: the MR in any state.
func (f *Forge) GetPR(ctx context.Context, number int) (*forge.PullRequest, error) {
	mr, err := f.get(ctx, int64(number))
	if err != nil {
		return nil, err
	}
	return toPR(&mr.BasicMergeRequest), nil
}

// ListOpenPRs implements forge.Forge with one paginated list of the project's open MRs
// (GitLab filters by exact source branch only), keeping those from this project whose
// source branch starts with headPrefix.
func (f *Forge) ListOpenPRs(ctx context.Context, headPrefix string) ([]*forge.PullRequest, error) {
	p, err := f.projectInfo(ctx)
	if err != nil {
		return nil, err
	}
	opt := &gl.ListProjectMergeRequestsOptions{
		ListOptions: gl.ListOptions{PerPage: 100, Page: 1},
		State:       gl.Ptr("opened"),
	}
	var out []*forge.PullRequest
	for range maxPages {
		mrs, resp, err := f.client.MergeRequests.ListProjectMergeRequests(f.project, opt, gl.WithContext(ctx))
		if err != nil {
			return nil, f.fail("list open merge requests", err)
		}
		for _, m := range mrs {
			if strings.HasPrefix(m.SourceBranch, headPrefix) && m.SourceProjectID == p.ID && m.State == "opened" {
				out = append(out, toPR(m))
			}
		}
		if resp.NextPage <= opt.Page {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
	return nil, fmt.Errorf("gitlab: list open merge requests: more than %d pages", maxPages)
}

// mrState maps GitLab's opened/closed/locked/merged to forge's three states.
func mrState(m *gl.BasicMergeRequest) string {
	switch m.State {
	case "merged":
		return forge.StateMerged
	case "closed":
		return forge.StateClosed
	}
	return forge.StateOpen // opened, locked (a merge in progress)
}

// mrMergeCommit is the commit the merge left on the target: the merge commit, the squash
// commit, or for a fast-forward merge the head itself.
func mrMergeCommit(m *gl.BasicMergeRequest) string {
	if m.State != "merged" {
		return ""
	}
	for _, sha := range []string{m.MergeCommitSHA, m.SquashCommitSHA, m.SHA} {
		if sha != "" {
			return sha
		}
	}
	return ""
}
