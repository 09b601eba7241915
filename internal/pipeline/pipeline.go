// Package pipeline runs one release or rollback from flags to pull request: open the
// workspace, plan, confirm, apply, push, publish. release and rollback share it, so both
// behave the same for noop, dry-run, JSON and exit codes.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/gitrepo"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/wait"
	"github.com/gito-dev/gito/internal/workspace"
	"github.com/gito-dev/gito/templates"
)

// Request is one release or rollback. It carries no terminal: the command layer
// (internal/cmd/shared) fills Progress, Warn and Confirm.
type Request struct {
	Getenv     func(string) string
	HTTPClient func() (*http.Client, error)

	Service, Env string
	Repo, Base   string // --repo (already defaulted from GITO_REPO) and --base
	Version      config.Version
	DryRun       bool
	Draft        bool
	AutoMerge    bool
	Labels       []string
	Reviewers    []string
	SigningKey   string // --signing-key or GITO_SIGNING_KEY
	PinDigest    bool   // --pin-digest
	Create       bool
	Rollback     bool
	PromoteFrom  string // gito promote: the env whose images become this release
	Override     string // --override: the reason to pass a lock or freeze window (guard.go)
	Hold         bool   // rollback --hold: also lock (service, env) in the same commit
	// Now is the clock the guardrails are evaluated at; nil is time.Now.
	Now func() time.Time

	// Workspace, when set, is an already opened workspace (rollback opens it to read
	// history first). Run does not close it.
	Workspace *workspace.Workspace
	// Progress receives progress lines; nil is silent.
	Progress io.Writer
	// Warn receives notes and warnings (stderr).
	Warn io.Writer
	// Confirm, when set, is asked once before the first write; an error stops the run.
	Confirm func(Confirmation) error
	// OnPlan, when set, sees the plan as soon as it is made, before anything is written or
	// pushed (--diff-out writes the rendered diff there); an error stops the run.
	OnPlan func(*release.Plan) error
}

// Confirmation is what the question before the first write shows.
type Confirmation struct {
	Plan     *release.Plan
	HasForge bool
	Existing *forge.PullRequest // the open PR this release updates, or nil
}

// Result is what Run did.
type Result struct {
	Action string
	Plan   *release.Plan
	Commit string
	PR     *forge.PullRequest
	Remote string
	Wait   *wait.Result // set by Waiter.Wait
	// HasForge tells whether a pull request is (or, in a dry run, would be) opened.
	HasForge bool
}

// Open opens the workspace for a request.
func Open(ctx context.Context, req Request) (*workspace.Workspace, error) {
	return workspace.Open(ctx, workspace.Options{
		Remote: req.Repo, Base: req.Base, Getenv: req.Getenv,
		HTTPClient: req.HTTPClient, Progress: req.Progress, Notes: req.Warn,
		Service: req.Service, Env: req.Env,
	})
}

// Run executes the whole flow. Every check that can refuse (names, render, signing, token,
// open PR lookup) runs before the first write, so a refusal leaves nothing behind.
func Run(ctx context.Context, req Request) (*Result, error) {
	ws := req.Workspace
	if ws == nil {
		var err error
		if ws, err = Open(ctx, req); err != nil {
			return nil, err
		}
		defer ws.Close()
	}
	if req.Service == "" {
		req.Service = ws.Service // the repo's one service
	}
	warn := req.warnWriter()
	if ignored := req.forgeOnlyFlags(); len(ignored) > 0 && !ws.HasForge() {
		fmt.Fprintf(warn, "warning: %s ignored: no forge is configured, so no pull request carries them\n", strings.Join(ignored, ", "))
	}

	if err := ws.Resolve(ctx, req.Service, req.Env); err != nil {
		return nil, err
	}
	signer, err := loadSigner(ctx, req, ws)
	if err != nil {
		return nil, err
	}
	passed, err := guard(ctx, req, ws, signer, warn)
	if err != nil {
		return nil, err
	}
	plan, err := planRelease(ctx, req, ws, release.Input{
		Root: ws.Root(), Repo: ws.Config, Service: req.Service, Env: req.Env,
		Version: req.Version, Base: ws.Base, Create: req.Create, Rollback: req.Rollback, PromoteFrom: req.PromoteFrom,
		Labels: req.Labels, Reviewers: req.Reviewers,
		Draft: req.Draft, AutoMerge: req.AutoMerge,
		Signer: signer.planSigner(), Templates: TemplateSet(ws),
		BodyLimit: forge.BodyLimit(ws.Target.Kind),
		Dir:       ws.InventoryDir(req.Service, req.Env), Images: ws.InventoryImages(req.Service, req.Env),
		Targets: ws.InventoryTargets(req.Service, req.Env),
	})
	if err != nil {
		return nil, err
	}
	if err := passed.record(ctx, req, ws, plan, signer); err != nil {
		return nil, err
	}
	if req.OnPlan != nil {
		if err := req.OnPlan(plan); err != nil {
			return nil, err
		}
	}
	for _, note := range plan.Edit.Notes {
		fmt.Fprintln(warn, "note: "+note)
	}
	if signer == nil && !plan.Noop {
		fmt.Fprintln(warn, "warning: no signing key found, the change will be unsigned (pass --signing-key or set GITO_SIGNING_KEY)")
	}
	if err := checkSignatures(ws, plan, warn, time.Now()); err != nil {
		return nil, err
	}
	return deliver(ctx, req, ws, plan, signer)
}

