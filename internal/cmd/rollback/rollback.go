// Package rollback implements `gito rollback`.
package rollback

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmd/shared"
	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/pipeline"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/tui/picker"
	"github.com/gito-dev/gito/internal/workspace"
)

// RollbackOptions is what `gito rollback` needs.
type RollbackOptions struct {
	IO         *iostreams.IOStreams
	Getenv     func(string) string
	HTTPClient func() (*http.Client, error)
	Now        func() time.Time // the clock locks, freezes and gates are evaluated at

	shared.ReleaseFlags
	Wait  shared.WaitFlags
	To    string
	Steps int
	Hold  bool // also lock (service, env) in the same pull request
	// Interactive is set when neither --to nor --steps was given on a terminal.
	Interactive bool
}

// NewCmdRollback builds `gito rollback`.
func NewCmdRollback(f *cmdutil.Factory, runF func(*RollbackOptions) error) *cobra.Command {
	opts := &RollbackOptions{IO: f.IOStreams, Getenv: f.Getenv, HTTPClient: f.HTTPClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "rollback --service S --env E [--to V | --steps N]",
		Short: "Open the pull request that restores an earlier release of an overlay",
		Long: `Restore the exact image reference (tag and digest) of an earlier release through the same
pipeline as release: edit, render check, sign, commit on gito/<env>/<service>, push, and open
or update the pull request, with a rollback title and body.

On a terminal without --to or --steps, a picker lists the overlay's history: move with the
arrow keys, type to filter, Enter to choose and confirm, Esc or q to cancel (exit 130).
Without a terminal, --to or --steps is required.

For an environment group (environments.E.group) the rollback edits every member's overlay
in one commit and one pull request. It chooses among the versions every member has run,
newest first as the first member ran them; --steps counts back from the version all
members run now, and is refused when they run different ones.`,
		Example: `  gito rollback -s api -e prod                     # pick in a terminal UI
  gito rollback -s api -e prod --to v2.3.0 --yes   # a specific version
  gito rollback -s api -e prod --steps 1 --json    # the release before the current one`,
		Args:              cmdutil.NoArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.ReleaseFlags.Validate(opts.Getenv); err != nil {
				return err
			}
			if err := opts.Wait.Validate(); err != nil {
				return err
			}
			if err := cmdutil.MutuallyExclusive("--to and --steps cannot be combined", opts.To != "", cmd.Flags().Changed("steps")); err != nil {
				return err
			}
			if cmd.Flags().Changed("steps") && opts.Steps < 1 {
				return exitcode.FlagErrorf("--steps must be 1 or more, got %d", opts.Steps)
			}
			if opts.To != "" {
				if _, err := config.ParseVersion("--to", opts.To); err != nil {
					return &exitcode.FlagError{Err: err}
				}
			}
			if opts.To == "" && !cmd.Flags().Changed("steps") {
				if !opts.IO.CanPrompt() || opts.JSON {
					return exitcode.FlagErrorf("--to or --steps is required when not running interactively")
				}
				opts.Interactive = true
			}
			if runF != nil {
				return runF(opts)
			}
			return rollbackRun(cmd.Context(), opts)
		},
	}
	shared.AddReleaseFlags(cmd, &opts.ReleaseFlags)
	shared.AddWaitFlags(cmd, &opts.Wait)
	cmd.Flags().StringVar(&opts.To, "to", "", "Version to roll back to: TAG or TAG@sha256:DIGEST from the history")
	cmd.Flags().IntVar(&opts.Steps, "steps", 0, "Roll back this many releases (1: the one before the current)")
	cmd.Flags().BoolVar(&opts.Hold, "hold", false, "Also lock the service in the environment (.gito/locks.yaml, same pull request), so no release overwrites the rollback")
	shared.RegisterCompletions(cmd, shared.CompletionDeps{Getenv: f.Getenv, Repo: func() string { return opts.Repo }})
	return cmd
}

