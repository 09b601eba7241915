package rollback

import (
	"context"
	"errors"
	"testing"

	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/workspace"
)

func TestLoaderFinishedBeforeStart(t *testing.T) {
	t.Parallel()
	l := newLoader(context.Background())
	if ws := l.finish(); ws != nil {
		t.Fatalf("finish = %v, want nil", ws)
	}
	ran := false
	_, err := l.run(func(context.Context) (*workspace.Workspace, []history.Release, error) {
		ran = true
		return nil, nil, nil
	})
	if ran || !errors.Is(err, context.Canceled) {
		t.Errorf("a load after finish ran=%v err=%v; want it skipped", ran, err)
	}
}

func TestLoaderCancelsARunningLoad(t *testing.T) {
	t.Parallel()
	l := newLoader(context.Background())
	want := &workspace.Workspace{Remote: "x"}
	started := make(chan struct{})
	go func() {
		_, _ = l.run(func(ctx context.Context) (*workspace.Workspace, []history.Release, error) {
			close(started)
			<-ctx.Done() // the load notices the cancel, as git and HTTP calls do
			return want, nil, ctx.Err()
		})
	}()
	<-started
	if ws := l.finish(); ws != want {
		t.Errorf("finish = %v, want the workspace the cancelled load opened", ws)
	}
}

func TestLoaderReturnsWorkspace(t *testing.T) {
	t.Parallel()
	l := newLoader(context.Background())
	want := &workspace.Workspace{Remote: "y"}
	releases, err := l.run(func(ctx context.Context) (*workspace.Workspace, []history.Release, error) {
		return want, []history.Release{{Version: "v1"}}, ctx.Err()
	})
	if err != nil || len(releases) != 1 {
		t.Fatalf("run = %v, %v", releases, err)
	}
	if ws := l.finish(); ws != want {
		t.Errorf("finish = %v", ws)
	}
}
