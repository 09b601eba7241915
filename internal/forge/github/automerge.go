package github

import (
	"context"
	"fmt"
	"strings"
)

const enableAutoMergeMutation = `mutation($id: ID!, $method: PullRequestMergeMethod) {
  enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $method}) {
    pullRequest { number }
  }
}`

type graphqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables"`
}

type graphqlResponse struct {
	Errors []struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"errors"`
}

// EnableAutoMerge implements forge.Forge. Auto-merge exists only in GraphQL; the mutation
// goes through the same client, so auth, retries and the test transport all apply.
func (f *Forge) EnableAutoMerge(ctx context.Context, number int) error {
	p, _, err := f.client.PullRequests.Get(ctx, f.owner, f.repo, number)
	if err != nil {
		return f.wrap(err, "get pull request #%d", number)
	}
	if p.GetNodeID() == "" {
		return fmt.Errorf("github: pull request #%d has no node id", number)
	}
	vars := map[string]any{"id": p.GetNodeID()}
	if method, err := f.mergeMethod(ctx); err != nil {
		return err
	} else if method != "" {
		vars["method"] = method
	}

	req, err := f.client.NewRequest("POST", f.graphqlURL, graphqlRequest{Query: enableAutoMergeMutation, Variables: vars})
	if err != nil {
		return fmt.Errorf("github: enable auto-merge for pull request #%d: %w", number, err)
	}
	var out graphqlResponse
	if _, err := f.client.Do(ctx, req, &out); err != nil {
		return f.wrap(err, "enable auto-merge for pull request #%d", number)
	}
	if len(out.Errors) == 0 {
		return nil
	}
	msgs := make([]string, 0, len(out.Errors))
	for _, e := range out.Errors {
		msgs = append(msgs, e.Message)
	}
	msg := f.scrub(strings.Join(msgs, "; "))
	if strings.Contains(msg, "clean status") {
		msg += " (the pull request can already be merged; auto-merge applies only while checks or reviews are pending)"
	}
	return fmt.Errorf("github: enable auto-merge for pull request #%d: %s", number, msg)
}

// mergeMethod leaves GitHub's default (a merge commit) unless the repository forbids merge
// commits, in which case the mutation would fail; squash is then preferred over rebase.
func (f *Forge) mergeMethod(ctx context.Context) (string, error) {
	r, err := f.repository(ctx)
	if err != nil {
		return "", err
	}
	if r.AllowMergeCommit == nil || r.GetAllowMergeCommit() {
		return "", nil
	}
	if r.GetAllowSquashMerge() {
		return "SQUASH", nil
	}
	if r.GetAllowRebaseMerge() {
		return "REBASE", nil
	}
	return "", nil
}