// deliver takes a checked plan the rest of the way: find the branch's open PR, commit
// (signed with the key that signed the files), push with a lease, open or update the PR.
// Releases and lock changes (lock.go) share it.
func deliver(ctx context.Context, req Request, ws *workspace.Workspace, plan *release.Plan, signer *fileSigner) (*Result, error) {
	say := progressFunc(req.Progress)
	warn := req.warnWriter()
	res := &Result{Plan: plan, Remote: ws.Remote, HasForge: ws.HasForge()}
	var err error

	// The open PR decides update-vs-create and proves the token works before any push.
	var (
		f        forge.Forge
		existing *forge.PullRequest
	)
	if ws.HasForge() {
		f, err = ws.Forge(ctx)
		if err != nil && !(req.DryRun && errors.Is(err, forge.ErrAuth)) {
			return nil, err
		}
		if f != nil {
			say("Looking for an open pull request from %s", plan.Branch)
			if existing, err = f.FindOpenPR(ctx, plan.Branch); err != nil {
				return nil, fmt.Errorf("find open pull request from %s: %w", plan.Branch, err)
			}
		}
	}

	if plan.Noop {
		res.Action = release.ActionNoop
		res.PR = existing
		if existing != nil {
			fmt.Fprintf(warn, "warning: %s is already at %s on %s, but pull request #%d from %s is still open: close it if it is stale\n",
				plan.Service, plan.To, ws.Base, existing.Number, plan.Branch)
		}
		return res, nil
	}
	// The branch as the cache saw it: what the no-op check reads and what the push's lease
	// expects.
	branchSHA, _, err := ws.Repo.RemoteBranchSHA(ctx, plan.Branch)
	if err != nil {
		return nil, err
	}
	current, err := branchHoldsPlan(ctx, ws, branchSHA, plan)
	if err != nil {
		return nil, err
	}
	switch {
	case current && f == nil, current && plan.DescribedBy(existing):
		res.Action = release.ActionNoop
		res.PR = existing
		return res, nil
	case current && existing != nil:
		// The branch holds this release but its PR still describes another (a run stopped
		// between the push and the PR update): repair the text, push nothing.
		res.PR = existing
		if req.DryRun {
			res.Action = release.ActionPlanned
			return res, nil
		}
		say("Updating pull request #%d to describe %s", existing.Number, plan.To)
		return publish(ctx, f, plan, existing, res)
	}
	if req.DryRun {
		res.Action = release.ActionPlanned
		res.PR = existing
		return res, nil
	}
	if req.Confirm != nil {
		if err := req.Confirm(Confirmation{Plan: plan, HasForge: ws.HasForge(), Existing: existing}); err != nil {
			return nil, err
		}
	}

	// The key that signed the files signs the commit too, wherever it was found.
	wt := committer{snap: ws.Snapshot}
	if signer != nil {
		wt.signingKey = signer.s.GitSigningKey()
	}
	sha, err := release.Apply(ctx, wt, plan)
	if err != nil {
		return nil, err
	}
	res.Commit = sha
	if existing == nil && branchSHA != "" {
		// A branch left behind by a merged or closed PR: replace it, the lease still guards
		// against a concurrent push.
		say("Replacing stale branch %s", plan.Branch)
	}
	say("Pushing %s", plan.Branch)
	if err := ws.Repo.Push(ctx, gitrepo.PushOptions{SHA: sha, Branch: plan.Branch, ExpectedRemoteSHA: branchSHA}); err != nil {
		if errors.Is(err, gitrepo.ErrStaleLease) {
			return nil, fmt.Errorf("another release of %s in %s pushed %s first: re-run to replay this release on top of it", plan.Service, plan.Env, plan.Branch)
		}
		return nil, err
	}
	if f == nil {
		res.Action = release.ActionPushed
		return res, nil
	}
	say("Publishing pull request")
	return publish(ctx, f, plan, existing, res)
}

// publish runs after the push: a failure says the branch is already there and that running
// the same command again finishes the release (it finds the branch and any PR it opened).
func publish(ctx context.Context, f forge.Forge, plan *release.Plan, existing *forge.PullRequest, res *Result) (*Result, error) {
	pub, err := release.Publish(ctx, f, plan, existing)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s is pushed, but its pull request could not be published: %w; re-run the same command to finish the release", plan.Branch, err)
	}
	res.Action, res.PR = pub.Action, pub.PR
	return res, nil
}

// TemplateSet reads overrides from .gito.yaml's templates directory, by default
// .gito/templates; a file missing there falls back to the embedded template.
func TemplateSet(ws *workspace.Workspace) templates.Set {
	dir := ws.Config.Templates
	if dir == "" {
		dir = config.DefaultTemplatesDir
	}
	return templates.Set{OverrideDir: ws.Abs(dir), OverrideName: dir}
}

// committer adapts a gitrepo snapshot to release.Committer.
type committer struct {
	snap       *gitrepo.Snapshot
	signingKey string
}

func (c committer) Path() string { return c.snap.Path() }

func (c committer) Commit(ctx context.Context, message string, paths []string) (string, error) {
	return c.snap.Commit(ctx, gitrepo.CommitOptions{Message: message, Paths: paths, SigningKey: c.signingKey})
}

// forgeOnlyFlags names the flags given that only a pull request can carry.
func (req Request) forgeOnlyFlags() []string {
	var names []string
	if len(req.Labels) > 0 {
		names = append(names, "--label")
	}
	if len(req.Reviewers) > 0 {
		names = append(names, "--reviewer")
	}
	if req.Draft {
		names = append(names, "--draft")
	}
	if req.AutoMerge {
		names = append(names, "--auto-merge")
	}
	return names
}

func (req Request) warnWriter() io.Writer {
	if req.Warn == nil {
		return io.Discard
	}
	return req.Warn
}

func progressFunc(w io.Writer) func(format string, args ...any) {
	return func(format string, args ...any) {
		if w != nil {
			fmt.Fprintf(w, format+"\n", args...)
		}
	}
}
