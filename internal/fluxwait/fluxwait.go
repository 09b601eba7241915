// Package fluxwait follows a merged release until Flux runs it: the Kustomization that
// applies the overlay reports the merge commit (or a descendant still holding the release) as
// its last applied revision, then Ready=True there, and every HelmRelease the release edited
// is Ready at the released chart version. It watches each object with a resourceVersion,
// relists on 410 Gone, reconnects when a watch closes, and polls with back-off when the
// cluster will not watch. It changes nothing, so cancelling it at any point is safe.
package fluxwait

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"

	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/wait"
)

// The Flux APIs read: kustomize-controller's and helm-controller's current versions.
var (
	KustomizationGVR = schema.GroupVersionResource{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations"}
	HelmReleaseGVR   = schema.GroupVersionResource{Group: "helm.toolkit.fluxcd.io", Version: "v2", Resource: "helmreleases"}
)

// Ref names one namespaced object.
type Ref struct{ Namespace, Name string }

func (r Ref) String() string { return r.Namespace + "/" + r.Name }

// HelmRelease is a HelmRelease the release edited, and the chart version it must run.
type HelmRelease struct {
	Ref
	ChartVersion string
}

// Target is what applies one (service, env) in its cluster. .gito.yaml's flux key names it
// today; the repo inventory can hand the same thing from the Kustomizations it finds.
type Target struct {
	Kustomization Ref
	// Origin says where the Kustomization's name came from, for when it does not exist.
	Origin       string
	HelmReleases []HelmRelease
}

// Options say what to wait for, and where.
type Options struct {
	Until       string // wait.UntilSynced or wait.UntilHealthy
	MergeCommit string
	Target      Target
	Client      dynamic.Interface
	// Cluster names the cluster (its kube context) in messages.
	Cluster string
	// Holds reports whether revision, a commit other than the merge commit, descends from it
	// and still holds the release. Nil: only the merge commit itself counts.
	Holds func(ctx context.Context, mergeCommit, revision string) (bool, error)

	Timeout time.Duration
	// Limit is the --timeout named when it passes (default Timeout).
	Limit       time.Duration
	Interval    time.Duration // first poll or reconnect interval; default 2s
	MaxInterval time.Duration // back-off ceiling; default 30s
	// After is time.After; tests make time pass without sleeping.
	After  func(d time.Duration) <-chan time.Time
	Report func(wait.Phase)
}

// ErrAuth is wrapped by a 401 or 403 from the cluster: exit 4.
var ErrAuth = errors.New("kubernetes authentication failed")

type follower struct {
	o        Options
	interval time.Duration
	// timedOut is set when --timeout passes; the run's context is cancelled with it, so a
	// request hanging on the cluster ends too.
	timedOut atomic.Bool
	// watchFailed is set by a watch that ended with an error other than 410 Gone: the
	// relist that follows backs off first.
	watchFailed bool
	last        string
	// holds caches ancestry answers: a watch sees the same revision many times.
	holds map[string]bool
	res   wait.Result
}

// Run waits. It returns how far it got with every error: a *wait.Error when the release
// will not deploy (Stalled, a failure reason, timeout), the context's error when cancelled.
func Run(ctx context.Context, o Options) (*wait.Result, error) {
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
		o.Report = func(wait.Phase) {}
	}
	if o.Limit == 0 {
		o.Limit = o.Timeout
	}
	f := &follower{o: o, interval: o.Interval, holds: map[string]bool{}}
	f.res.Merged, f.res.MergeCommit = true, o.MergeCommit
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if o.Timeout > 0 {
		expired := o.After(o.Timeout)
		go func() {
			select {
			case <-expired:
				f.timedOut.Store(true)
				cancel()
			case <-runCtx.Done():
			}
		}()
	}
	err := f.run(runCtx)
	if err != nil && f.timedOut.Load() && ctx.Err() == nil {
		var we *wait.Error
		if !errors.As(err, &we) {
			err = f.timeout()
		}
	}
	return &f.res, err
}

