package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/gitrepo"
	"github.com/gito-dev/gito/internal/policy"
	"github.com/gito-dev/gito/internal/policy/affected"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/signing"
)

// policyRun is `gito verify --policy`: the change base...head against the base branch's
// locks, freeze windows and gates. It reads the repository it runs in (a CI checkout or a
// bare repository), fetches nothing and writes nothing.
func policyRun(ctx context.Context, opts *VerifyOptions) error {
	workDir, err := cmdutil.WorkDir(opts.WorkDir)
	if err != nil {
		return err
	}
	dir := opts.Root
	switch {
	case dir != "" && !filepath.IsAbs(dir):
		dir = filepath.Join(workDir, dir)
	case dir == "":
		if top, ok := gitrepo.TopLevel(ctx, workDir); ok {
			dir = top
		} else {
			dir = workDir // a bare repository
		}
	}
	repo := gitrepo.OpenLocal(dir, nil)
	defer repo.Close()
	base, err := repo.ResolveCommit(ctx, opts.Base)
	if err != nil {
		return exitcode.FlagErrorf("--base: %v", err)
	}
	head, err := repo.ResolveCommit(ctx, opts.Head)
	if err != nil {
		return exitcode.FlagErrorf("--head: %v", err)
	}
	now := time.Now()
	if opts.Now != nil {
		now = opts.Now()
	}
	in, invalid, err := changeInput(ctx, repo, base, head, opts, workDir, now)
	if err != nil {
		return err
	}
	if len(invalid) > 0 {
		// A change that breaks the policy itself fails before anything else is judged.
		return printPolicy(opts, policy.ChangeReport{Targets: []policy.Target{}, Violations: invalid})
	}
	rep, err := policy.CheckChange(ctx, in)
	if err != nil {
		return err
	}
	return printPolicy(opts, rep)
}

// changeInput gathers what the policy judges: the base's config, locks and allowed
// signers (the head cannot vouch for itself), the changed paths, the commits and their
// signatures, and the head's lock file when the change edits it.
func changeInput(ctx context.Context, repo *gitrepo.Repo, base, head string, opts *VerifyOptions, workDir string, now time.Time) (in policy.ChangeInput, invalid []policy.Violation, err error) {
	in.Now = now
	blobs, err := repo.ReadBlobs(ctx, []string{base + ":" + config.FileName, base + ":" + policy.LocksFile, head + ":" + config.FileName})
	if err != nil {
		return in, nil, err
	}
	cfg, err := parseConfig(blobs[base+":"+config.FileName])
	if err != nil {
		return in, nil, fmt.Errorf("base %s: %w", short(base), err)
	}
	locks, err := policy.ParseLocks(blobs[base+":"+policy.LocksFile])
	if err != nil {
		return in, nil, fmt.Errorf("base %s: %w", short(base), err)
	}
	in.Policy = policy.Policy{Repo: cfg, Locks: locks}
	if _, err := parseConfig(blobs[head+":"+config.FileName]); err != nil {
		invalid = append(invalid, policy.Violation{Kind: policy.KindInvalid, Message: err.Error()})
	}
	allowed, err := baseAllowedSigners(ctx, repo, base, cfg, opts.AllowedSigners, workDir)
	if err != nil {
		return in, nil, err
	}
	if in.Paths, err = repo.ChangedPaths(ctx, base, head); err != nil {
		return in, nil, err
	}
	if in.Inventory, err = inventory(ctx, repo, cfg, base, head); err != nil {
		return in, nil, err
	}
	gates, err := newGateChecker(ctx, repo, cfg, base, head, now)
	if err != nil {
		return in, nil, err
	}
	in.Gate = gates.check
	raws, err := repo.CommitsBetween(ctx, base, head)
	if err != nil {
		return in, nil, err
	}
	for _, raw := range raws {
		c := policy.Commit{SHA: raw.SHA, Override: trailer(raw.Data, release.TrailerOverride)}
		res := signing.VerifyCommit(raw.SHA, raw.Data, allowed, now)
		c.Trusted, c.Signer, c.Problem = res.OK(), res.Principal, res.Message
		in.Commits = append(in.Commits, c)
	}
	if slices.Contains(in.Paths, policy.LocksFile) || slices.Contains(in.Paths, policy.LocksFile+release.SignatureSuffix) {
		in.LockFile, err = lockFileChange(ctx, repo, head, allowed, now)
		if err != nil {
			return in, nil, err
		}
	}
	return in, invalid, nil
}

