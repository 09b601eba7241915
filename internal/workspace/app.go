package workspace

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/forge/githubapp"
)

// appAuth is the GitHub App gito runs as, when GITO_GITHUB_APP_ID/KEY say so. One
// installation per (API, repository) serves git and the API alike, so its token is fetched
// once and refreshed by the installation when it expires.
type appAuth struct {
	app *githubapp.App
	err error // a configured App that is misconfigured

	mu    sync.Mutex
	inst  *githubapp.Installation
	instK string
}

func (a *appAuth) configured() bool { return a.app != nil || a.err != nil }

func (a *appAuth) installation(ctx context.Context, w *Workspace, target forge.Target) (*githubapp.Installation, error) {
	if a.err != nil {
		return nil, a.err
	}
	owner, repo, ok := strings.Cut(target.Project, "/")
	if !ok || strings.Contains(repo, "/") {
		return nil, fmt.Errorf("github app: project %q is not owner/repo", target.Project)
	}
	key := target.APIURL + " " + strings.ToLower(target.Project)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.inst != nil && a.instK == key {
		return a.inst, nil
	}
	client, err := w.httpClient()
	if err != nil {
		return nil, err
	}
	inst, err := a.app.Install(ctx, client, target.APIURL, owner, repo)
	if err != nil {
		return nil, err
	}
	a.inst, a.instK = inst, key
	return inst, nil
}

// token is the credential for target: the GitHub App's installation token on GitHub when an
// App is configured, else the forge's token variable or CLI store.
func (w *Workspace) token(ctx context.Context, target forge.Target) (forge.Token, error) {
	if target.Kind == forge.KindGitHub && w.app.configured() {
		inst, err := w.app.installation(ctx, w, target)
		if err != nil {
			return forge.Token{}, err
		}
		return inst.ForgeToken(), nil
	}
	return forge.LookupToken(target.Kind, target.Host, w.getenv)
}