func rollbackRun(ctx context.Context, opts *RollbackOptions) error {
	req := shared.NewRequest(opts.IO, opts.Getenv, opts.HTTPClient, opts.ReleaseFlags)
	req.Now = opts.Now
	req.Rollback = true
	req.Hold = opts.Hold
	var (
		chosen history.Release
		ws     *workspace.Workspace
		err    error
	)
	if opts.Interactive {
		chosen, ws, err = pick(ctx, opts, req)
	} else {
		chosen, ws, err = choose(ctx, opts, req)
	}
	if ws != nil {
		defer ws.Close()
	}
	if err != nil {
		return err
	}
	req.Workspace = ws
	req.Version = config.Version{Tag: chosen.Version, Digest: chosen.Digest}
	if req.Version.Tag == "" {
		return fmt.Errorf("release %s pins %s by digest only; roll back with gito release --version TAG@%s", shortSHA(chosen.Commit), opts.Service, chosen.Digest)
	}
	if opts.Interactive {
		req.Confirm = nil // the picker's confirmation screen was the question
	}
	return shared.Deliver(ctx, opts.IO, req, opts.JSON, opts.Wait)
}

// choose resolves --to or --steps against the history.
func choose(ctx context.Context, opts *RollbackOptions, req pipeline.Request) (history.Release, *workspace.Workspace, error) {
	ws, err := pipeline.Open(ctx, req)
	if err != nil {
		return history.Release{}, nil, err
	}
	opts.Service = ws.Service // the repo's one service when -s was not given
	c, err := loadCandidates(ctx, ws, opts.Service, opts.Env)
	if err != nil {
		return history.Release{}, ws, err
	}
	var r history.Release
	if opts.To != "" {
		r, err = c.find(opts.To)
	} else {
		r, err = c.previous(opts.Steps)
	}
	if err != nil {
		return history.Release{}, ws, fmt.Errorf("%s in %s: %w", opts.Service, opts.Env, err)
	}
	return r, ws, nil
}

// candidates are the releases a rollback of one env chooses from: the overlay's history,
// or for an environment group the versions every member has run (history.Group.Common), so
// that one version can go into every member's overlay.
type candidates struct {
	releases []history.Release
	group    *history.Group // set for an environment group
}

func loadCandidates(ctx context.Context, ws *workspace.Workspace, service, env string) (candidates, error) {
	if !ws.Config.IsGroup(env) {
		releases, err := pipeline.LoadHistory(ctx, ws, service, env, 0)
		return candidates{releases: releases}, err
	}
	g, err := pipeline.LoadGroupHistory(ctx, ws, service, env)
	if err != nil {
		return candidates{}, err
	}
	return candidates{releases: g.Common(), group: &g}, nil
}

func (c candidates) find(version string) (history.Release, error) {
	if c.group != nil {
		return c.group.Find(version)
	}
	return history.Find(c.releases, version)
}

func (c candidates) previous(steps int) (history.Release, error) {
	if c.group != nil {
		return c.group.Previous(steps)
	}
	return history.Previous(c.releases, steps)
}

// pick runs the picker. The workspace is opened inside the picker's load command, so the
// spinner shows while the repo is fetched and the history read.
func pick(ctx context.Context, opts *RollbackOptions, req pipeline.Request) (history.Release, *workspace.Workspace, error) {
	l := newLoader(ctx)
	var group atomic.Pointer[history.Group] // set by the load for an environment group
	load := picker.LoadServiceReleases(func() (string, []history.Release, error) {
		releases, err := l.run(func(ctx context.Context) (*workspace.Workspace, []history.Release, error) {
			quiet := req
			quiet.Progress = nil // the picker's spinner shows the load; progress lines would tear it
			ws, err := pipeline.Open(ctx, quiet)
			if err != nil {
				return nil, nil, err
			}
			c, err := loadCandidates(ctx, ws, ws.Service, opts.Env)
			group.Store(c.group)
			return ws, c.releases, err
		})
		return l.service(opts.Service), releases, err // the repo's one service when -s was not given
	})
	in, out := opts.IO.TerminalFiles()
	proposals := map[string]picker.Proposal{} // by commit: the confirmation is redrawn often
	m := picker.New(picker.Options{
		Service: opts.Service, Env: opts.Env, Load: load,
		Describe: func(r history.Release) picker.Proposal {
			p, ok := proposals[r.Commit]
			if !ok {
				ws, releases := l.loaded()
				p = propose(ws, releases, group.Load(), l.service(opts.Service), opts.Env, r)
				proposals[r.Commit] = p
			}
			return p
		},
		Styles: picker.NewStyles(opts.IO.ColorEnabled()),
		KeyMap: picker.DefaultKeyMap(),
	})
	r, err := picker.Run(ctx, in, out, m)
	ws := l.finish()
	opts.Service = l.service(opts.Service)
	switch {
	case errors.Is(err, picker.ErrCancelled):
		return r, ws, exitcode.ErrCancel
	case errors.Is(err, picker.ErrNothingToRollBack):
		return r, ws, fmt.Errorf("%s in %s has no earlier release to roll back to", opts.Service, opts.Env)
	case err != nil:
		return r, ws, err
	}
	return r, ws, nil
}

