package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gito-dev/gito/internal/argocd"
	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/wait"
	"github.com/gito-dev/gito/internal/workspace"
)

// Deliver runs the release and, with --wait, follows it until it runs: the output (the PR
// URL, or JSON with a "wait" object) and the exit code say how far it got.
func Deliver(ctx context.Context, req Request, fl cmdutil.WaitFlags) error {
	if fl.Until == "" || req.Flags.DryRun {
		res, err := Run(ctx, req)
		if err != nil {
			return err
		}
		return Print(req.IO, req.Flags.JSON, res)
	}
	if req.Workspace == nil {
		ws, err := Open(ctx, req)
		if err != nil {
			return err
		}
		defer ws.Close()
		req.Workspace = ws
	}
	w, err := PrepareWait(ctx, req, req.Workspace, fl, req.Flags.Service, req.Workspace.Config.Members(req.Flags.Env))
	if err != nil {
		return err
	}
	res, err := Run(ctx, req)
	if err != nil {
		return err
	}
	if !req.Flags.JSON {
		if err := Print(req.IO, false, res); err != nil {
			return err
		}
	}
	werr := w.Wait(ctx, res)
	if req.Flags.JSON && ctx.Err() == nil {
		if err := Print(req.IO, true, res); err != nil {
			return err
		}
	}
	return werr
}

// Waiter follows one published release. PrepareWait builds it before the first write, so a
// missing forge, Argo CD server, token or Application refuses while nothing is pushed.
type Waiter struct {
	req      Request
	ws       *workspace.Workspace
	fl       cmdutil.WaitFlags
	apps     []string
	pattern  string
	client   *argocd.Client
	interval time.Duration
}

// PrepareWait checks that the release can be followed: a forge to read the PR from and,
// past merged, the Argo CD Application of every env (one per group member).
func PrepareWait(ctx context.Context, req Request, ws *workspace.Workspace, fl cmdutil.WaitFlags, service string, envs []string) (*Waiter, error) {
	if !ws.HasForge() {
		return nil, cmdutil.FlagErrorf("--wait follows the pull request, and this repo has no forge (forge.type none or a file remote)")
	}
	w := &Waiter{req: req, ws: ws, fl: fl, pattern: ws.Config.ArgoCD.AppPattern(), interval: 2 * time.Second}
	if s := req.Getenv("GITO_WAIT_INTERVAL"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("GITO_WAIT_INTERVAL %q is not a positive duration", s)
		}
		w.interval = d
	}
	if fl.Until == wait.UntilMerged {
		return w, nil
	}
	user, err := config.LoadUser(req.Getenv)
	if err != nil {
		return nil, err
	}
	server, err := argocd.ResolveServer(ws.Config.ArgoCD, user.ArgoCD, req.Getenv, config.UserConfigPath(req.Getenv))
	if err != nil {
		return nil, err
	}
	hc, err := req.HTTPClient()
	if err != nil {
		return nil, err
	}
	if w.client, err = argocd.New(server, req.Getenv("ARGOCD_AUTH_TOKEN"), hc); err != nil {
		return nil, err
	}
	for _, env := range envs {
		name := ws.Config.ArgoCD.AppName(service, env)
		if _, err := w.client.Application(ctx, name); err != nil {
			var nf *argocd.NotFoundError
			if errors.As(err, &nf) {
				return nil, fmt.Errorf("--wait: %w on %s (the name comes from argocd.app %q in %s)", err, server.URL.Host, w.pattern, config.FileName)
			}
			return nil, fmt.Errorf("--wait: %w", err)
		}
		w.apps = append(w.apps, name)
	}
	return w, nil
}

// Wait follows res until the flags' target: the PR merged, then each Application synced at
// the merge commit (or a later commit that still holds the release) and Healthy. A release
// that will not deploy is a *cmdutil.WaitError (exit 5); res.Wait holds how far it got.
func (w *Waiter) Wait(ctx context.Context, res *Result) error {
	f, err := w.ws.Forge(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	deadline := start.Add(w.fl.Timeout)
	rep := newWaitReporter(w.req.IO)
	defer rep.stop()
	opts := wait.Options{Until: w.fl.Until, Forge: f, Interval: w.interval, Limit: w.fl.Timeout, Report: rep.phase, Holds: w.holds(res.Plan)}
	if res.PR != nil {
		opts.PR = res.PR.Number
	} else {
		// Nothing to merge: the base already holds the release.
		sha, _, err := w.ws.Repo.RemoteBranchSHA(ctx, w.ws.Base)
		if err != nil {
			return err
		}
		opts.Commit = sha
	}
	total := &wait.Result{}
	res.Wait = total
	finish := func(r *wait.Result, err error) error {
		if r != nil {
			total.Merged, total.MergeCommit = r.Merged, r.MergeCommit
			total.Synced, total.Health = r.Synced, r.Health
		}
		total.Seconds = float64(time.Since(start).Milliseconds()) / 1000
		var we *wait.Error
		if errors.As(err, &we) {
			return &cmdutil.WaitError{Err: err}
		}
		if err != nil && ctx.Err() != nil {
			return cmdutil.ErrCancel
		}
		return err
	}
	if len(w.apps) == 0 {
		opts.Timeout = time.Until(deadline)
		return finish(wait.Run(ctx, opts))
	}
	for i, app := range w.apps {
		opts.Apps, opts.App, opts.AppPattern = w.client, app, w.pattern
		opts.Timeout = time.Until(deadline)
		r, err := wait.Run(ctx, opts)
		if err := finish(r, err); err != nil || i == len(w.apps)-1 {
			return err
		}
		// Later members: the PR is already merged.
		opts.PR, opts.Commit = 0, r.MergeCommit
	}
	return nil
}

// holds accepts a later commit than the merge when it descends from it and still carries
// every file the release wrote, byte for byte.
func (w *Waiter) holds(p *release.Plan) func(ctx context.Context, merge, rev string) (bool, error) {
	refreshed := false
	return func(ctx context.Context, merge, rev string) (bool, error) {
		ok, err := w.ws.Repo.IsAncestor(ctx, merge, rev)
		if err == nil && !ok && !refreshed {
			refreshed = true
			if err := w.ws.Repo.Refresh(ctx); err != nil {
				return false, err
			}
			ok, err = w.ws.Repo.IsAncestor(ctx, merge, rev)
		}
		if err != nil || !ok || p == nil {
			return ok, err
		}
		var specs []string
		for _, f := range p.Files {
			specs = append(specs, rev+":"+f.Path)
		}
		if len(specs) == 0 {
			return true, nil
		}
		blobs, err := w.ws.Repo.ReadBlobs(ctx, specs)
		if err != nil {
			return false, err
		}
		for _, f := range p.Files {
			if !bytes.Equal(blobs[rev+":"+f.Path], f.After) {
				return false, nil
			}
		}
		return true, nil
	}
}
