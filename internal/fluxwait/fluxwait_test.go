package fluxwait_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gito-dev/gito/integration/fakekube"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/fluxwait"
	"github.com/gito-dev/gito/internal/kube"
	"github.com/gito-dev/gito/internal/wait"
)

const (
	merge   = "1111111111111111111111111111111111111111"
	later   = "2222222222222222222222222222222222222222"
	older   = "3333333333333333333333333333333333333333"
	limit   = time.Hour // the timeout a test fires by hand
	ns      = "flux-system"
	ksName  = "apps-prod"
	hrName  = "api"
	version = "1.4.0"
)

type harness struct {
	t       *testing.T
	s       *fakekube.Server
	opts    fluxwait.Options
	expire  chan time.Time
	mu      sync.Mutex
	phases  []string
	watches int
}

func newHarness(t *testing.T, token string) *harness {
	t.Helper()
	s := fakekube.New(t)
	s.AcceptToken("good-token")
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := fakekube.WriteKubeconfig(kc, "prod-eu-1", fakekube.Context{Name: "prod-eu-1", Server: s, Token: token}); err != nil {
		t.Fatal(err)
	}
	c, err := kube.Selection{Getenv: func(k string) string { return map[string]string{"KUBECONFIG": kc}[k] }}.Open("prod")
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, s: s, expire: make(chan time.Time)}
	h.opts = fluxwait.Options{
		Until: wait.UntilHealthy, MergeCommit: merge, Client: c.Dynamic, Cluster: c.Name,
		Target: fluxwait.Target{
			Kustomization: fluxwait.Ref{Namespace: ns, Name: ksName},
			Origin:        `flux.kustomization "apps-{env}" in .gito.yaml`,
		},
		Holds: func(_ context.Context, m, rev string) (bool, error) {
			return m == merge && rev == later, nil
		},
		Timeout: limit, Interval: time.Millisecond,
		After: func(d time.Duration) <-chan time.Time {
			if d == limit {
				return h.expire
			}
			return time.After(d)
		},
		Report: func(p wait.Phase) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.phases = append(h.phases, p.Text)
		},
	}
	return h
}

func (h *harness) ks(change func(*fakekube.Object)) {
	h.s.Set(fakekube.Kustomization, ns, ksName, change)
}

func (h *harness) hr(change func(*fakekube.Object)) {
	h.s.Set(fakekube.HelmRelease, "apps", hrName, change)
}

// start runs the waiter; the returned function waits for its result.
func (h *harness) start() func() (*wait.Result, error) {
	type out struct {
		r   *wait.Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		r, err := fluxwait.Run(context.Background(), h.opts)
		done <- out{r, err}
	}()
	return func() (*wait.Result, error) {
		select {
		case o := <-done:
			return o.r, o.err
		case <-time.After(30 * time.Second):
			h.t.Fatal("the waiter did not return")
			return nil, nil
		}
	}
}

// awaitWatch blocks until the waiter has opened one more watch than before.
func (h *harness) awaitWatch() {
	h.t.Helper()
	h.watches++
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.s.AwaitWatches(ctx, h.watches); err != nil {
		h.t.Fatal(err)
	}
}

func applied(rev string, ready, reason, msg string) func(*fakekube.Object) {
	return func(o *fakekube.Object) {
		o.LastAppliedRevision, o.LastAttemptedRevision = rev, rev
		o.SetCondition(fakekube.Condition{Type: "Ready", Status: ready, Reason: reason, Message: msg})
	}
}

func TestSyncedThenHealthyThroughTheWatch(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "good-token")
	h.ks(applied("main@sha1:"+older, "True", "ReconciliationSucceeded", "Applied revision: main@sha1:"+older))
	result := h.start()
	h.awaitWatch()
	h.ks(applied("main@sha1:"+merge, "Unknown", "Progressing", "Reconciliation in progress"))
	h.awaitWatch() // applied: the Ready phase opens its own watch
	h.ks(applied("main@sha1:"+merge, "False", "DependencyNotReady", "dependency 'flux-system/infra' is not ready"))
	h.ks(applied("main@sha1:"+merge, "True", "ReconciliationSucceeded", "Applied revision: main@sha1:"+merge))
	r, err := result()
	if err != nil {
		t.Fatal(err)
	}
	if !r.Synced || r.Health != "Healthy" || r.MergeCommit != merge {
		t.Errorf("result = %+v", r)
	}
	want := []string{
		"merged as 111111111111; waiting for Flux Kustomization flux-system/apps-prod on prod-eu-1 to apply it",
		"applied; waiting for Kustomization flux-system/apps-prod to be Ready",
		"flux-system/apps-prod is Ready",
	}
	if strings.Join(h.phases, "\n") != strings.Join(want, "\n") {
		t.Errorf("phases:\n%s\nwant:\n%s", strings.Join(h.phases, "\n"), strings.Join(want, "\n"))
	}
}