func (f *follower) run(ctx context.Context) error {
	ks := f.o.Target.Kustomization
	f.phase("syncing", fmt.Sprintf("merged as %s; waiting for Flux Kustomization %s on %s to apply it", short(f.o.MergeCommit), ks, f.o.Cluster))
	if err := f.follow(ctx, KustomizationGVR, ks, f.applied); err != nil {
		return err
	}
	f.res.Synced = true
	if f.o.Until == wait.UntilSynced {
		return nil
	}
	f.phase("healthy-check", fmt.Sprintf("applied; waiting for Kustomization %s to be Ready", ks))
	if err := f.follow(ctx, KustomizationGVR, ks, f.kustomizationReady); err != nil {
		return err
	}
	for _, hr := range f.o.Target.HelmReleases {
		f.phase("healthy-check", fmt.Sprintf("waiting for HelmRelease %s to be Ready with chart %s", hr.Ref, hr.ChartVersion))
		if err := f.follow(ctx, HelmReleaseGVR, hr.Ref, f.helmReleaseReady(hr)); err != nil {
			return err
		}
	}
	f.res.Health = "Healthy"
	f.phase("done", fmt.Sprintf("%s is Ready", ks))
	return nil
}

// judge decides on one state of the followed object: done, keep waiting (false, nil), or
// will not deploy (a *wait.Error). It sets f.last for the timeout message.
type judge func(ctx context.Context, st State) (bool, error)

func (f *follower) applied(ctx context.Context, st State) (bool, error) {
	ks := f.o.Target.Kustomization
	if err := f.failed(ctx, "Kustomization", ks, st); err != nil {
		return false, err
	}
	ok, err := f.holdsRelease(ctx, st.LastAppliedRevision)
	if err != nil || ok {
		return ok, err
	}
	f.last = fmt.Sprintf("Kustomization %s last applied %s, %s", ks, orNone(st.LastAppliedRevision), st.Describe())
	return false, nil
}

func (f *follower) kustomizationReady(ctx context.Context, st State) (bool, error) {
	ks := f.o.Target.Kustomization
	if err := f.failed(ctx, "Kustomization", ks, st); err != nil {
		return false, err
	}
	ok, err := f.holdsRelease(ctx, st.LastAppliedRevision)
	if err != nil {
		return false, err
	}
	if ok && st.IsReady() {
		return true, nil
	}
	f.last = fmt.Sprintf("Kustomization %s at %s is %s", ks, orNone(st.LastAppliedRevision), st.Describe())
	return false, nil
}

func (f *follower) helmReleaseReady(hr HelmRelease) judge {
	return func(_ context.Context, st State) (bool, error) {
		atVersion := st.ChartVersion == hr.ChartVersion || st.LastAttemptedRevision == hr.ChartVersion
		if st.IsStalled() || (st.Failed() && atVersion) {
			return false, &wait.Error{Reason: fmt.Sprintf("Flux HelmRelease %s did not deploy chart %s: %s", hr.Ref, hr.ChartVersion, failureMessage(st))}
		}
		if st.IsReady() && st.ChartVersion == hr.ChartVersion {
			return true, nil
		}
		f.last = fmt.Sprintf("HelmRelease %s runs chart %s, %s", hr.Ref, orNone(st.ChartVersion), st.Describe())
		return false, nil
	}
}

// failed is Stalled=True, or Ready=False with a failure reason for a revision that holds
// the release (a failure of an older revision may yet be fixed by this one).
func (f *follower) failed(ctx context.Context, kind string, ref Ref, st State) error {
	if st.IsStalled() {
		return &wait.Error{Reason: fmt.Sprintf("Flux %s %s is stalled: %s", kind, ref, failureMessage(st))}
	}
	if !st.Failed() {
		return nil
	}
	rev := st.LastAttemptedRevision
	if rev == "" {
		rev = st.LastAppliedRevision
	}
	ok, err := f.holdsRelease(ctx, rev)
	if err != nil || !ok {
		return err
	}
	return &wait.Error{Reason: fmt.Sprintf("Flux %s %s failed at %s: %s", kind, ref, rev, failureMessage(st))}
}

