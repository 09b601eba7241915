package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gito-dev/gito/internal/overlay"
	"github.com/gito-dev/gito/internal/policy"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/workspace"
)

// TrailerLock names, on a commit that changes .gito/locks.yaml, what it locks or unlocks:
// "lock api in prod" or "unlock prod".
const TrailerLock = "Gito-Lock"

// LockBranch is the one branch of an env's lock changes.
func LockBranch(env string) string { return "gito/locks/" + env }

// LockChange is `gito lock` or `gito unlock`: the lock to add, or the (env, service) to free.
type LockChange struct {
	Lock   policy.Lock
	Unlock bool
}

// RunLock changes .gito/locks.yaml on the base branch and delivers it like a release: the
// file and its signature in one commit on gito/locks/{env}, pushed with a lease, in a pull
// request (merged by itself with --auto-merge). The lock holds once merged.
func RunLock(ctx context.Context, req Request, change LockChange) (*Result, error) {
	ws, err := workspace.Open(ctx, workspace.Options{
		Remote: req.Repo, Base: req.Base, Getenv: req.Getenv, HTTPClient: req.HTTPClient,
		Progress: req.Progress, Notes: req.Warn, NoWorktree: true,
	})
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	// Only .gito (the lock file, allowed signers, templates) is read or written.
	dirs := []string{".gito"}
	if d := parentDir(ws.Config.AllowedSignersPath()); d != "" && d != ".gito" {
		dirs = append(dirs, d)
	}
	if ws.Snapshot, err = ws.Repo.NewSnapshot(ctx, ws.BaseSHA, dirs...); err != nil {
		return nil, fmt.Errorf("%s: %w", ws.Base, err)
	}
	if err := checkLockTarget(ctx, ws, change.Lock); err != nil {
		return nil, err
	}
	signer, err := loadSigner(ctx, req, ws)
	if err != nil {
		return nil, err
	}
	if change.Lock.Author == "" {
		change.Lock.Author = lockAuthor(signer, req.Getenv)
	}
	locks, err := pendingLocks(ctx, ws, change.Lock.Env)
	if err != nil {
		return nil, err
	}
	plan, err := lockPlan(ws, req, locks, change, signer)
	if err != nil {
		return nil, err
	}
	if plan.Noop {
		return &Result{Action: release.ActionNoop, Plan: plan, Remote: ws.Remote, HasForge: ws.HasForge()}, nil
	}
	if err := checkSignatures(ws, plan, req.warnWriter(), req.now()); err != nil {
		return nil, err
	}
	return deliver(ctx, req, ws, plan, signer)
}

// pendingLocks are the locks a new lock change starts from: the base branch's, or, when the
// env's lock branch already holds a change on top of the current base (an open lock PR),
// that change's, so that a second lock or unlock adds to the pending PR instead of
// replacing it.
func pendingLocks(ctx context.Context, ws *workspace.Workspace, env string) (policy.Locks, error) {
	pol, err := LoadPolicy(ctx, ws)
	if err != nil {
		return nil, err
	}
	sha, exists, err := ws.Repo.RemoteBranchSHA(ctx, LockBranch(env))
	if err != nil || !exists {
		return pol.Locks, err
	}
	if parent, err := ws.Repo.Parent(ctx, sha); err != nil || parent != ws.BaseSHA {
		return pol.Locks, nil // merged, or based on an older base: start from the base
	}
	spec := sha + ":" + policy.LocksFile
	blobs, err := ws.Repo.ReadBlobs(ctx, []string{spec})
	if err != nil {
		return nil, err
	}
	pending, err := policy.ParseLocks(blobs[spec])
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", policy.LocksFile, LockBranch(env), err)
	}
	return pending, nil
}

// checkLockTarget refuses a lock on an env or service the repo does not have: a typo would
// otherwise hold nothing while everyone believes it holds.
func checkLockTarget(ctx context.Context, ws *workspace.Workspace, l policy.Lock) error {
	files, err := ws.Repo.ListFiles(ctx, ws.BaseSHA)
	if err != nil {
		return err
	}
	tree := overlay.ListedTree(files, ws.Base)
	envs, err := overlay.AllEnvsIn(tree, ws.Config)
	if err != nil {
		return err
	}
	if !slices.Contains(envs, l.Env) && !ws.Config.IsGroup(l.Env) {
		return fmt.Errorf("--env %s is not an environment of this repo (environments: %s)", l.Env, strings.Join(envs, ", "))
	}
	if l.Service == "" {
		return nil
	}
	services, err := overlay.ServicesIn(tree, ws.Config)
	if err != nil {
		return err
	}
	if !slices.Contains(services, l.Service) {
		return fmt.Errorf("--service %s is not a service of this repo (services: %s)", l.Service, strings.Join(services, ", "))
	}
	return nil
}

