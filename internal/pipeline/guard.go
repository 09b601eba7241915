package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/policy"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/signing"
	"github.com/gito-dev/gito/internal/workspace"
)

// guarded is what the guardrails let through: with --override, the locks and freezes the
// override passes (recorded on the commit and in the PR body).
type guarded struct {
	overridden []policy.Violation
}

// guard refuses a release or promote that a lock, a freeze window or a promotion gate holds,
// before anything is planned or written. A rollback passes: it is what an incident needs.
func guard(ctx context.Context, req Request, ws *workspace.Workspace, signer *fileSigner, warn io.Writer) (*guarded, error) {
	if req.Rollback {
		return &guarded{}, nil
	}
	now := req.now()
	pol, err := LoadPolicy(ctx, ws)
	if err != nil {
		return nil, err
	}
	holds, err := pol.Holds(req.Service, req.Env, now)
	if err != nil {
		return nil, err
	}
	var g guarded
	switch {
	case len(holds) > 0 && req.Override == "":
		return nil, &policy.Refused{Violations: holds}
	case len(holds) > 0 && !ws.Config.Policy.AllowOverride:
		return nil, fmt.Errorf("--override is refused: %s does not set policy.allowOverride: true; %w", config.FileName, &policy.Refused{Violations: holds})
	case len(holds) > 0:
		if err := checkOverrideSigner(ctx, ws, signer, now); err != nil {
			return nil, err
		}
		g.overridden = holds
	case req.Override != "":
		fmt.Fprintf(warn, "note: --override ignored: no lock or freeze window holds %s in %s\n", req.Service, req.Env)
	}
	gates, err := checkGates(ctx, req, ws, now)
	if err != nil {
		return nil, err
	}
	for _, n := range gates.Notes {
		fmt.Fprintln(warn, "note: "+n)
	}
	if len(gates.Violations) > 0 {
		refused := &policy.Refused{Violations: gates.Violations}
		if req.Override != "" {
			return nil, fmt.Errorf("%w (--override passes locks and freeze windows, not promotion gates)", refused)
		}
		return nil, refused
	}
	return &g, nil
}

// checkOverrideSigner: an override trailer proves nothing unless the commit carrying it is
// signed by a key the repo's allowed signers trust, so the key that will sign the commit
// must be one of them.
func checkOverrideSigner(ctx context.Context, ws *workspace.Workspace, signer *fileSigner, now time.Time) error {
	if signer == nil {
		return errors.New("--override needs a signed commit: no signing key found (pass --signing-key or set GITO_SIGNING_KEY)")
	}
	rel := ws.Config.AllowedSignersPath()
	blobs, err := ws.Repo.ReadBlobs(ctx, []string{ws.BaseSHA + ":" + rel})
	if err != nil {
		return fmt.Errorf("read %s: %w", rel, err)
	}
	data, ok := blobs[ws.BaseSHA+":"+rel]
	if !ok {
		return fmt.Errorf("--override needs a commit signed by an allowed signer, and %s has no %s", ws.Base, rel)
	}
	allowed, err := signing.ParseAllowedSigners(rel, data, time.UTC)
	if err != nil {
		return err
	}
	// The commit is signed with the key that signs the files; a probe signature tells
	// whether the allowed signers admit that key for gito's namespaces.
	const probe = ".gito/override"
	sig, err := signing.SignBytes(probe, []byte(probe), signer.s)
	if err != nil {
		return fmt.Errorf("sign the override: %w", err)
	}
	if res := signing.VerifyBytes(probe, []byte(probe), sig, allowed, now); !res.OK() {
		return fmt.Errorf("--override needs a commit signed by an allowed signer: the signing key %s is not trusted by %s (%s)", signer.s.Fingerprint(), rel, res.Message)
	}
	return nil
}

// LoadPolicy reads the guardrails in force on the workspace's base branch: .gito.yaml (already
// loaded) and the locks file.
func LoadPolicy(ctx context.Context, ws *workspace.Workspace) (policy.Policy, error) {
	spec := ws.BaseSHA + ":" + policy.LocksFile
	blobs, err := ws.Repo.ReadBlobs(ctx, []string{spec})
	if err != nil {
		return policy.Policy{}, fmt.Errorf("read %s: %w", policy.LocksFile, err)
	}
	locks, err := policy.ParseLocks(blobs[spec])
	if err != nil {
		return policy.Policy{}, err
	}
	return policy.Policy{Repo: ws.Config, Locks: locks}, nil
}

func (req Request) now() time.Time {
	if req.Now != nil {
		return req.Now()
	}
	return time.Now()
}

// record writes what the guardrails add to a plan: the override in the commit trailers and
// the PR body.
func (g *guarded) record(ctx context.Context, req Request, ws *workspace.Workspace, plan *release.Plan, signer *fileSigner) error {
	if req.Hold {
		if err := addHold(ctx, req, ws, plan, signer); err != nil {
			return err
		}
	}
	if len(g.overridden) > 0 {
		passes := make([]string, 0, len(g.overridden))
		for _, v := range g.overridden {
			passes = append(passes, v.Message)
		}
		plan.AddOverride(req.Override, passes)
	}
	return nil
}

// addHold puts a lock on (service, env) into the rollback's own commit (rollback --hold), so
// that the next automated release does not overwrite the rollback once it is merged.
func addHold(ctx context.Context, req Request, ws *workspace.Workspace, plan *release.Plan, signer *fileSigner) error {
	if plan.Noop {
		fmt.Fprintf(req.warnWriter(), "note: --hold adds nothing while %s in %s is already at %s: hold it with gito lock\n", plan.Service, plan.Env, plan.To)
		return nil
	}
	pol, err := LoadPolicy(ctx, ws)
	if err != nil {
		return err
	}
	l := policy.Lock{
		Env: plan.Env, Service: plan.Service, Author: lockAuthor(signer, req.Getenv),
		Reason: fmt.Sprintf("rollback to %s held (gito rollback --hold)", plan.To),
		Time:   req.now().UTC().Truncate(time.Second),
	}
	after, err := pol.Locks.With(l).Marshal()
	if err != nil {
		return err
	}
	before, err := readSnapshotFile(ws, policy.LocksFile)
	if err != nil {
		return err
	}
	hold := &release.Plan{Files: []release.File{{Path: policy.LocksFile, Before: before, After: after}}}
	if signer != nil {
		if err := signLockFile(ws, hold, signer); err != nil {
			return err
		}
	}
	plan.Files = append(plan.Files, hold.Files...)
	plan.SigFiles = append(plan.SigFiles, hold.SigFiles...)
	plan.Commit = strings.TrimRight(plan.Commit, "\n") + fmt.Sprintf("\n%s: lock %s\n", TrailerLock, l.Target())
	plan.Body = strings.TrimRight(plan.Body, "\n") + fmt.Sprintf("\n\n### Hold\n\nThis rollback also locks **%s** in %s (%s), so that no release overwrites it; `gito unlock -e %s%s` lifts it.\n",
		l.Target(), policy.LocksFile, l.Reason, l.Env, serviceFlag(l.Service))
	return nil
}

func serviceFlag(s string) string {
	if s == "" {
		return ""
	}
	return " -s " + s
}