func failureMessage(st State) string {
	c := st.Ready
	if st.IsStalled() {
		c = st.Stalled
	}
	if c == nil {
		return "no reason given"
	}
	if c.Message == "" {
		return c.Reason
	}
	return c.Reason + ": " + c.Message
}

func (f *follower) holdsRelease(ctx context.Context, revision string) (bool, error) {
	sha := RevisionCommit(revision)
	if sha == "" {
		return false, nil
	}
	if sameCommit(sha, f.o.MergeCommit) {
		return true, nil
	}
	if f.o.Holds == nil {
		return false, nil
	}
	if ok, seen := f.holds[sha]; seen {
		return ok, nil
	}
	ok, err := f.o.Holds(ctx, f.o.MergeCommit, sha)
	if err != nil {
		return false, f.stopped(ctx, fmt.Errorf("flux: is %s a descendant of the merge commit %s: %w", short(sha), short(f.o.MergeCommit), err))
	}
	f.holds[sha] = ok
	return ok, nil
}

// follow reads ref until decide is done: a list for the current state and a resourceVersion,
// then a watch from there. A closed watch is reopened from the last resourceVersion seen, a
// 410 Gone relists, and a cluster that refuses to watch is polled with back-off.
func (f *follower) follow(ctx context.Context, gvr schema.GroupVersionResource, ref Ref, decide judge) error {
	f.interval = f.o.Interval
	res := f.o.Client.Resource(gvr).Namespace(ref.Namespace)
	sel := metav1.ListOptions{FieldSelector: "metadata.name=" + ref.Name}
	rv, polling := "", false
	for {
		if f.watchFailed {
			f.watchFailed = false
			if err := f.pause(ctx); err != nil {
				return err
			}
		}
		if rv == "" || polling {
			st, listRV, err := f.list(ctx, res, sel, gvr, ref)
			if err != nil {
				return err
			}
			if done, err := decide(ctx, st); err != nil || done {
				return err
			}
			rv = listRV
		}
		if polling {
			if err := f.pause(ctx); err != nil {
				return err
			}
			continue
		}
		opts := sel
		opts.ResourceVersion, opts.AllowWatchBookmarks = rv, true
		w, err := res.Watch(ctx, opts)
		switch {
		case err == nil:
		case apierrors.IsResourceExpired(err) || apierrors.IsGone(err):
			rv = ""
			continue
		default:
			if err := f.refused(ctx, err, gvr, ref); err != nil {
				return err
			}
			polling = true // this cluster (or a proxy before it) does not watch
			continue
		}
		next, done, err := f.events(ctx, w, rv, decide)
		w.Stop()
		if err != nil || done {
			return err
		}
		if next == rv {
			// The watch ended without news: back off before reopening it.
			if err := f.pause(ctx); err != nil {
				return err
			}
		} else {
			f.interval = f.o.Interval
		}
		rv = next
	}
}

// events reads one watch until it closes: the resourceVersion to go on from ("" to
// relist), or done, or an error.
func (f *follower) events(ctx context.Context, w watch.Interface, rv string, decide judge) (string, bool, error) {
	for {
		var ev watch.Event
		var open bool
		select {
		case <-ctx.Done():
			return rv, false, f.ended(ctx)
		case ev, open = <-w.ResultChan():
		}
		if !open {
			return rv, false, nil
		}
		switch ev.Type {
		case watch.Error:
			// 410 Gone (the resourceVersion was compacted): relist at once; anything else
			// relists after a pause.
			status := apierrors.FromObject(ev.Object)
			f.watchFailed = !apierrors.IsGone(status) && !apierrors.IsResourceExpired(status)
			return "", false, nil
		case watch.Bookmark, watch.Deleted:
			if obj, ok := ev.Object.(*unstructured.Unstructured); ok {
				rv = obj.GetResourceVersion()
			}
			if ev.Type == watch.Deleted {
				f.last = "the object was deleted"
			}
		case watch.Added, watch.Modified:
			obj, ok := ev.Object.(*unstructured.Unstructured)
			if !ok {
				continue
			}
			rv = obj.GetResourceVersion()
			if done, err := decide(ctx, ReadState(obj)); err != nil || done {
				return rv, done, err
			}
		}
	}
}