// lockPlan computes the new lock file, its signature and the texts of the change.
func lockPlan(ws *workspace.Workspace, req Request, locks policy.Locks, change LockChange, signer *fileSigner) (*release.Plan, error) {
	l := change.Lock
	next := locks.With(l)
	verb, title := "lock", fmt.Sprintf("Lock %s: %s", l.Target(), l.Reason)
	if change.Unlock {
		if _, ok := locks.Find(l.Env, l.Service); !ok {
			// Already unlocked: nothing to do, as for a release already in place.
			return &release.Plan{Service: l.Service, Env: l.Env, Base: ws.Base, Branch: LockBranch(l.Env), Edit: &overlay.Result{}, Noop: true,
				Title: fmt.Sprintf("%s holds no lock on %s (locks: %s)", policy.LocksFile, l.Target(), describeLocks(locks))}, nil
		}
		next = locks.Without(l.Env, l.Service)
		verb, title = "unlock", "Unlock "+l.Target()
	}
	after, err := next.Marshal()
	if err != nil {
		return nil, err
	}
	before, err := readSnapshotFile(ws, policy.LocksFile)
	if err != nil {
		return nil, err
	}
	env := ws.Config.Env(l.Env)
	plan := &release.Plan{
		Service: l.Service, Env: l.Env, Base: ws.Base, Branch: LockBranch(l.Env),
		Edit:      &overlay.Result{},
		Labels:    req.Labels,
		Reviewers: union(env.Reviewers, req.Reviewers),
		Draft:     req.Draft,
		AutoMerge: req.AutoMerge,
		Title:     title,
	}
	if !change.Unlock {
		if cur, ok := locks.Find(l.Env, l.Service); ok && cur.Reason == l.Reason && cur.Author == l.Author {
			plan.Noop = true
			return plan, nil
		}
	}
	if bytes.Equal(before, after) {
		plan.Noop = true
		return plan, nil
	}
	plan.Files = []release.File{{Path: policy.LocksFile, Before: before, After: after}}
	if signer != nil {
		if err := signLockFile(ws, plan, signer); err != nil {
			return nil, err
		}
	}
	plan.Commit = fmt.Sprintf("%s\n\n%s: %s %s\n%s: %s\n", title, TrailerLock, verb, l.Target(), release.TrailerEnv, l.Env)
	plan.Body = lockBody(change, next)
	return plan, nil
}

// signLockFile appends the signature of the plan's first file (the lock file).
func signLockFile(ws *workspace.Workspace, plan *release.Plan, signer *fileSigner) error {
	f := plan.Files[0]
	sig, err := signer.SignFile(f.Path, f.After)
	if err != nil {
		return fmt.Errorf("sign %s: %w", f.Path, err)
	}
	sigPath := f.Path + release.SignatureSuffix
	before, err := readSnapshotFile(ws, sigPath)
	if err != nil {
		return err
	}
	plan.Files = append(plan.Files, release.File{Path: sigPath, Before: before, After: sig})
	plan.SigFiles = append(plan.SigFiles, sigPath)
	plan.Signer = signer.Identity()
	return nil
}

func lockBody(change LockChange, next policy.Locks) string {
	var b strings.Builder
	l := change.Lock
	if change.Unlock {
		fmt.Fprintf(&b, "Unlocks **%s**: `release` and `promote` into it are allowed again once this merges.\n", l.Target())
	} else {
		fmt.Fprintf(&b, "Locks **%s** once this merges: `release` and `promote` into it are refused, `rollback` is allowed.\n\n", l.Target())
		fmt.Fprintf(&b, "- Reason: %s\n- Author: %s\n", l.Reason, l.Author)
	}
	fmt.Fprintf(&b, "\nLocks in %s after this change: %s\n", policy.LocksFile, describeLocks(next))
	return b.String()
}

func describeLocks(ls policy.Locks) string {
	if len(ls) == 0 {
		return "none"
	}
	var names []string
	for _, l := range ls {
		names = append(names, l.Target())
	}
	return strings.Join(names, ", ")
}

// lockAuthor names who takes a lock: the signing key's principal, else the user.
func lockAuthor(signer *fileSigner, getenv func(string) string) string {
	if signer != nil && signer.s.Principal() != "" {
		return signer.s.Principal()
	}
	for _, v := range []string{"USER", "USERNAME"} {
		if s := strings.TrimSpace(getenv(v)); s != "" {
			return s
		}
	}
	return "unknown"
}

// readSnapshotFile reads a repo-relative file of the workspace snapshot; nil when missing.
func readSnapshotFile(ws *workspace.Workspace, rel string) ([]byte, error) {
	return readFileIn(ws.Root(), rel)
}

func parentDir(rel string) string {
	if i := strings.LastIndex(rel, "/"); i > 0 {
		return rel[:i]
	}
	return ""
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// readFileIn reads a repo-relative file through os.Root, so a symlink cannot lead outside
// the snapshot; a missing file is nil.
func readFileIn(root, rel string) ([]byte, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("open snapshot: %w", err)
	}
	defer r.Close()
	data, err := r.ReadFile(filepath.FromSlash(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	return data, nil
}
