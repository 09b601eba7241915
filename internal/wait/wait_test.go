package wait

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/argocd"
	"github.com/gito-dev/gito/internal/forge"
)

const merge = "1111111111111111111111111111111111111111"

// script answers each poll with the next state; the last one repeats.
type script[T any] struct {
	mu     sync.Mutex
	states []T
	polls  int
	err    error
}

func (s *script[T]) next() T {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := min(s.polls, len(s.states)-1)
	s.polls++
	return s.states[i]
}

type prs struct{ script[string] }

func (p *prs) GetPR(_ context.Context, n int) (*forge.PullRequest, error) {
	st := p.next()
	pr := &forge.PullRequest{Number: n, State: st}
	if st == forge.StateMerged {
		pr.MergeCommit = merge
	}
	return pr, p.err
}

type apps struct{ script[argocd.Application] }

func (a *apps) Application(_ context.Context, name string) (*argocd.Application, error) {
	if a.err != nil {
		return nil, a.err
	}
	app := a.next()
	app.Name = name
	return &app, nil
}

// clock is a fake time: After advances it at once and records the pause.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	pauses []time.Duration
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.pauses = append(c.pauses, d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func options(p *prs, a *apps, c *clock, phases *[]string) Options {
	return Options{
		Until: UntilHealthy, PR: 7, Forge: p, Apps: a, App: "api-prod", AppPattern: "{service}-{env}",
		Timeout: time.Hour, Now: c.Now, After: c.After,
		Report: func(ph Phase) { *phases = append(*phases, ph.Name+": "+ph.Text) },
	}
}

func TestMergedSyncedHealthy(t *testing.T) {
	t.Parallel()
	p := &prs{script[string]{states: []string{"open", "open", "open", "merged"}}}
	a := &apps{script[argocd.Application]{states: []argocd.Application{
		{SyncStatus: "Synced", Revisions: []string{"2222222222222222222222222222222222222222"}, Health: "Healthy"},
		{SyncStatus: "OutOfSync", Revisions: []string{merge}, Health: "Healthy"},
		{SyncStatus: "Synced", Revisions: []string{merge}, Health: "Progressing"},
		{SyncStatus: "Synced", Revisions: []string{merge}, Health: "Healthy"},
	}}}
	c := &clock{now: time.Unix(0, 0)}
	var phases []string
	res, err := Run(t.Context(), options(p, a, c, &phases))
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Merged: true, MergeCommit: merge, Synced: true, Health: "Healthy", Seconds: 14.5}
	if *res != want {
		t.Errorf("result = %+v, want %+v", *res, want)
	}
	// backoff within a phase, back to the first interval when a phase begins
	if wantPauses := []time.Duration{2 * time.Second, 3 * time.Second, 4500 * time.Millisecond, 2 * time.Second, 3 * time.Second}; !slices.Equal(c.pauses, wantPauses) {
		t.Errorf("pauses = %v, want %v", c.pauses, wantPauses)
	}
	wantPhases := []string{
		"merging: waiting for pull request #7 to be merged",
		"syncing: merged as 111111111111; waiting for Argo CD application api-prod to sync it",
		"healthy-check: synced; waiting for api-prod to be Healthy",
		"done: api-prod is Healthy",
	}
	if !slices.Equal(phases, wantPhases) {
		t.Errorf("phases =\n%s\nwant\n%s", strings.Join(phases, "\n"), strings.Join(wantPhases, "\n"))
	}
}

