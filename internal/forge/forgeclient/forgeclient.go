// Package forgeclient builds the Forge for a detected target. It is the one place that knows
// every implementation, so commands depend only on the forge interface.
package forgeclient

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/forge/gitea"
	"github.com/gito-dev/gito/internal/forge/github"
	"github.com/gito-dev/gito/internal/forge/gitlab"
)

// New returns the GitHub, GitLab or Gitea client for target, sending requests through client.
func New(ctx context.Context, client *http.Client, target forge.Target, tok forge.Token) (forge.Forge, error) {
	switch target.Kind {
	case forge.KindGitHub:
		owner, repo, err := ownerRepo(target)
		if err != nil {
			return nil, err
		}
		return github.New(ctx, github.Options{HTTPClient: client, APIURL: target.APIURL, Owner: owner, Repo: repo, Token: tok})
	case forge.KindGitLab:
		return gitlab.New(ctx, gitlab.Options{HTTPClient: client, BaseURL: target.APIURL, Project: target.Project, Token: tok.Value, JobToken: tok.JobToken, OAuth: tok.OAuth})
	case forge.KindGitea:
		owner, repo, err := ownerRepo(target)
		if err != nil {
			return nil, err
		}
		return gitea.New(ctx, gitea.Options{HTTPClient: client, BaseURL: target.APIURL, Owner: owner, Repo: repo, Token: tok.Value})
	}
	return nil, fmt.Errorf("no forge client for type %q", target.Kind)
}

func ownerRepo(target forge.Target) (string, string, error) {
	owner, repo, ok := strings.Cut(target.Project, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return "", "", fmt.Errorf("%s project %q is not owner/repo: set forge.project in .gito.yaml", target.Kind, target.Project)
	}
	return owner, repo, nil
}
