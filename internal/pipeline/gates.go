package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/gito-dev/gito/internal/argocd"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/gitrepo"
	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/overlay"
	"github.com/gito-dev/gito/internal/policy"
	"github.com/gito-dev/gito/internal/workspace"
)

// checkGates checks the promotion gates of the env a release writes (each member's, for a
// group) against what the source envs run.
func checkGates(ctx context.Context, req Request, ws *workspace.Workspace, now time.Time) (policy.GateCheck, error) {
	var out policy.GateCheck
	var src policy.DeploymentSource
	defer func() {
		if c, ok := src.(interface{ close() }); ok {
			c.close()
		}
	}()
	for _, target := range policy.Targets(ws.Config, req.Env) {
		gate := ws.Config.PromotionGate(target)
		if gate == nil {
			continue
		}
		if src == nil {
			if err := checkGateEnvs(ctx, ws); err != nil {
				return out, err
			}
			s, err := deploymentSources(ctx, req, ws)
			if err != nil {
				return out, err
			}
			src = s
		}
		c, err := policy.CheckGate(ctx, gate, req.Service, req.Version, src, now)
		if err != nil {
			return out, err
		}
		out.Violations = append(out.Violations, c.Violations...)
		out.Notes = append(out.Notes, c.Notes...)
	}
	return out, nil
}

// checkGateEnvs refuses a promoteFrom that names no environment of the repo, as the layout
// finds them in the base branch's tree.
func checkGateEnvs(ctx context.Context, ws *workspace.Workspace) error {
	files, err := ws.Repo.ListFiles(ctx, ws.BaseSHA)
	if err != nil {
		return err
	}
	envs, err := overlay.AllEnvsIn(overlay.ListedTree(files, ws.Base), ws.Config)
	if err != nil {
		return err
	}
	for _, env := range slices.Sorted(maps.Keys(ws.Config.Environments)) {
		if err := ws.Config.CheckPromoteFrom(env, envs); err != nil {
			return err
		}
	}
	return nil
}

// deploymentSources are asked in order: the deployer (Argo CD, when a server and token are
// configured), then the time the release merged in git. Deployment records come first once
// gito writes them.
func deploymentSources(ctx context.Context, req Request, ws *workspace.Workspace) (policy.DeploymentSource, error) {
	git := &gitTimeSource{ws: ws}
	argo, err := argoSource(req, ws)
	if err != nil {
		return nil, err
	}
	return closingSources{Sources: policy.Sources{argo, git}, git: git}, nil
}

type closingSources struct {
	policy.Sources
	git *gitTimeSource
}

func (c closingSources) close() { c.git.close() }

// argoSource reads what runs from the Argo CD Application of (service, env): its images,
// health, and the sync history's deployedAt. No server or no token: nil, the next source
// answers (and says health was not checked).
func argoSource(req Request, ws *workspace.Workspace) (policy.DeploymentSource, error) {
	if req.Getenv == nil || req.HTTPClient == nil || req.Getenv("ARGOCD_AUTH_TOKEN") == "" {
		return nil, nil
	}
	user, err := config.LoadUser(req.Getenv)
	if err != nil {
		return nil, err
	}
	server, err := argocd.ResolveServer(ws.Config.ArgoCD, user.ArgoCD, req.Getenv, config.UserConfigPath(req.Getenv))
	if errors.Is(err, argocd.ErrNoServer) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("promotion gate: %w", err)
	}
	hc, err := req.HTTPClient()
	if err != nil {
		return nil, err
	}
	c, err := argocd.New(server, req.Getenv("ARGOCD_AUTH_TOKEN"), hc)
	if err != nil {
		return nil, err
	}
	return &argoDeployments{client: c, repo: ws.Config}, nil
}

type argoDeployments struct {
	client *argocd.Client
	repo   *config.Repo
}

func (a *argoDeployments) Deployed(ctx context.Context, service, env string) (policy.Deployment, bool, error) {
	name := a.repo.ArgoCD.AppName(service, env)
	app, err := a.client.Application(ctx, name)
	var nf *argocd.NotFoundError
	if errors.As(err, &nf) {
		return policy.Deployment{}, false, nil
	}
	if err != nil {
		return policy.Deployment{}, false, err
	}
	var v config.Version
	for _, ref := range app.Images {
		img := history.ParseImage(ref)
		if slices.Contains(a.repo.ImagesFor(service), img.Name) {
			v = config.Version{Tag: img.Tag, Digest: img.Digest}
			break
		}
	}
	if v.Tag == "" || len(app.History) == 0 {
		return policy.Deployment{}, false, nil // Argo CD does not say; git time will
	}
	// The newest sync of the revision the app runs is when this state went live.
	since := app.History[len(app.History)-1].DeployedAt
	for _, h := range app.History {
		if len(app.Revisions) > 0 && h.Revision == app.Revisions[0] {
			since = h.DeployedAt
		}
	}
	return policy.Deployment{
		Version: v, Since: since, HealthKnown: true, Healthy: app.Health == "Healthy", Health: app.Health,
		Source: "Argo CD " + name,
	}, true, nil
}

// gitTimeSource says what the base branch's overlay of an env holds and since when it was
// merged: the fallback when no deployer answers, health unknown.
type gitTimeSource struct {
	ws   *workspace.Workspace
	full *gitrepo.Snapshot // a full checkout of the base: the release's is narrowed to one overlay
}

func (g *gitTimeSource) Deployed(ctx context.Context, service, env string) (policy.Deployment, bool, error) {
	if g.full == nil {
		snap, err := g.ws.Repo.NewSnapshot(ctx, g.ws.BaseSHA)
		if err != nil {
			return policy.Deployment{}, false, err
		}
		g.full = snap
	}
	req, err := historyFilesAt(ctx, g.ws, g.full.Path(), service, env)
	if err != nil {
		return policy.Deployment{}, false, err
	}
	req.Source, req.Ref = g.ws.HistorySource(), g.ws.BaseSHA
	releases, err := history.Load(ctx, req)
	if err != nil {
		return policy.Deployment{}, false, err
	}
	for _, r := range releases {
		if r.Current {
			return policy.Deployment{Version: config.Version{Tag: r.Version, Digest: r.Digest}, Since: r.Date, Source: "git"}, true, nil
		}
	}
	return policy.Deployment{}, false, nil
}

func (g *gitTimeSource) close() {
	if g.full != nil {
		_ = g.full.Remove()
	}
}