// --wait=synced stops at the applied revision; the older "main/<sha>" form counts too, and
// so does a later commit that holds the release.
func TestSyncedRevisionForms(t *testing.T) {
	t.Parallel()
	for _, rev := range []string{"main/" + merge, "main@sha1:" + later, "refs/heads/main@sha1:" + merge[:12]} {
		h := newHarness(t, "good-token")
		h.opts.Until = wait.UntilSynced
		h.ks(applied(rev, "False", "Progressing", "health check in progress"))
		r, err := h.start()()
		if err != nil || !r.Synced || r.Health != "" {
			t.Errorf("%s: result %+v, err %v", rev, r, err)
		}
	}
}

// A revision that does not descend from the merge never counts: the wait times out, naming
// what the Kustomization last applied.
func TestOlderRevisionTimesOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "good-token")
	h.ks(applied("main@sha1:"+older, "True", "ReconciliationSucceeded", "ok"))
	result := h.start()
	h.awaitWatch()
	close(h.expire)
	r, err := result()
	var we *wait.Error
	if !errors.As(err, &we) || !we.Timeout {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if !strings.Contains(err.Error(), "timed out after 1h0m0s: Kustomization flux-system/apps-prod last applied main@sha1:"+older) {
		t.Errorf("err = %v", err)
	}
	if r.Synced {
		t.Errorf("synced on an older revision")
	}
}

func TestFailuresEndTheWait(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(*fakekube.Object)
		want   string
	}{
		{"health check", applied("main@sha1:"+merge, "False", "HealthCheckFailed", "Deployment/api not ready"),
			"Flux Kustomization flux-system/apps-prod failed at main@sha1:" + merge + ": HealthCheckFailed: Deployment/api not ready"},
		{"build", func(o *fakekube.Object) {
			o.LastAppliedRevision, o.LastAttemptedRevision = "main@sha1:"+older, "main@sha1:"+merge
			o.SetCondition(fakekube.Condition{Type: "Ready", Status: "False", Reason: "BuildFailed", Message: "kustomize build failed"})
		}, "failed at main@sha1:" + merge + ": BuildFailed: kustomize build failed"},
		{"stalled", func(o *fakekube.Object) {
			o.SetCondition(fakekube.Condition{Type: "Stalled", Status: "True", Reason: "InvalidPath", Message: "path not found"})
		}, "Flux Kustomization flux-system/apps-prod is stalled: InvalidPath: path not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "good-token")
			h.ks(applied("main@sha1:"+older, "True", "ReconciliationSucceeded", "ok"))
			result := h.start()
			h.awaitWatch()
			h.ks(c.change)
			_, err := result()
			var we *wait.Error
			if !errors.As(err, &we) || we.Timeout || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// A failure of an older revision is not this release's: it keeps waiting.
func TestOlderFailureKeepsWaiting(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "good-token")
	h.ks(applied("main@sha1:"+older, "False", "HealthCheckFailed", "old failure"))
	result := h.start()
	h.awaitWatch()
	h.ks(applied("main@sha1:"+merge, "True", "ReconciliationSucceeded", "ok"))
	if _, err := result(); err != nil {
		t.Fatal(err)
	}
}

func TestHelmReleaseChartVersion(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "good-token")
	h.opts.Target.HelmReleases = []fluxwait.HelmRelease{{Ref: fluxwait.Ref{Namespace: "apps", Name: hrName}, ChartVersion: version}}
	h.ks(applied("main@sha1:"+merge, "True", "ReconciliationSucceeded", "ok"))
	h.hr(func(o *fakekube.Object) {
		o.ChartVersion = "1.3.0"
		o.SetCondition(fakekube.Condition{Type: "Ready", Status: "True", Reason: "UpgradeSucceeded"})
	})
	result := h.start()
	h.awaitWatch() // the Kustomization was Ready at once; this is the HelmRelease's watch
	if got := h.s.Reads(fakekube.HelmRelease, "apps", hrName); got < 2 {
		t.Fatalf("HelmRelease read %d times", got)
	}
	h.hr(func(o *fakekube.Object) {
		o.ChartVersion = version
		o.SetCondition(fakekube.Condition{Type: "Ready", Status: "True", Reason: "UpgradeSucceeded"})
	})
	r, err := result()
	if err != nil || r.Health != "Healthy" {
		t.Fatalf("result %+v, err %v", r, err)
	}
	if got := h.phases[len(h.phases)-2]; got != "waiting for HelmRelease apps/api to be Ready with chart 1.4.0" {
		t.Errorf("phase %q", got)
	}
}

