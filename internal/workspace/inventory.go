package workspace

import (
	"context"

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
