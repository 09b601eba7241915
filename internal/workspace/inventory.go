package workspace

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/inventory"
	"github.com/gito-dev/gito/internal/overlay"
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
	targets           []overlay.FoundTarget
}

// InventoryTargets are the carriers a release of (service, env) edits instead of an image:
// the chart version of a Flux HelmRelease, where the env sets it.
func (w *Workspace) InventoryTargets(service, env string) []overlay.FoundTarget {
	if w.located != nil && w.located.service == service && w.located.env == env {
		return w.located.targets
	}
	return nil
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
	if err != nil {
		return nil, false, w.inventoryError(inv, err)
	}
	argoHelm := e.Decider() != nil && e.Decider().Kind == inventory.CarrierArgoHelm
	if e.Dir == "" && !argoHelm {
		return nil, false, nil
	}
	l := &located{service: service, env: env, dir: e.Dir}
	if len(w.Config.Services[service].Images) == 0 && e.Image != "" && path.Base(e.Image) != service {
		l.images = []string{e.Image}
	}
	if c := e.Decider(); c != nil && c.Kind == inventory.CarrierChart {
		if !strings.HasPrefix(c.File, e.Dir+"/") {
			return nil, false, fmt.Errorf("the chart version of %s in %s is set in %s line %d, which other envs share: set it in a patch of %s first",
				service, env, c.File, c.Line, e.Dir)
		}
		l.targets = []overlay.FoundTarget{{File: c.File, Expr: ".spec.chart.spec.version", Image: "chart " + service,
			Source: fmt.Sprintf("HelmRelease %s chart version, %s line %d", service, c.File, c.Line)}}
	}
	if argoHelm {
		c := e.Decider()
		l.targets = []overlay.FoundTarget{{File: c.File, Expr: ".spec.source.targetRevision", Image: "chart " + c.Image,
			Source: fmt.Sprintf("Argo CD Application %s targetRevision, %s line %d", service, c.File, c.Line)}}
	}
	w.located = l
	return e, true, nil
}

// OneService is the repo's one service, for a command run without --service: the single
// entry of .gito.yaml's services, else the one the layout or the inventory finds.
func (w *Workspace) OneService(ctx context.Context) (string, error) { return w.oneService(ctx) }

// Resolve makes sure a release of (service, env) knows its overlay: when no layout names it
// in the snapshot, the inventory's entry (directory, image, carriers) is used.
func (w *Workspace) Resolve(ctx context.Context, service, env string) error {
	if w.located != nil && w.located.service == service && w.located.env == env {
		return nil
	}
	if w.Root() != "" {
		if _, err := overlay.Locate(w.Root(), w.Config, service, env); err == nil {
			return nil
		}
	}
	_, _, err := w.locate(ctx, service, env)
	return err
}

// inventoryError is what to say when the inventory does not know (service, env): an
// ambiguity always; an unknown name when the inventory, not the layout the overlay package
// would detect, understood the repo (its error names what the repo holds). nil leaves the
// explanation to the layout.
func (w *Workspace) inventoryError(inv *inventory.Inventory, err error) error {
	var amb inventory.Ambiguity
	if errors.As(err, &amb) {
		return err
	}
	if w.Config.Layout != "" || len(inv.Entries) == 0 {
		return nil
	}
	var nf *inventory.NotFound
	if errors.As(err, &nf) && (len(w.Config.Services[nf.ServiceName()].Targets) > 0 || w.targetsOnly(inv)) {
		return nil // the configured targets' own check names the file pattern (and a missing file)
	}
	legacy, lerr := overlay.DetectLayout(overlay.ListedTree(inv.Files(), "the base branch"), &config.Repo{})
	if lerr == nil && legacy == inv.Layout {
		return nil
	}
	return err
}

// targetsOnly says every service the inventory knows is one .gito.yaml gives targets: the
// repo is described by its configuration alone, whose errors say so.
func (w *Workspace) targetsOnly(inv *inventory.Inventory) bool {
	for _, s := range inv.Services() {
		if len(w.Config.Services[s].Targets) == 0 {
			return false
		}
	}
	return true
}