func TestHelmReleaseUpgradeFailed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "good-token")
	h.opts.Target.HelmReleases = []fluxwait.HelmRelease{{Ref: fluxwait.Ref{Namespace: "apps", Name: hrName}, ChartVersion: version}}
	h.ks(applied("main@sha1:"+merge, "True", "ReconciliationSucceeded", "ok"))
	h.hr(func(o *fakekube.Object) {
		o.ChartVersion, o.LastAttemptedRevision = version, version
		o.SetCondition(fakekube.Condition{Type: "Ready", Status: "False", Reason: "UpgradeFailed", Message: "timed out waiting for the condition"})
	})
	_, err := h.start()()
	if err == nil || !strings.Contains(err.Error(), "Flux HelmRelease apps/api did not deploy chart 1.4.0: UpgradeFailed: timed out waiting for the condition") {
		t.Fatalf("err = %v", err)
	}
}

// 410 Gone relists; a watch the server closes is reopened; the release is still seen.
func TestWatchExpiresAndCloses(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "good-token")
	h.ks(applied("main@sha1:"+older, "True", "ReconciliationSucceeded", "ok"))
	result := h.start()
	h.awaitWatch()
	h.s.CloseWatches()
	h.awaitWatch()
	lists := h.s.Reads(fakekube.Kustomization, ns, ksName)
	h.s.Compact()
	h.awaitWatch()
	if got := h.s.Reads(fakekube.Kustomization, ns, ksName); got < lists+2 {
		t.Errorf("after 410: %d reads, want a relist and a new watch (more than %d)", got, lists+1)
	}
	h.ks(applied("main@sha1:"+merge, "True", "ReconciliationSucceeded", "ok"))
	if _, err := result(); err != nil {
		t.Fatal(err)
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "wrong-token")
	_, err := h.start()()
	if exitcode.Code(err) != exitcode.Auth || !strings.Contains(err.Error(), "cluster prod-eu-1 refused the credential") || strings.Contains(err.Error(), "wrong-token") {
		t.Errorf("401: %v (code %d)", err, exitcode.Code(err))
	}

	h = newHarness(t, "good-token")
	h.ks(func(o *fakekube.Object) { o.Forbidden = true })
	_, err = h.start()()
	if exitcode.Code(err) != exitcode.Auth || !strings.Contains(err.Error(), "may not read Kustomization flux-system/apps-prod (403)") {
		t.Errorf("403: %v", err)
	}

	h = newHarness(t, "good-token")
	_, err = h.start()()
	if err == nil || err.Error() != `flux: cluster prod-eu-1 has no Kustomization flux-system/apps-prod (the name comes from flux.kustomization "apps-{env}" in .gito.yaml)` {
		t.Errorf("404: %v", err)
	}
}

func TestRevisionCommit(t *testing.T) {
	t.Parallel()
	for rev, want := range map[string]string{
		"main@sha1:" + merge:            merge,
		"main/" + merge:                 merge,
		"sha1:" + merge:                 merge,
		"refs/heads/main@sha1:ABCDEF12": "abcdef12",
		"v1.2.3":                        "",
		"main@sha1:":                    "",
		"":                              "",
	} {
		if got := fluxwait.RevisionCommit(rev); got != want {
			t.Errorf("RevisionCommit(%q) = %q, want %q", rev, got, want)
		}
	}
}

// A cluster that will not watch is polled (with back-off) until the release is there.
func TestPollsWhenWatchIsRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "good-token")
	h.s.RefuseWatch()
	h.ks(applied("main@sha1:"+older, "True", "ReconciliationSucceeded", "ok"))
	result := h.start()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// the first list, the refused watch, then lists only
	if err := h.s.AwaitReads(ctx, fakekube.Kustomization, ns, ksName, 4); err != nil {
		t.Fatal(err)
	}
	h.ks(applied("main@sha1:"+merge, "True", "ReconciliationSucceeded", "ok"))
	r, err := result()
	if err != nil || r.Health != "Healthy" {
		t.Fatalf("result %+v, err %v", r, err)
	}
	if h.s.Reads(fakekube.Kustomization, ns, ksName) < 5 {
		t.Errorf("not polled")
	}
}
