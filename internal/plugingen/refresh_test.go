package plugingen

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gito-dev/gito/internal/gitrepo"
	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// A remote that accepts the connection and stays silent fails one refresh at its deadline,
// /readyz says why, and once the remote recovers the next refresh serves what was pushed
// meanwhile.
func TestHungRemoteDoesNotStopRefreshes(t *testing.T) {
	t.Parallel()
	bare := gitserver.NewBare(t, map[string]string{"overlays/prod/api/kustomization.yaml": kustomization("r/api", "v1", "")})
	remote := gitserver.ServeFlaky(t, filepath.Dir(bare))
	env, cache := gitserver.Env(t), t.TempDir()
	src := &Source{Open: func(ctx context.Context) (*gitrepo.Repo, error) {
		return gitrepo.Open(ctx, gitrepo.OpenOptions{CacheRoot: cache, Remote: remote.URL + "/infra.git", Git: &gitrepo.Git{Env: env, ProcessGroup: true}})
	}}
	// Each refresh's outcome, in order; the test waits on these, never on the clock.
	results := make(chan error, 64)
	store := NewStore(src.Load, nil)
	store.ended = func(err error) { results <- err }
	h := &Handler{Store: store, StaleAfter: time.Hour}
	mux := h.New(prometheus.NewRegistry())
	next := func(what string) error {
		t.Helper()
		select {
		case err := <-results:
			return err
		case <-time.After(60 * time.Second):
			t.Fatalf("no refresh ended within 60s while waiting for %s: the refresh loop is stuck; /readyz: %s", what, readyz(t, mux))
			return nil
		}
	}

	// The deadline leaves a loaded machine time for a healthy fetch.
	const interval, deadline = time.Second, 10 * time.Second
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); store.Run(ctx, interval, deadline) }()
	t.Cleanup(func() { stop(); <-done })
	if err := next("the first load"); err != nil {
		t.Fatal(err)
	}

	remote.Set(gitserver.Silent)
	<-remote.Hung()
	err := next("the refresh on the silent remote")
	if err == nil || !strings.Contains(err.Error(), "refresh stopped after 10s") {
		t.Fatalf("refresh on a silent remote: %v", err)
	}
	var ready map[string]any
	if err := json.Unmarshal([]byte(readyz(t, mux)), &ready); err != nil {
		t.Fatal(err)
	}
	if ready["status"] != "stale" || !strings.Contains(ready["error"].(string), "refresh stopped after 10s") || ready["failingForSeconds"] == nil || ready["snapshotAgeSeconds"] == nil {
		t.Errorf("/readyz while the remote is silent: %v", ready)
	}

	head := gitserver.Commit(t, bare, "main", "release", map[string]string{"overlays/prod/api/kustomization.yaml": kustomization("r/api", "v2", "")})
	remote.Set(gitserver.Healthy)
	// The refresh in flight when the remote recovered may still fail; the one after it may not.
	for i := 0; ; i++ {
		err := next("a refresh after the recovery")
		if err == nil {
			break
		}
		if i == 1 {
			t.Fatalf("the second refresh after the recovery failed: %v", err)
		}
	}
	if snap := store.Snapshot(); snap.Commit != head || snap.Filter("api", "prod", "")[0].Version != "v2" {
		t.Errorf("after the recovery the snapshot is at %s, want %s", snap.Commit, head)
	}
	if st := store.Status(); st.Err != nil || !st.FailingSince.IsZero() {
		t.Errorf("status after the recovery: %+v", st)
	}
}

func readyz(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	return rec.Body.String()
}
