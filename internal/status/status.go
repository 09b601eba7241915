// Package status answers "which version runs where": a service × env matrix read from one
// tree of the base branch, each overlay's open release PR and signature state. It reads
// through the functions it is given and imports no git, forge client or terminal.
package status

import (
	"context"
	"fmt"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/signing"
	"github.com/gito-dev/gito/internal/workspace"
)

// Row is one overlay.
type Row struct {
	Service, Env string
	Version      string // tag of the service's first image ("" when none is found)
	Digest       string
	Path         string // the kustomization file (or the patch that sets the image)
	Signed       bool
	Signer       string
	PR           *forge.PullRequest // the overlay's open release PR, or nil
	// Drift marks an env whose version differs from the one most of the service's envs run.
	Drift bool
}

// Input is what Load reads.
type Input struct {
	Config   *config.Repo
	Overlays []workspace.OverlayFiles
	// Commit is the base commit the overlays were listed at.
	Commit string
	// BlobIDs maps the commit's files to their blob ids, from the same listing as Overlays.
	// When set, files are read by id (git resolves no path) and files it lacks, such as
	// absent signatures, are not asked for; nil reads "Commit:path" specs.
	BlobIDs map[string]string
	// ReadBlobs reads "commit:path" specs (or blob ids) in one batch.
	ReadBlobs func(ctx context.Context, specs []string) (map[string][]byte, error)
	// OpenPRs are the forge's open PRs from gito/ branches (one list call); nil: no forge.
	OpenPRs []*forge.PullRequest
	// Service and Envs narrow the matrix ("" / nil: all).
	Service string
	Envs    []string
	Now     time.Time
}

// Load builds the matrix with one batched blob read for every overlay file, signature and the
// allowed signers file, then parses and verifies the overlays on every CPU.
func Load(ctx context.Context, in Input) ([]Row, error) {
	var overlays []workspace.OverlayFiles
	for _, o := range in.Overlays {
		if (in.Service == "" || o.Service == in.Service) && (len(in.Envs) == 0 || slices.Contains(in.Envs, o.Env)) {
			overlays = append(overlays, o)
		}
	}
	spec := func(p string) (string, bool) {
		if in.BlobIDs == nil {
			return in.Commit + ":" + p, true
		}
		id, ok := in.BlobIDs[p]
		return id, ok
	}
	var specs []string
	add := func(p string) {
		if s, ok := spec(p); ok {
			specs = append(specs, s)
		}
	}
	signersPath := in.Config.AllowedSignersPath()
	add(signersPath)
	for _, o := range overlays {
		for _, f := range overlayFiles(o) {
			add(f)
			add(signing.SigPath(f))
		}
	}
	blobs, err := in.ReadBlobs(ctx, specs)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	blob := func(p string) ([]byte, bool) {
		s, ok := spec(p)
		if !ok {
			return nil, false
		}
		data, ok := blobs[s]
		return data, ok
	}
	var allowed *signing.AllowedSigners
	if data, ok := blob(signersPath); ok {
		if allowed, err = signing.ParseAllowedSigners(signersPath, data, time.Local); err != nil {
			return nil, err
		}
	}
	prs := map[string]*forge.PullRequest{}
	for _, pr := range in.OpenPRs {
		prs[pr.Head] = pr
	}
	rows := make([]Row, len(overlays))
	forEachParallel(len(overlays), func(i int) {
		o := overlays[i]
		r := Row{Service: o.Service, Env: o.Env, Path: o.Kustomization, PR: prs["gito/"+o.Env+"/"+o.Service]}
		images := in.Config.ImagesFor(o.Service)
		for _, f := range overlayFiles(o) {
			data, _ := blob(f)
			refs, err := history.ReadImages(data)
			if err != nil {
				continue // the render check of a release reports a broken file in kustomize's words
			}
			if ref, ok := match(refs, images, o.Service); ok {
				r.Version, r.Digest, r.Path = ref.Tag, ref.Digest, f
				break
			}
		}
		if sig, ok := blob(signing.SigPath(r.Path)); ok && allowed != nil {
			data, _ := blob(r.Path)
			res := signing.VerifyBytes(r.Path, data, sig, allowed, in.Now)
			r.Signed, r.Signer = res.OK(), res.Principal
		}
		rows[i] = r
	})
	markDrift(rows)
	return rows, nil
}

// overlayFiles is where an overlay may set its image: the kustomization, then its patches.
func overlayFiles(o workspace.OverlayFiles) []string {
	return append([]string{o.Kustomization}, o.YAML...)
}

// forEachParallel calls fn(0..n-1) from one goroutine per CPU: parsing and verifying 10,000
// overlays is CPU work that would otherwise leave all but one core idle.
func forEachParallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// match finds the service's first image among refs: a configured name (by name or newName),
// else an image whose last path segment is the service.
func match(refs []history.ImageRef, images []string, service string) (history.ImageRef, bool) {
	for _, img := range images {
		for _, r := range refs {
			if r.Name == img || r.Repository() == img || path.Base(r.Repository()) == img {
				return r, r.Tag != "" || r.Digest != ""
			}
		}
	}
	for _, r := range refs {
		if path.Base(r.Repository()) == service && (r.Tag != "" || r.Digest != "") {
			return r, true
		}
	}
	return history.ImageRef{}, false
}

// markDrift flags, per service, the envs whose version is not the one most envs run; when
// no version has a majority over the others, every env that differs from another drifts.
func markDrift(rows []Row) {
	bySvc := map[string][]int{}
	for i, r := range rows {
		bySvc[r.Service] = append(bySvc[r.Service], i)
	}
	for _, idx := range bySvc {
		count := map[string]int{}
		for _, i := range idx {
			count[ref(rows[i])]++
		}
		if len(count) < 2 {
			continue
		}
		best, tie := "", false
		for v, n := range count {
			switch {
			case n > count[best]:
				best, tie = v, false
			case n == count[best]:
				tie = true
			}
		}
		for _, i := range idx {
			rows[i].Drift = tie || ref(rows[i]) != best
		}
	}
}

func ref(r Row) string { return strings.TrimSuffix(r.Version+"@"+r.Digest, "@") }
