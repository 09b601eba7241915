package workspace

import (
	"context"
	"path"

	"github.com/gito-dev/gito/internal/inventory"
)

// Inventory is the repo's inventory at the base commit, built on first use from one tree
// listing and one batched read: every command of the run asks the same one.
func (w *Workspace) Inventory(ctx context.Context) (*inventory.Inventory, error) {
	if w.inventory != nil {
		return w.inventory, nil
	}
	inv, err := inventory.Build(ctx, inventory.Commit{Ref: w.BaseSHA, ListBlobIDs: w.Repo.ListBlobIDs, ReadBlobs: w.Repo.ReadBlobs}, w.Config)
	if err != nil {
		return nil, err
	}
	w.inventory = inv
	return inv, nil
}

// located is the inventory's entry a run's snapshot was made for, when no layout names its
// directory.
type located struct {
	service, env, dir string
	images            []string
}

// InventoryDir is the overlay directory of (service, env) when the inventory, not a layout,
// found it; "" otherwise (the overlay package locates it by the layout).
func (w *Workspace) InventoryDir(service, env string) string {
	if w.located != nil && w.located.service == service && w.located.env == env {
		return w.located.dir
	}
	return ""
}

// InventoryImages is the image the inventory found for (service, env), when .gito.yaml names
// none and the image's name is not the service's.
func (w *Workspace) InventoryImages(service, env string) []string {
	if w.located != nil && w.located.service == service && w.located.env == env {
		return w.located.images
	}
	return nil
}

// locate asks the inventory for (service, env) when the layout does not name its directory.
// ok is false when the inventory does not know it either (the caller checks out everything,
// so the overlay package can say what exists).
func (w *Workspace) locate(ctx context.Context, service, env string) (*inventory.Entry, bool, error) {
	inv, err := w.Inventory(ctx)
	if err != nil {
		return nil, false, err
	}
	e, err := inv.Find(service, env)
	if err != nil || e.Dir == "" {
		return nil, false, nil
	}
	l := &located{service: service, env: env, dir: e.Dir}
	if len(w.Config.Services[service].Images) == 0 && e.Image != "" && path.Base(e.Image) != service {
		l.images = []string{e.Image}
	}
	w.located = l
	return e, true, nil
}