// propose says what confirming a rollback to r does: the pull-request sentence of the
// terminal question and the dry run, and the title rendered from rollback-title.tmpl (the
// repo's override or the default) with what is known before the plan. For a group, "from"
// is what its members run (several versions when they differ), as the group's plan says.
func propose(ws *workspace.Workspace, releases []history.Release, group *history.Group, service, env string, r history.Release) picker.Proposal {
	hasForge := ws != nil && ws.HasForge()
	p := picker.Proposal{Branch: release.BranchName(env, service), PullRequest: shared.PullRequestPhrase(hasForge, nil)}
	if !hasForge {
		return p
	}
	from := "(not released by gito)"
	for _, c := range releases {
		if c.Current {
			from = c.Ref()
		}
	}
	if group != nil && group.Running() != "" {
		from = group.Running()
	}
	title, err := release.RenderTitle(pipeline.TemplateSet(ws), release.TemplateData{
		Service: service, Env: env, From: from, To: r.Ref(),
		Branch: p.Branch, Base: ws.Base, Rollback: true,
	})
	if err != nil {
		title = "(" + err.Error() + ")"
	}
	p.Title = title
	return p
}

// loader runs the picker's load in the picker's goroutine and hands its workspace back once
// the picker is done: a user who quits while loading cancels the load, and the workspace it
// may still have opened is returned (and closed by the caller) rather than leaked.
type loader struct {
	ctx      context.Context
	cancel   context.CancelFunc
	mu       sync.Mutex
	started  bool
	ended    bool // finish was called: a load that starts now does nothing
	done     chan struct{}
	ws       *workspace.Workspace
	releases []history.Release
}

func newLoader(ctx context.Context) *loader {
	ctx, cancel := context.WithCancel(ctx)
	return &loader{ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

func (l *loader) run(load func(context.Context) (*workspace.Workspace, []history.Release, error)) ([]history.Release, error) {
	l.mu.Lock()
	if l.ended {
		l.mu.Unlock()
		return nil, context.Canceled
	}
	l.started = true
	l.mu.Unlock()
	defer close(l.done)
	ws, releases, err := load(l.ctx)
	l.mu.Lock()
	l.ws, l.releases = ws, releases
	l.mu.Unlock()
	return releases, err
}

// loaded is what the load has produced so far: the workspace (nil until opened) and history.
func (l *loader) loaded() (*workspace.Workspace, []history.Release) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ws, l.releases
}

// finish stops a load still running, waits for it, and returns its workspace (or nil).
func (l *loader) finish() *workspace.Workspace {
	l.mu.Lock()
	l.ended = true
	started := l.started
	l.mu.Unlock()
	if started {
		select {
		case <-l.done:
		default:
			l.cancel()
			<-l.done
		}
	}
	l.cancel()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ws
}

// service is the service the workspace resolved, or flag before it is open.
func (l *loader) service(flag string) string {
	if ws, _ := l.loaded(); ws != nil {
		return ws.Service
	}
	return flag
}

func shortSHA(s string) string {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}
