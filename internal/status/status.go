// Package status answers "which version runs where": a service × env matrix from the
// inventory of the base branch, each overlay's open release PR and signature state. It reads
// through the functions it is given and imports no git, forge client or terminal.
package status

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/inventory"
	"github.com/gito-dev/gito/internal/signing"
)

// Row is one (service, env) of the inventory.
type Row struct {
	Service, Env string
	Version      string // the version the env renders ("" when Unknown says why)
	Digest       string
	Path         string // the file that carries the version (the kustomization when none does)
	Signed       bool
	Signer       string
	PR           *forge.PullRequest // the overlay's open release PR, or nil
	// Drift marks an env whose version differs from the one most of the service's envs run.
	Drift bool
	// Unknown says why the version cannot be read without rendering; never drift.
	Unknown string
	// Entry is what the inventory found, for --sources.
	Entry inventory.Entry
}

// Input is what Load reads.
type Input struct {
	Config    *config.Repo
	Inventory *inventory.Inventory
	// ReadBlobs reads blob ids in one batch (signatures and the allowed signers).
	ReadBlobs func(ctx context.Context, specs []string) (map[string][]byte, error)
	// OpenPRs are the forge's open PRs from gito/ branches (one list call); nil: no forge.
	OpenPRs []*forge.PullRequest
	// Service and Envs narrow the matrix ("" / nil: all).
	Service string
	Envs    []string
	Now     time.Time
}

// RowPath is the file a row names: the carrier that decides the version, or the overlay's
// kustomization when only a base sets it (a release edits the kustomization).
func RowPath(e inventory.Entry) string {
	if c := e.Decider(); c != nil && c.File != "" {
		if e.Kustomization != "" && c.Kind == inventory.CarrierBaseImage {
			return e.Kustomization
		}
		return c.File
	}
	if e.Kustomization != "" {
		return e.Kustomization
	}
	return e.Dir
}

// Load builds the matrix from the inventory, with one batched read of the signatures and
// the allowed signers file, verifying on every CPU. Env groups stand for their members.
func Load(ctx context.Context, in Input) ([]Row, error) {
	var entries []inventory.Entry
	for _, e := range in.Inventory.Entries {
		if e.Rule == inventory.RuleGroup {
			continue
		}
		if (in.Service == "" || e.Service == in.Service) && (len(in.Envs) == 0 || slices.Contains(in.Envs, e.Env)) {
			entries = append(entries, e)
		}
	}
	idOf := map[string]string{}
	var specs []string
	add := func(p string) {
		if id, ok := in.Inventory.BlobID(p); ok && idOf[p] == "" {
			if id == "" {
				id = p
			}
			idOf[p] = id
			specs = append(specs, id)
		}
	}
	signersPath := in.Config.AllowedSignersPath()
	add(signersPath)
	for _, e := range entries {
		add(signing.SigPath(RowPath(e)))
	}
	blobs, err := in.ReadBlobs(ctx, specs)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	blob := func(p string) ([]byte, bool) {
		id, ok := idOf[p]
		if !ok {
			return nil, false
		}
		data, ok := blobs[id]
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
	rows := make([]Row, len(entries))
	forEachParallel(len(entries), func(i int) {
		e := entries[i]
		r := Row{Service: e.Service, Env: e.Env, Version: e.Version, Digest: e.Digest, Path: RowPath(e),
			Unknown: e.Unknown, PR: prs["gito/"+e.Env+"/"+e.Service], Entry: e}
		if sig, ok := blob(signing.SigPath(r.Path)); ok && allowed != nil {
			data, _ := in.Inventory.Blob(r.Path)
			res := signing.VerifyBytes(r.Path, data, sig, allowed, in.Now)
			r.Signed, r.Signer = res.OK(), res.Principal
		}
		rows[i] = r
	})
	markDrift(rows)
	return rows, nil
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

// markDrift flags, per service, the envs whose version is not the one most envs run; when
// no version has a majority over the others, every env that differs from another drifts.
func markDrift(rows []Row) {
	bySvc := map[string][]int{}
	for i, r := range rows {
		if r.Unknown == "" {
			bySvc[r.Service] = append(bySvc[r.Service], i) // an unknown version is no drift
		}
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
