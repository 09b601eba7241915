// Package wait follows a release after its pull request: until the PR is merged, then until
// the Argo CD Application has synced the merge commit, then until it is Healthy. It polls
// with backoff and changes nothing, so cancelling it at any point is safe.
package wait

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gito-dev/gito/internal/argocd"
	"github.com/gito-dev/gito/internal/forge"
)

// Targets --wait accepts, in the order they are reached.
const (
	UntilMerged  = "merged"
	UntilSynced  = "synced"
	UntilHealthy = "healthy"
)

// ParseUntil validates a --wait value; "" is not waiting.
func ParseUntil(s string) (string, error) {
	switch s {
	case "", UntilMerged, UntilSynced, UntilHealthy:
		return s, nil
	}
	return "", fmt.Errorf("--wait %q is not one of merged, synced, healthy", s)
}

// PRSource reads a pull request in any state (forge.Forge satisfies it).
type PRSource interface {
	GetPR(ctx context.Context, number int) (*forge.PullRequest, error)
}

// AppSource reads an Argo CD Application (*argocd.Client satisfies it).
type AppSource interface {
	Application(ctx context.Context, name string) (*argocd.Application, error)
}

// Options says what to wait for.
type Options struct {
	Until string
	// PR is the release's pull request; 0 when there is none (the base already holds the
	// release), and Commit is then the base commit to see synced.
	PR     int
	Forge  PRSource
	Commit string

	Apps AppSource
	App  string
	// AppPattern is the argocd.app pattern, named when the Application does not exist.
	AppPattern string
	// Holds reports whether revision, a commit that is not the merge commit, descends from
	// it and still holds the release (Argo CD may sync a later commit). Nil: only the
	// merge commit itself counts.
	Holds func(ctx context.Context, mergeCommit, revision string) (bool, error)

	Timeout time.Duration
	// Limit is the --timeout the user gave, named when it passes (default Timeout; a group
	// waits for several apps within one limit).
	Limit       time.Duration
	Interval    time.Duration // first poll interval; default 2s
	MaxInterval time.Duration // backoff ceiling; default 30s
	Now         func() time.Time
	// After is time.After; tests make time pass without sleeping.
	After func(d time.Duration) <-chan time.Time
	// Report is told each phase as it begins (and "done" at the end).
	Report func(Phase)
}

// Phase is one step of the wait, for progress output.
type Phase struct {
	Name string // merging, syncing, healthy-check, done
	Text string // one human line
}

// Result is what --json reports under "wait".
type Result struct {
	Merged      bool    `json:"merged"`
	MergeCommit string  `json:"mergeCommit"`
	Synced      bool    `json:"synced"`
	Health      string  `json:"health"`
	Seconds     float64 `json:"seconds"`
}

type waiter struct {
	o        Options
	start    time.Time
	deadline time.Time
	interval time.Duration
	res      Result
	last     string // the state seen on the last poll, for the timeout message
}

// Run waits. It returns the result so far with every error: a *Error when the release will
// not deploy (closed unmerged, Degraded, timeout), the context's error when cancelled.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.After == nil {
		o.After = time.After
	}
	if o.Interval <= 0 {
		o.Interval = 2 * time.Second
	}
	if o.MaxInterval < o.Interval {
		o.MaxInterval = max(30*time.Second, o.Interval)
	}
	if o.Report == nil {
		o.Report = func(Phase) {}
	}
	w := &waiter{o: o, start: o.Now(), interval: o.Interval}
	if o.Timeout > 0 {
		w.deadline = w.start.Add(o.Timeout)
	}
	err := w.run(ctx)
	w.res.Seconds = float64(o.Now().Sub(w.start).Milliseconds()) / 1000
	return &w.res, err
}

func (w *waiter) run(ctx context.Context) error {
	if err := w.merged(ctx); err != nil || w.o.Until == UntilMerged {
		return err
	}
	if err := w.synced(ctx); err != nil || w.o.Until == UntilSynced {
		return err
	}
	return w.healthy(ctx)
}

func (w *waiter) merged(ctx context.Context) error {
	if w.o.PR == 0 {
		w.res.Merged, w.res.MergeCommit = true, w.o.Commit
		return nil
	}
	w.phase("merging", fmt.Sprintf("waiting for pull request #%d to be merged", w.o.PR))
	for {
		pr, err := w.o.Forge.GetPR(ctx, w.o.PR)
		if err != nil {
			return w.stopped(ctx, fmt.Errorf("wait for pull request #%d: %w", w.o.PR, err))
		}
		switch pr.State {
		case forge.StateMerged:
			w.res.Merged, w.res.MergeCommit = true, pr.MergeCommit
			if pr.MergeCommit == "" && w.o.Until != UntilMerged {
				return fmt.Errorf("pull request #%d is merged but the forge names no merge commit to look for in Argo CD", w.o.PR)
			}
			return nil
		case forge.StateClosed:
			return &Error{Reason: fmt.Sprintf("pull request #%d was closed without being merged", w.o.PR)}
		}
		w.last = fmt.Sprintf("pull request #%d is still open", w.o.PR)
		if err := w.pause(ctx); err != nil {
			return err
		}
	}
}

