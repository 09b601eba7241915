package picker

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/gito-dev/gito/internal/history"
)

// TestProgram runs the whole picker: load, move, filter, confirm. It waits on what the
// program draws, never on the clock.
func TestProgram(t *testing.T) {
	t.Parallel()
	m := New(Options{
		Service: "api", Env: "prod", Describe: describe, Styles: NewStyles(false), Location: time.UTC,
		Load: LoadReleases(func() ([]history.Release, error) { return fixture(), nil }),
	})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitFor := func(s string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	}

	waitFor("renovate[bot]")
	tm.Type("/carol")
	waitFor("/carol")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // apply the filter
	waitFor("filter: carol (1 of 5)")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // roll back to the only match
	waitFor("Confirming will push gito/prod/api and open a pull request:")
	tm.Type("y")

	tm.WaitFinished(t, teatest.WithFinalTimeout(20*time.Second))
	final, ok := tm.FinalModel(t).(Model)
	if !ok {
		t.Fatalf("final model is %T", tm.FinalModel(t))
	}
	got, chosen := final.Chosen()
	if !chosen || got.Version != "v1.3.0" || got.Commit != fixture()[3].Commit {
		t.Errorf("chosen %v %+v, want v1.3.0", chosen, got)
	}
	if final.Cancelled() || final.Err() != nil {
		t.Errorf("cancelled %v err %v", final.Cancelled(), final.Err())
	}
}

func TestRunCancelAndContext(t *testing.T) {
	t.Parallel()
	loading := New(Options{Service: "api", Env: "prod", Styles: NewStyles(false)}) // never loads

	t.Run("q cancels", func(t *testing.T) {
		t.Parallel()
		in, out := pipeAndFile(t)
		if _, err := in.w.WriteString("q"); err != nil {
			t.Fatal(err)
		}
		_, err := Run(context.Background(), in.r, out, loading)
		if !errors.Is(err, ErrCancelled) {
			t.Errorf("err = %v, want ErrCancelled", err)
		}
	})
	t.Run("context ends the picker", func(t *testing.T) {
		t.Parallel()
		in, out := pipeAndFile(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := Run(ctx, in.r, out, loading)
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrCancelled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}

type pipe struct{ r, w *os.File }

func pipeAndFile(t *testing.T) (pipe, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.CreateTemp(t.TempDir(), "tty")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close(); out.Close() })
	return pipe{r, w}, out
}
