package verify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/gitrepo"
	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/overlay"
	"github.com/gito-dev/gito/internal/policy"
)

// gateChecker checks the promotion gate of each target whose version the change moves: the
// version the head's overlay holds must have run in the source envs, by the base branch's
// git history (CI has no deployer credentials; health is not checked, and a note says so).
type gateChecker struct {
	repo       *gitrepo.Repo
	cfg        *config.Repo
	base, head string
	baseTree   overlay.Tree
	headTree   overlay.Tree
	now        time.Time
}

func newGateChecker(ctx context.Context, repo *gitrepo.Repo, cfg *config.Repo, base, head string, now time.Time) (*gateChecker, error) {
	g := &gateChecker{repo: repo, cfg: cfg, base: base, head: head, now: now}
	for _, side := range []struct {
		rev  string
		tree *overlay.Tree
	}{{base, &g.baseTree}, {head, &g.headTree}} {
		files, err := repo.ListFiles(ctx, side.rev)
		if err != nil {
			return nil, err
		}
		*side.tree = overlay.ListedTree(files, short(side.rev))
	}
	return g, nil
}

func (g *gateChecker) check(ctx context.Context, t policy.Target) (policy.GateCheck, error) {
	gate := g.cfg.PromotionGate(t.Env)
	if gate == nil || t.Service == "" {
		return policy.GateCheck{}, nil
	}
	after, ok, err := g.version(ctx, g.headTree, g.head, t.Service, t.Env)
	if err != nil || !ok {
		return policy.GateCheck{}, err
	}
	before, _, err := g.version(ctx, g.baseTree, g.base, t.Service, t.Env)
	if err != nil || before == after {
		return policy.GateCheck{}, err // the change does not move the version
	}
	return policy.CheckGate(ctx, gate, t.Service, after, g, g.now)
}

// version reads the version an overlay's kustomization holds at rev.
func (g *gateChecker) version(ctx context.Context, tree overlay.Tree, rev, service, env string) (config.Version, bool, error) {
	ov, err := overlay.LocateIn(tree, g.cfg, service, env)
	if err != nil {
		return config.Version{}, false, nil // removed or not a kustomization overlay
	}
	spec := rev + ":" + ov.KustomizationFile
	blobs, err := g.repo.ReadBlobs(ctx, []string{spec})
	if err != nil {
		return config.Version{}, false, err
	}
	refs, err := history.ReadImages(blobs[spec])
	if err != nil {
		return config.Version{}, false, nil
	}
	for _, r := range refs {
		if slices.Contains(g.cfg.ImagesFor(service), r.Name) || slices.Contains(g.cfg.ImagesFor(service), r.Repository()) {
			return config.Version{Tag: r.Tag, Digest: r.Digest}, r.Tag != "", nil
		}
	}
	return config.Version{}, false, nil
}

// Deployed answers from the base branch's history of the source env's overlay.
func (g *gateChecker) Deployed(ctx context.Context, service, env string) (policy.Deployment, bool, error) {
	ov, err := overlay.LocateIn(g.baseTree, g.cfg, service, env)
	if err != nil {
		return policy.Deployment{}, false, nil
	}
	req := history.Request{Source: history.RepoSource{Repo: g.repo}, Ref: g.base, Paths: []string{ov.KustomizationFile}}
	if imgs := g.cfg.Services[service].Images; len(imgs) > 0 {
		req.Images = imgs
	} else {
		req.Service = service
	}
	releases, err := history.Load(ctx, req)
	if err != nil {
		return policy.Deployment{}, false, fmt.Errorf("history of %s in %s: %w", service, env, err)
	}
	for _, r := range releases {
		if r.Current {
			return policy.Deployment{Version: config.Version{Tag: r.Version, Digest: r.Digest}, Since: r.Date, Source: "git"}, true, nil
		}
	}
	return policy.Deployment{}, false, nil
}