func (w *waiter) synced(ctx context.Context) error {
	w.phase("syncing", fmt.Sprintf("merged as %s; waiting for Argo CD application %s to sync it", short(w.res.MergeCommit), w.o.App))
	for {
		app, err := w.app(ctx)
		if err != nil {
			return err
		}
		ok, err := w.holdsRelease(ctx, app)
		if err != nil {
			return w.stopped(ctx, err)
		}
		if ok && app.SyncStatus == "Synced" {
			w.res.Synced, w.res.Health = true, app.Health
			return nil
		}
		w.last = fmt.Sprintf("%s is %s at %s", w.o.App, orUnknown(app.SyncStatus), short(firstOr(app.Revisions, "no revision")))
		if err := w.pause(ctx); err != nil {
			return err
		}
	}
}

func (w *waiter) healthy(ctx context.Context) error {
	w.phase("healthy-check", fmt.Sprintf("synced; waiting for %s to be Healthy", w.o.App))
	for {
		app, err := w.app(ctx)
		if err != nil {
			return err
		}
		w.res.Health = app.Health
		switch app.Health {
		case "Healthy":
			w.phase("done", fmt.Sprintf("%s is Healthy", w.o.App))
			return nil
		case "Degraded":
			return &Error{Reason: fmt.Sprintf("Argo CD application %s is Degraded%s", w.o.App, withMessage(app.Message))}
		}
		w.last = fmt.Sprintf("%s is %s%s", w.o.App, orUnknown(app.Health), withMessage(app.Message))
		if err := w.pause(ctx); err != nil {
			return err
		}
	}
}

// app reads the Application; a missing one names the argocd.app pattern that chose the name.
// A transient failure (5xx, 429, a refused, reset or dropped connection) is polled through
// with the same back-off until the timeout, which then names it.
func (w *waiter) app(ctx context.Context) (*argocd.Application, error) {
	for {
		app, err := w.o.Apps.Application(ctx, w.o.App)
		var (
			nf        *argocd.NotFoundError
			transient *argocd.TransientError
		)
		switch {
		case err == nil:
			return app, nil
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.As(err, &nf):
			return nil, fmt.Errorf("%w (the name comes from argocd.app %q in .gito.yaml)", err, w.o.AppPattern)
		case errors.As(err, &transient):
			w.last = transient.Error()
			if err := w.pause(ctx); err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
	}
}

func (w *waiter) holdsRelease(ctx context.Context, app *argocd.Application) (bool, error) {
	for _, rev := range app.Revisions {
		if sameCommit(rev, w.res.MergeCommit) {
			return true, nil
		}
	}
	if w.o.Holds == nil {
		return false, nil
	}
	for _, rev := range app.Revisions {
		if ok, err := w.o.Holds(ctx, w.res.MergeCommit, rev); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// pause waits for the next poll, backing off; the timeout and cancellation end it.
func (w *waiter) pause(ctx context.Context) error {
	d := w.interval
	w.interval = min(w.interval*3/2, w.o.MaxInterval)
	timedOut := false
	if !w.deadline.IsZero() {
		left := w.deadline.Sub(w.o.Now())
		if left <= 0 {
			return w.timeout()
		}
		if left < d {
			d, timedOut = left, true
		}
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-w.o.After(d):
	}
	if timedOut {
		return w.timeout()
	}
	return nil
}

func (w *waiter) timeout() error {
	limit := w.o.Limit
	if limit == 0 {
		limit = w.o.Timeout
	}
	return &Error{Reason: fmt.Sprintf("timed out after %s: %s", limit, w.last), Timeout: true}
}

// stopped prefers the cancellation to the error it caused.
func (w *waiter) stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (w *waiter) phase(name, text string) {
	w.interval = w.o.Interval // a new phase polls promptly again
	w.o.Report(Phase{Name: name, Text: text})
}

// Error means the release will not deploy as waited for: exit 5.
type Error struct {
	Reason  string
	Timeout bool
}

func (e *Error) Error() string { return e.Reason }

func sameCommit(a, b string) bool {
	if len(a) < 7 || len(b) < 7 {
		return false
	}
	n := min(len(a), len(b))
	return strings.EqualFold(a[:n], b[:n])
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func firstOr(s []string, def string) string {
	if len(s) == 0 || s[0] == "" {
		return def
	}
	return s[0]
}

func orUnknown(s string) string {
	if s == "" {
		return "Unknown"
	}
	return s
}

func withMessage(m string) string {
	if m == "" {
		return ""
	}
	return ": " + m
}
