package plugingen

import (
	"context"
	"fmt"
	"maps"
	"path"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/gitrepo"
	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/inventory"
	"github.com/gito-dev/gito/internal/signing"
)

// Source reads snapshots from the cached clone of the infra repo.
type Source struct {
	// Open clones or fetches the cache the first time Load runs; later loads fetch Repo.
	// Loads never overlap (Store.Refresh is single-flight), so Repo needs no lock.
	Open func(ctx context.Context) (*gitrepo.Repo, error)
	Repo *gitrepo.Repo
	// Base is the branch to read; "" means .gito.yaml's baseBranch on the remote's default
	// branch, else that default branch.
	Base string
	// AllowedSigners, when set, are trusted instead of the repository's own file.
	AllowedSigners *signing.AllowedSigners
	Now            func() time.Time
}

// rebuildEvery bounds how long a snapshot, or parameters of unchanged files, are reused: key
// validity windows in the allowed signers depend on the clock, not only on the content.
const rebuildEvery = 10 * time.Minute

// Load fetches and builds the next snapshot. prev (nil at first) lets an unchanged remote
// cost one fetch and one ref listing, and a push cost only the overlays it changed.
func (s *Source) Load(ctx context.Context, prev *Snapshot) (*Snapshot, error) {
	if s.Repo == nil {
		repo, err := s.Open(ctx)
		if err != nil {
			return nil, err
		}
		s.Repo = repo
	} else if err := s.Repo.Fetch(ctx); err != nil {
		return nil, err
	}
	refs, err := s.Repo.RemoteBranches(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if prev != nil && maps.Equal(prev.refs, refs) && now.Sub(prev.builtAt) < rebuildEvery {
		next := *prev
		next.LoadedAt = now
		return &next, nil
	}
	if prev != nil && now.Sub(prev.builtAt) >= rebuildEvery {
		prev = nil // key validity windows depend on the clock: verify everything again
	}
	t, err := s.tree(ctx, refs, prev)
	if err != nil {
		return nil, err
	}
	overlays := inventory.Overlays(t.files(), t.cfg)
	b := builder{cfg: t.cfg, allowed: t.allowed, now: now}

	snap := &Snapshot{
		Base: t.branch, Commit: refs[t.branch], LoadedAt: now, Pending: map[string]Param{},
		refs: refs, builtAt: now, cfgID: t.cfgID, cfg: t.cfg, allowedID: t.allowedID, allowed: t.allowed,
		byBlobs: map[string]Param{}, encoded: newAnswerCache(), encoding: &singleflight.Group{},
	}
	reuse := prev != nil && prev.allowedID == t.allowedID && prev.cfgID == t.cfgID
	// Overlays whose kustomization and signature blobs are unchanged keep their parameters;
	// the others are read in one batch.
	ref := gitrepo.RemoteRef(t.branch)
	var specs []string
	keys := make([]string, len(overlays))
	for i, o := range overlays {
		keys[i] = o.Kustomization + "\x00" + t.ids[o.Kustomization] + "\x00" + t.ids[signing.SigPath(o.Kustomization)]
		if _, ok := prev.reusable(reuse, keys[i]); !ok {
			specs = append(specs, ref+":"+o.Kustomization, ref+":"+signing.SigPath(o.Kustomization))
		}
	}
	pending := map[string]inventory.Overlay{}
	for _, o := range overlays {
		branch := "gito/" + o.Env + "/" + o.Service
		if _, ok := refs[branch]; !ok {
			continue
		}
		pending[branch] = o
		if reuse && prev.refs[branch] == refs[branch] {
			if p, ok := prev.Pending[branch]; ok {
				snap.Pending[branch] = p
				continue
			}
		}
		bref := gitrepo.RemoteRef(branch)
		specs = append(specs, bref+":"+o.Kustomization, bref+":"+signing.SigPath(o.Kustomization))
	}
	blobs, err := s.Repo.ReadBlobs(ctx, specs)
	if err != nil {
		return nil, fmt.Errorf("read overlays of %s: %w", t.branch, err)
	}
	for i, o := range overlays {
		p, ok := prev.reusable(reuse, keys[i])
		if !ok {
			if p, ok = b.param(o, blobs[ref+":"+o.Kustomization], blobs[ref+":"+signing.SigPath(o.Kustomization)]); !ok {
				continue
			}
		}
		snap.byBlobs[keys[i]] = p
		p.Commit = snap.Commit
		snap.Params = append(snap.Params, p)
	}
	for branch, o := range pending {
		if _, done := snap.Pending[branch]; done {
			continue
		}
		bref := gitrepo.RemoteRef(branch)
		if p, ok := b.param(o, blobs[bref+":"+o.Kustomization], blobs[bref+":"+signing.SigPath(o.Kustomization)]); ok {
			p.Commit = refs[branch]
			snap.Pending[branch] = p
		}
	}
	return snap, nil
}

// reusable returns the parameters prev read for the same blobs, when reuse allows.
func (prev *Snapshot) reusable(reuse bool, key string) (Param, bool) {
	if !reuse || prev == nil {
		return Param{}, false
	}
	p, ok := prev.byBlobs[key]
	return p, ok
}

// tree is the base branch as one load sees it.
type tree struct {
	branch    string
	ids       map[string]string // path -> blob id
	cfg       *config.Repo
	cfgID     string
	allowed   *signing.AllowedSigners
	allowedID string
}

func (t *tree) files() []string {
	out := make([]string, 0, len(t.ids))
	for p := range t.ids {
		out = append(out, p)
	}
	return out
}

// tree lists the base branch (--base, else .gito.yaml's baseBranch on the remote's default
// branch, else that branch) and reads its .gito.yaml and allowed signers, reusing prev's
// when their blobs did not change.
func (s *Source) tree(ctx context.Context, refs map[string]string, prev *Snapshot) (*tree, error) {
	branch := s.Base
	if branch == "" {
		var err error
		if branch, err = s.Repo.DefaultBranch(ctx); err != nil {
			return nil, err
		}
	}
	t, err := s.readTree(ctx, branch, refs, prev)
	if err != nil {
		return nil, err
	}
	if s.Base == "" && t.cfg.BaseBranch != "" && t.cfg.BaseBranch != branch {
		if t, err = s.readTree(ctx, t.cfg.BaseBranch, refs, prev); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (s *Source) readTree(ctx context.Context, branch string, refs map[string]string, prev *Snapshot) (*tree, error) {
	if _, ok := refs[branch]; !ok {
		return nil, fmt.Errorf("branch %s is not on the remote", branch)
	}
	ref := gitrepo.RemoteRef(branch)
	ids, err := s.Repo.ListBlobIDs(ctx, ref)
	if err != nil {
		return nil, err
	}
	t := &tree{branch: branch, ids: ids, cfgID: ids[config.FileName]}
	if prev != nil && prev.cfg != nil && prev.cfgID == t.cfgID {
		t.cfg = prev.cfg
	} else if t.cfg, err = s.config(ctx, branch); err != nil {
		return nil, err
	}
	if s.AllowedSigners != nil {
		t.allowed, t.allowedID = s.AllowedSigners, "pinned"
		return t, nil
	}
	name := t.cfg.AllowedSignersPath()
	t.allowedID = name + "\x00" + ids[name]
	if prev != nil && prev.allowedID == t.allowedID {
		t.allowed = prev.allowed
		return t, nil
	}
	t.allowed, err = s.allowedSigners(ctx, ref, t.cfg)
	return t, err
}

func (s *Source) config(ctx context.Context, branch string) (*config.Repo, error) {
	spec := gitrepo.RemoteRef(branch) + ":" + config.FileName
	blobs, err := s.Repo.ReadBlobs(ctx, []string{spec})
	if err != nil {
		return nil, err
	}
	if blobs[spec] == nil {
		return &config.Repo{}, nil
	}
	cfg, err := config.ParseRepo(blobs[spec])
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", config.FileName, branch, err)
	}
	return cfg, nil
}

func (s *Source) allowedSigners(ctx context.Context, ref string, cfg *config.Repo) (*signing.AllowedSigners, error) {
	if s.AllowedSigners != nil {
		return s.AllowedSigners, nil
	}
	name := cfg.AllowedSignersPath()
	spec := ref + ":" + name
	blobs, err := s.Repo.ReadBlobs(ctx, []string{spec})
	if err != nil {
		return nil, err
	}
	if blobs[spec] == nil {
		return nil, nil // every overlay reads as unsigned
	}
	return signing.ParseAllowedSigners(name, blobs[spec], time.Local)
}

func (s *Source) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// builder turns overlay files into parameters.
type builder struct {
	cfg     *config.Repo
	allowed *signing.AllowedSigners
	now     time.Time
}

// param reads the service's image from the kustomization's images: entries. ok is false when
// the file is missing (deleted on a branch).
func (b *builder) param(o inventory.Overlay, kust, sig []byte) (Param, bool) {
	if kust == nil {
		return Param{}, false
	}
	p := Param{Service: o.Service, Env: o.Env, Path: o.Dir}
	if refs, err := history.ReadImages(kust); err == nil {
		if img, ok := b.serviceImage(o.Service, refs); ok {
			p.Version, p.Digest, p.Image = img.Tag, img.Digest, img.Repository()
		}
	}
	p.Signed = b.signed(o.Kustomization, kust, sig)
	return p, true
}

// serviceImage picks the service's entry: a configured image, else the one whose repository
// ends in the service name, else the only entry (design.md, "Finding the image").
func (b *builder) serviceImage(service string, refs []history.ImageRef) (history.ImageRef, bool) {
	if s, ok := b.cfg.Services[service]; ok && len(s.Images) > 0 {
		for _, r := range refs {
			for _, want := range s.Images {
				if r.Name == want || r.NewName == want {
					return r, true
				}
			}
		}
		return history.ImageRef{}, false
	}
	for _, r := range refs {
		if path.Base(r.Repository()) == service {
			return r, true
		}
	}
	if len(refs) == 1 {
		return refs[0], true
	}
	return history.ImageRef{}, false
}

func (b *builder) signed(rel string, data, sig []byte) bool {
	return sig != nil && signing.VerifyBytes(rel, data, sig, b.allowed, b.now).OK()
}
