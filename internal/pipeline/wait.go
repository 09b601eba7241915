package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gito-dev/gito/internal/argocd"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/wait"
	"github.com/gito-dev/gito/internal/workspace"
)

// Waiter follows one published release. PrepareWait builds it before the first write, so a
// missing forge, Argo CD server, token or Application refuses while nothing is pushed.
type Waiter struct {
	ws       *workspace.Workspace
	opts     WaitOptions
	apps     []string
	pattern  string
	client   *argocd.Client
	interval time.Duration
	flux     []fluxEnv // set when .gito.yaml has flux: Flux, not Argo CD, is followed
}

// WaitOptions are --wait, --timeout and where progress goes.
type WaitOptions struct {
	Until   string // merged, synced or healthy
	Timeout time.Duration
	Report  func(wait.Phase)
	// KubeContext is --kube-context: the Flux cluster of every env.
	KubeContext string
}

// PrepareWait checks that the release can be followed: a forge to read the PR from and,
// past merged, the Argo CD Application of every env (one per group member).
func PrepareWait(ctx context.Context, req Request, ws *workspace.Workspace, o WaitOptions, service string, envs []string) (*Waiter, error) {
	if !ws.HasForge() {
		return nil, exitcode.FlagErrorf("--wait follows the pull request, and this repo has no forge (forge.type none or a file remote)")
	}
	w := &Waiter{ws: ws, opts: o, pattern: ws.Config.ArgoCD.AppPattern(), interval: 2 * time.Second}
	if s := req.Getenv("GITO_WAIT_INTERVAL"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("GITO_WAIT_INTERVAL %q is not a positive duration", s)
		}
		w.interval = d
	}
	if o.Until == wait.UntilMerged {
		return w, nil
	}
	user, err := config.LoadUser(req.Getenv)
	if err != nil {
		return nil, err
	}
	if ws.Config.Flux.Enabled() {
		if err := w.prepareFlux(ctx, req, user, service, envs); err != nil {
			return nil, err
		}
		return w, nil
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
// that will not deploy is a *exitcode.WaitError (exit 5); res.Wait holds how far it got.
func (w *Waiter) Wait(ctx context.Context, res *Result) error {
	f, err := w.ws.Forge(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	deadline := start.Add(w.opts.Timeout)
	opts := wait.Options{Until: w.opts.Until, Forge: f, Interval: w.interval, Limit: w.opts.Timeout, Report: w.opts.Report, Holds: w.holds(res.Plan)}
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
			return &exitcode.WaitError{Err: err}
		}
		if err != nil && ctx.Err() != nil {
			return exitcode.ErrCancel
		}
		return err
	}
	if len(w.flux) > 0 {
		return w.waitFlux(ctx, res, opts, deadline, finish)
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
			if err := w.ws.Repo.Fetch(ctx); err != nil {
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
