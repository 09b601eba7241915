// Package forgeclient builds the Forge for a detected target. It is the one place that knows
// every implementation, so commands depend only on the forge interface.
package forgeclient

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/forge/github"
	"github.com/gito-dev/gito/internal/forge/gitlab"
)

// New returns the GitHub or GitLab client for target, sending requests through client.
func New(ctx context.Context, client *http.Client, target forge.Target, tok forge.Token) (forge.Forge, error) {
	switch target.Kind {
	case forge.KindGitHub:
		owner, repo, ok := strings.Cut(target.Project, "/")
		if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
			return nil, fmt.Errorf("github project %q is not owner/repo: set forge.project in .gito.yaml", target.Project)
		}
		return github.New(ctx, github.Options{HTTPClient: client, APIURL: target.APIURL, Owner: owner, Repo: repo, Token: tok})
	case forge.KindGitLab:
		return gitlab.New(ctx, gitlab.Options{HTTPClient: client, BaseURL: target.APIURL, Project: target.Project, Token: tok.Value, JobToken: tok.JobToken, OAuth: tok.OAuth})
	}
	return nil, fmt.Errorf("no forge client for type %q", target.Kind)
}