func TestWaitEndsWithoutDeploying(t *testing.T) {
	t.Parallel()
	synced := argocd.Application{SyncStatus: "Synced", Revisions: []string{merge}}
	degraded := synced
	degraded.Health, degraded.Message = "Degraded", "Deployment api exceeded its progress deadline"
	progressing := synced
	progressing.Health, progressing.Message = "Progressing", "Waiting for rollout"
	tests := []struct {
		name    string
		pr      []string
		app     []argocd.Application
		until   string
		timeout time.Duration
		want    string
	}{
		{"closed", []string{"open", "closed"}, nil, UntilHealthy, time.Hour, "pull request #7 was closed without being merged"},
		{"degraded", []string{"merged"}, []argocd.Application{degraded}, UntilHealthy, time.Hour, "Argo CD application api-prod is Degraded: Deployment api exceeded its progress deadline"},
		{"timeout healthy", []string{"merged"}, []argocd.Application{progressing}, UntilHealthy, 10 * time.Second, "timed out after 10s: api-prod is Progressing: Waiting for rollout"},
		{"timeout merge", []string{"open"}, nil, UntilMerged, 5 * time.Second, "timed out after 5s: pull request #7 is still open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &clock{now: time.Unix(0, 0)}
			var phases []string
			o := options(&prs{script[string]{states: tt.pr}}, &apps{script[argocd.Application]{states: tt.app}}, c, &phases)
			o.Until, o.Timeout = tt.until, tt.timeout
			_, err := Run(t.Context(), o)
			var we *Error
			if !errors.As(err, &we) || we.Error() != tt.want {
				t.Fatalf("err = %v, want wait.Error %q", err, tt.want)
			}
			if tt.timeout < time.Hour && c.Now().Sub(time.Unix(0, 0)) != tt.timeout {
				t.Errorf("gave up after %v, want exactly the timeout %v", c.Now().Sub(time.Unix(0, 0)), tt.timeout)
			}
		})
	}
}

func TestMergedOnlyNeedsNoArgoCD(t *testing.T) {
	t.Parallel()
	c := &clock{now: time.Unix(0, 0)}
	var phases []string
	o := options(&prs{script[string]{states: []string{"merged"}}}, nil, c, &phases)
	o.Until, o.Apps = UntilMerged, nil
	res, err := Run(t.Context(), o)
	if err != nil || !res.Merged || res.MergeCommit != merge || res.Synced {
		t.Fatalf("Run = %+v, %v", res, err)
	}
}

func TestDescendantHoldingTheReleaseCounts(t *testing.T) {
	t.Parallel()
	later := "3333333333333333333333333333333333333333"
	c := &clock{now: time.Unix(0, 0)}
	var phases []string
	o := options(&prs{script[string]{states: []string{"merged"}}},
		&apps{script[argocd.Application]{states: []argocd.Application{{SyncStatus: "Synced", Revisions: []string{later}, Health: "Healthy"}}}}, c, &phases)
	var asked []string
	o.Holds = func(_ context.Context, m, rev string) (bool, error) {
		asked = append(asked, m[:4]+">"+rev[:4])
		return true, nil
	}
	if _, err := Run(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(asked, []string{"1111>3333"}) {
		t.Errorf("Holds asked %v", asked)
	}
}

func TestUnknownAppNamesThePattern(t *testing.T) {
	t.Parallel()
	c := &clock{now: time.Unix(0, 0)}
	var phases []string
	a := &apps{}
	a.err = &argocd.NotFoundError{App: "api-prod"}
	o := options(&prs{script[string]{states: []string{"merged"}}}, a, c, &phases)
	_, err := Run(t.Context(), o)
	if err == nil || err.Error() != `Argo CD has no Application "api-prod" (the name comes from argocd.app "{service}-{env}" in .gito.yaml)` {
		t.Fatalf("err = %v", err)
	}
}

// Cancelling ends the wait at once with the context's error (exit 130 in internal/app).
func TestCancelStopsWaiting(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	p := &prs{script[string]{states: []string{"open"}}}
	blocked := make(chan struct{})
	o := Options{Until: UntilHealthy, PR: 1, Forge: p, Timeout: time.Hour,
		After: func(time.Duration) <-chan time.Time { close(blocked); return nil }}
	done := make(chan error, 1)
	go func() { _, err := Run(ctx, o); done <- err }()
	<-blocked
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestParseUntil(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"", "merged", "synced", "healthy"} {
		if _, err := ParseUntil(ok); err != nil {
			t.Errorf("ParseUntil(%q): %v", ok, err)
		}
	}
	if _, err := ParseUntil("bogus"); err == nil || err.Error() != `--wait "bogus" is not one of merged, synced, healthy` {
		t.Errorf("ParseUntil(bogus) = %v", err)
	}
}