func (f *follower) list(ctx context.Context, res dynamic.ResourceInterface, sel metav1.ListOptions, gvr schema.GroupVersionResource, ref Ref) (State, string, error) {
	list, err := res.List(ctx, sel)
	if err != nil {
		return State{}, "", f.refused(ctx, err, gvr, ref)
	}
	for i := range list.Items {
		if list.Items[i].GetName() == ref.Name {
			return ReadState(&list.Items[i]), list.GetResourceVersion(), nil
		}
	}
	return State{}, "", f.notFound(gvr, ref)
}

// refused turns an API error into gito's: 401/403 exit 4, a missing object names where its
// name came from, and anything else says which cluster failed. Nil: worth polling.
func (f *follower) refused(ctx context.Context, err error, gvr schema.GroupVersionResource, ref Ref) error {
	if ctx.Err() != nil {
		return f.ended(ctx)
	}
	kind := kindName(gvr)
	switch {
	case apierrors.IsUnauthorized(err):
		return &exitcode.AuthError{Err: fmt.Errorf("%w: cluster %s refused the credential of its kube context (401): %s", ErrAuth, f.o.Cluster, oneLine(err.Error())),
			Hint: "check the context's credentials with kubectl --context " + f.o.Cluster + " auth whoami"}
	case apierrors.IsForbidden(err):
		return &exitcode.AuthError{Err: fmt.Errorf("%w: the credential of kube context %s may not read %s %s (403): %s", ErrAuth, f.o.Cluster, kind, ref, oneLine(err.Error()))}
	case apierrors.IsNotFound(err):
		return f.notFound(gvr, ref)
	case apierrors.IsMethodNotSupported(err) || apierrors.IsBadRequest(err):
		return nil
	}
	return fmt.Errorf("flux: read %s %s on cluster %s: %s", kind, ref, f.o.Cluster, oneLine(err.Error()))
}

func (f *follower) notFound(gvr schema.GroupVersionResource, ref Ref) error {
	msg := fmt.Sprintf("flux: cluster %s has no %s %s", f.o.Cluster, kindName(gvr), ref)
	if gvr == KustomizationGVR && f.o.Target.Origin != "" {
		msg += " (the name comes from " + f.o.Target.Origin + ")"
	}
	return errors.New(msg)
}

func kindName(gvr schema.GroupVersionResource) string {
	if gvr == HelmReleaseGVR {
		return "HelmRelease"
	}
	return "Kustomization"
}

// pause waits before the next poll or reconnect, backing off; the timeout and
// cancellation end it.
func (f *follower) pause(ctx context.Context) error {
	d := f.interval
	f.interval = min(f.interval*3/2, f.o.MaxInterval)
	select {
	case <-ctx.Done():
		return f.ended(ctx)
	case <-f.o.After(d):
		return nil
	}
}

func (f *follower) timeout() error {
	return &wait.Error{Reason: fmt.Sprintf("timed out after %s: %s", f.o.Limit, f.last), Timeout: true}
}

func (f *follower) stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return f.ended(ctx)
	}
	return err
}

// ended is why ctx ended: the timeout, or the caller's cancellation.
func (f *follower) ended(ctx context.Context) error {
	if f.timedOut.Load() {
		return f.timeout()
	}
	return ctx.Err()
}

func (f *follower) phase(name, text string) {
	f.o.Report(wait.Phase{Name: name, Text: text})
}

func sameCommit(a, b string) bool {
	if len(a) < 7 || len(b) < 7 {
		return false
	}
	n := min(len(a), len(b))
	return a[:n] == b[:n]
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

// Check reads the target's Kustomization once, before anything is written: it exists and
// the credential may read it.
func Check(ctx context.Context, o Options) error {
	f := &follower{o: o}
	ref := o.Target.Kustomization
	res := o.Client.Resource(KustomizationGVR).Namespace(ref.Namespace)
	_, _, err := f.list(ctx, res, metav1.ListOptions{FieldSelector: "metadata.name=" + ref.Name}, KustomizationGVR, ref)
	return err
}
