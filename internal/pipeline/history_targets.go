package pipeline

import (
	"context"
	"errors"

	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/overlay"
	"github.com/gito-dev/gito/internal/workspace"
)

// historyFiles says which files hold the releases of (service, env): the overlay's files,
// and the target files with readers that use the same expressions a release writes.
func historyFiles(ctx context.Context, ws *workspace.Workspace, service, env string) (history.Request, error) {
	return historyFilesAt(ctx, ws, ws.Root(), service, env)
}

// historyFilesAt is historyFiles in a checkout at root (the gates read a full checkout of the
// base, the release's own snapshot holds only its overlay).
func historyFilesAt(ctx context.Context, ws *workspace.Workspace, root string, service, env string) (history.Request, error) {
	cfg := ws.Config
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
	case len(targets) == 0 && (errors.As(err, &nf) || errors.Is(err, overlay.ErrNoOverlays)):
		// No layout names it: the inventory's directory and carriers.
		if found, ok, ierr := inventoryHistory(ctx, ws, service, env); ierr != nil || ok {
			return found, ierr
		}
		return req, err
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

// inventoryHistory says which files hold the releases of an entry the inventory found: the
// carrier of a chart version (read through its expression), else the overlay's files with
// the image the inventory saw. ok is false when the inventory does not know (service, env).
func inventoryHistory(ctx context.Context, ws *workspace.Workspace, service, env string) (history.Request, bool, error) {
	var req history.Request
	if err := ws.Resolve(ctx, service, env); err != nil {
		return req, false, err
	}
	if targets := ws.InventoryTargets(service, env); len(targets) > 0 {
		req.Readers = map[string]history.ImageReader{}
		for _, t := range targets {
			req.Paths = append(req.Paths, t.File)
			req.Readers[t.File] = history.TargetReader(t.Image, []history.TargetExpr{{Expr: t.Expr, Value: "{tag}"}})
		}
		return req, true, nil
	}
	dir := ws.InventoryDir(service, env)
	if dir == "" {
		return req, false, nil
	}
	inv, err := ws.Inventory(ctx)
	if err != nil {
		return req, false, err
	}
	e, err := inv.Find(service, env)
	if err != nil || e.Kustomization == "" {
		return req, false, nil
	}
	if req.Paths, err = overlayFiles(ws.Root(), &overlay.Overlay{Dir: e.Dir, KustomizationFile: e.Kustomization}); err != nil {
		return req, false, err
	}
	if imgs := ws.Config.Services[service].Images; len(imgs) > 0 {
		req.Images = imgs
	} else if e.Image != "" {
		req.Images = []string{e.Image}
	} else {
		req.Service = service
	}
	return req, true, nil
}
