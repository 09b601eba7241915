package wait

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/argocd"
)

// flaky answers each read with the next error, then with app; with forever it repeats the
// last error instead.
type flaky struct {
	mu      sync.Mutex
	errs    []error
	forever bool
	app     argocd.Application
	n       int
}

func (f *flaky) Application(_ context.Context, name string) (*argocd.Application, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if len(f.errs) > 0 {
		err := f.errs[0]
		if len(f.errs) > 1 || !f.forever {
			f.errs = f.errs[1:]
		}
		return nil, err
	}
	app := f.app
	app.Name = name
	return &app, nil
}

func transient(reason string) error {
	return &argocd.TransientError{Host: "argocd.example", App: "api-prod", Reason: reason}
}

// TestTransientArgoCDErrorsArePolledThrough: 5xx, 429 and broken connections after the merge
// are retried with back-off on the injected clock; the app then deploys.
func TestTransientArgoCDErrorsArePolledThrough(t *testing.T) {
	t.Parallel()
	a := &flaky{
		errs: []error{transient("500 Internal Server Error"), transient("connection refused"), transient("connection reset"),
			transient("429 Too Many Requests"), transient("the connection closed without an answer"), transient("503 Service Unavailable")},
		app: argocd.Application{SyncStatus: "Synced", Revisions: []string{merge}, Health: "Healthy"},
	}
	c := &clock{now: time.Unix(0, 0)}
	var phases []string
	o := options(&prs{script[string]{states: []string{"merged"}}}, nil, c, &phases)
	o.Apps, o.Timeout = a, 2*time.Minute
	res, err := Run(t.Context(), o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !res.Synced || res.Health != "Healthy" || a.n != 8 {
		t.Errorf("result %+v after %d reads; want synced and Healthy after 6 failures and 2 reads", res, a.n)
	}
	want := []time.Duration{2 * time.Second, 3 * time.Second, 4500 * time.Millisecond, 6750 * time.Millisecond, 10125 * time.Millisecond, 15187500 * time.Microsecond}
	if !slices.Equal(c.pauses, want) {
		t.Errorf("pauses = %v, want the back-off %v", c.pauses, want)
	}
}

// TestArgoCDErrorsThatEndTheWait: a transient failure that lasts ends at the timeout (exit
// 5, naming it); a refused token and a missing Application end the wait at once.
func TestArgoCDErrorsThatEndTheWait(t *testing.T) {
	t.Parallel()
	authErr := fmt.Errorf("%w: argocd: argocd.example refused ARGOCD_AUTH_TOKEN (401 Unauthorized)", argocd.ErrAuth)
	tests := []struct {
		name  string
		err   error
		reads int
		check func(error) bool
		want  string
	}{
		{"lasting 503", transient("503 Service Unavailable"), 0,
			func(err error) bool { var we *Error; return errors.As(err, &we) && we.Timeout },
			"timed out after 40s: Argo CD at argocd.example did not answer api-prod: 503 Service Unavailable"},
		{"401", authErr, 1, func(err error) bool { return errors.Is(err, argocd.ErrAuth) }, authErr.Error()},
		{"404", &argocd.NotFoundError{App: "api-prod"}, 1,
			func(err error) bool { var nf *argocd.NotFoundError; return errors.As(err, &nf) },
			`Argo CD has no Application "api-prod" (the name comes from argocd.app "{service}-{env}" in .gito.yaml)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := &flaky{errs: []error{tt.err}, forever: true}
			c := &clock{now: time.Unix(0, 0)}
			var phases []string
			o := options(&prs{script[string]{states: []string{"merged"}}}, nil, c, &phases)
			o.Apps, o.Timeout = a, 40*time.Second
			_, err := Run(t.Context(), o)
			if err == nil || !tt.check(err) || err.Error() != tt.want {
				t.Fatalf("err = %v (%T), want %q", err, err, tt.want)
			}
			if tt.reads > 0 && a.n != tt.reads {
				t.Errorf("%d reads, want %d: this error is not retried", a.n, tt.reads)
			}
		})
	}
}
