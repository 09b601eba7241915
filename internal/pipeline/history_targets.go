package pipeline

import (
	"errors"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/overlay"
	"github.com/gito-dev/gito/internal/workspace"
)

// historyFiles says which files hold the releases of (service, env): the overlay's files,
// and the target files with readers that use the same expressions a release writes.
func historyFiles(ws *workspace.Workspace, service, env string) (history.Request, error) {
	return historyFilesAt(ws.Root(), ws.Config, service, env)
}

// historyFilesAt is historyFiles in a checkout at root.
func historyFilesAt(root string, cfg *config.Repo, service, env string) (history.Request, error) {
	var req history.Request
	if imgs := cfg.Services[service].Images; len(imgs) > 0 {
		req.Images = imgs
	} else {
		req.Service = service // the images a release discovers
	}
	targets, err := overlay.TargetReads(root, cfg, service, env)
	if err != nil {
		return req, err
	}
	ov, err := overlay.Locate(root, cfg, service, env)
	var nf *overlay.NotFoundError
	switch {
	case err == nil:
		if req.Paths, err = overlayFiles(root, ov); err != nil {
			return req, err
		}
	case len(targets) == 0 || !(errors.As(err, &nf) || errors.Is(err, overlay.ErrNoOverlays)):
		return req, err
	}
	if len(targets) > 0 {
		req.Readers = map[string]history.ImageReader{}
	}
	for _, t := range targets {
		var exprs []history.TargetExpr
		for _, e := range t.Exprs {
			exprs = append(exprs, history.TargetExpr{Expr: e[0], Value: e[1]})
		}
		req.Paths = append(req.Paths, t.Path)
		req.Readers[t.Path] = history.TargetReader(t.Image, exprs)
		if len(req.Images) > 0 {
			req.Images = append(req.Images, t.Image)
		}
	}
	if len(targets) > 0 && len(req.Images) == 0 {
		req.Service = "" // a target's reference is the service's by construction
	}
	return req, nil
}
