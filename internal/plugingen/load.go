package plugingen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"path"
	"time"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/gitrepo"
	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/signing"
	"github.com/gito-dev/gito/internal/workspace"
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

// rebuildEvery bounds how long an unchanged snapshot is reused: key validity windows in the
// allowed signers depend on the clock, not only on the refs.
const rebuildEvery = 10 * time.Minute

// Load fetches and builds the next snapshot. prev (nil at first) lets an unchanged remote
// cost one fetch and one ref listing, and unchanged files skip signature checks.
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
	base, cfg, err := s.base(ctx, refs)
	if err != nil {
		return nil, err
	}
	ref := gitrepo.RemoteRef(base)
	files, err := s.Repo.ListFiles(ctx, ref)
	if err != nil {
		return nil, err
	}
	overlays := workspace.Overlays(files, cfg)

	allowed, err := s.allowedSigners(ctx, ref, cfg)
	if err != nil {
		return nil, err
	}
	b := builder{cfg: cfg, allowed: allowed, now: now, verified: map[[32]byte]bool{}}
	if prev != nil && prev.allowedHash == hashOf(allowed) {
		b.prevVerified = prev.verified
	}

	specs := make([]string, 0, 2*len(overlays))
	for _, o := range overlays {
		specs = append(specs, ref+":"+o.Kustomization, ref+":"+signing.SigPath(o.Kustomization))
	}
	pending := map[string]workspace.OverlayFile{}
	for _, o := range overlays {
		branch := "gito/" + o.Env + "/" + o.Service
		if _, ok := refs[branch]; ok {
			pending[branch] = o
			bref := gitrepo.RemoteRef(branch)
			specs = append(specs, bref+":"+o.Kustomization, bref+":"+signing.SigPath(o.Kustomization))
		}
	}
	blobs, err := s.Repo.ReadBlobs(ctx, specs)
	if err != nil {
		return nil, fmt.Errorf("read overlays of %s: %w", base, err)
	}

	snap := &Snapshot{
		Base: base, Commit: refs[base], LoadedAt: now, Pending: map[string]Param{},
		refs: refs, builtAt: now, allowedHash: hashOf(allowed),
	}
	for _, o := range overlays {
		p, ok := b.param(o, refs[base], blobs[ref+":"+o.Kustomization], blobs[ref+":"+signing.SigPath(o.Kustomization)])
		if ok {
			snap.Params = append(snap.Params, p)
		}
	}
	for branch, o := range pending {
		bref := gitrepo.RemoteRef(branch)
		if p, ok := b.param(o, refs[branch], blobs[bref+":"+o.Kustomization], blobs[bref+":"+signing.SigPath(o.Kustomization)]); ok {
			snap.Pending[branch] = p
		}
	}
	snap.verified = b.verified
	return snap, nil
}

// base picks the branch and reads its .gito.yaml.
func (s *Source) base(ctx context.Context, refs map[string]string) (string, *config.Repo, error) {
	branch := s.Base
	if branch == "" {
		var err error
		if branch, err = s.Repo.DefaultBranch(ctx); err != nil {
			return "", nil, err
		}
	}
	cfg, err := s.config(ctx, branch)
	if err != nil {
		return "", nil, err
	}
	if s.Base == "" && cfg.BaseBranch != "" && cfg.BaseBranch != branch {
		branch = cfg.BaseBranch
		if cfg, err = s.config(ctx, branch); err != nil {
			return "", nil, err
		}
	}
	if _, ok := refs[branch]; !ok {
		return "", nil, fmt.Errorf("branch %s is not on the remote", branch)
	}
	return branch, cfg, nil
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
	cfg          *config.Repo
	allowed      *signing.AllowedSigners
	now          time.Time
	prevVerified map[[32]byte]bool
	verified     map[[32]byte]bool
}

// param reads the service's image from the kustomization's images: entries. ok is false when
// the file is missing (deleted on a branch).
func (b *builder) param(o workspace.OverlayFile, commit string, kust, sig []byte) (Param, bool) {
	if kust == nil {
		return Param{}, false
	}
	p := Param{Service: o.Service, Env: o.Env, Path: o.Dir, Commit: commit}
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
	if sig == nil {
		return false
	}
	k := sigKey(rel, data, sig)
	if ok, seen := b.verified[k]; seen {
		return ok
	}
	ok, seen := b.prevVerified[k]
	if !seen {
		ok = signing.VerifyBytes(rel, data, sig, b.allowed, b.now).OK()
	}
	b.verified[k] = ok
	return ok
}

// hashOf fingerprints the allowed signers, so verdicts are reused only under the same trust.
func hashOf(a *signing.AllowedSigners) [32]byte {
	if a == nil {
		return [32]byte{}
	}
	var buf bytes.Buffer
	for _, e := range a.Entries {
		fmt.Fprintf(&buf, "%s|%t|%s|%v|%v|%x\n", e.Principals, e.CertAuthority, e.Namespaces, e.ValidAfter, e.ValidBefore, e.Key.Marshal())
	}
	return sha256.Sum256(buf.Bytes())
}