func parseConfig(data []byte) (*config.Repo, error) {
	if data == nil {
		return &config.Repo{}, nil
	}
	return config.ParseRepo(data)
}

// baseAllowedSigners: --allowed-signers when given, else the base branch's file; none means
// no signature is trusted.
func baseAllowedSigners(ctx context.Context, repo *gitrepo.Repo, base string, cfg *config.Repo, override, workDir string) (*signing.AllowedSigners, error) {
	if override != "" {
		p := override
		if !filepath.IsAbs(p) {
			p = filepath.Join(workDir, p)
		}
		return signing.LoadAllowedSigners(p, override)
	}
	rel := cfg.AllowedSignersPath()
	blobs, err := repo.ReadBlobs(ctx, []string{base + ":" + rel})
	if err != nil {
		return nil, err
	}
	data, ok := blobs[base+":"+rel]
	if !ok {
		return &signing.AllowedSigners{Name: rel}, nil
	}
	return signing.ParseAllowedSigners(rel, data, time.UTC)
}

// inventory maps paths to overlays in both trees: what the head adds and what it removes.
func inventory(ctx context.Context, repo *gitrepo.Repo, cfg *config.Repo, commits ...string) (policy.Inventory, error) {
	var u affected.Union
	for _, c := range commits {
		files, err := repo.ListFiles(ctx, c)
		if err != nil {
			return nil, err
		}
		var specs []string
		for _, f := range files {
			if slices.Contains([]string{"kustomization.yaml", "kustomization.yml", "Kustomization"}, path.Base(f)) {
				specs = append(specs, c+":"+f)
			}
		}
		blobs, err := repo.ReadBlobs(ctx, specs)
		if err != nil {
			return nil, err
		}
		read := func(p string) ([]byte, bool) { d, ok := blobs[c+":"+p]; return d, ok }
		l, err := affected.New(files, read, cfg)
		if err != nil {
			return nil, err
		}
		u = append(u, l)
	}
	return u, nil
}

func lockFileChange(ctx context.Context, repo *gitrepo.Repo, head string, allowed *signing.AllowedSigners, now time.Time) (*policy.LockFileChange, error) {
	sigPath := policy.LocksFile + release.SignatureSuffix
	blobs, err := repo.ReadBlobs(ctx, []string{head + ":" + policy.LocksFile, head + ":" + sigPath})
	if err != nil {
		return nil, err
	}
	data, ok := blobs[head+":"+policy.LocksFile]
	if !ok {
		return &policy.LockFileChange{Problem: "the change deletes it (gito unlock rewrites it, signed)"}, nil
	}
	sig, ok := blobs[head+":"+sigPath]
	if !ok {
		return &policy.LockFileChange{Data: data, Problem: "no signature file " + sigPath}, nil
	}
	res := signing.VerifyBytes(policy.LocksFile, data, sig, allowed, now)
	return &policy.LockFileChange{Data: data, Trusted: res.OK(), Problem: res.Message}, nil
}

// trailer reads one trailer of a raw commit object's message ("" when absent).
func trailer(raw []byte, key string) string {
	_, msg, _ := strings.Cut(string(raw), "\n\n")
	val := ""
	for _, line := range strings.Split(msg, "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			val = strings.TrimSpace(v)
		}
	}
	return val
}

func printPolicy(opts *VerifyOptions, rep policy.ChangeReport) error {
	for _, n := range rep.Notes {
		fmt.Fprintln(opts.IO.ErrOut, "note: "+n)
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		for _, v := range rep.Violations {
			fmt.Fprintf(opts.IO.Out, "FAIL %s: %s\n", v.Kind, v.Message)
		}
		if len(rep.Violations) == 0 {
			names := make([]string, 0, len(rep.Targets))
			for _, t := range rep.Targets {
				names = append(names, strings.TrimPrefix(t.Service+"/"+t.Env, "/"))
			}
			fmt.Fprintf(opts.IO.Out, "ok   policy: %d overlays changed (%s)\n", len(rep.Targets), strings.Join(names, ", "))
		}
	}
	if n := len(rep.Violations); n > 0 {
		return &exitcode.VerifyError{Err: fmt.Errorf("%d policy violations", n)}
	}
	return nil
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
