package picker

import (
	"context"
	"errors"
	"fmt"
	"os"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gito-dev/gito/internal/history"
)

// ErrCancelled means the user quit the picker without choosing.
var ErrCancelled = errors.New("rollback cancelled")

// Run shows the picker full-screen on out (stderr) reading keys from in, and returns the
// confirmed release. It returns ErrCancelled when the user quits, ErrNothingToRollBack (or the
// load error) when there was nothing to choose, and ctx's error when ctx ends first.
func Run(ctx context.Context, in, out *os.File, m Model) (history.Release, error) {
	if err := ctx.Err(); err != nil {
		return history.Release{}, fmt.Errorf("picker: %w", err)
	}
	// The context is watched here rather than handed to tea.WithContext: bubbletea v1 treats
	// a cancelled context as a kill and closes its input reader without waiting for the read
	// loop (a data race upstream, bubbletea#1599). Quit takes the graceful path, which waits.
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen())
	stop := context.AfterFunc(ctx, p.Quit)
	defer stop()
	final, err := p.Run()
	if ctx.Err() != nil {
		return history.Release{}, fmt.Errorf("picker: %w", ctx.Err())
	}
	if err != nil {
		return history.Release{}, fmt.Errorf("picker: %w", err)
	}
	fm, ok := final.(Model)
	if !ok {
		return history.Release{}, fmt.Errorf("picker: unexpected final model %T", final)
	}
	if fm.Cancelled() {
		return history.Release{}, ErrCancelled
	}
	if err := fm.Err(); err != nil {
		return history.Release{}, err
	}
	r, ok := fm.Chosen()
	if !ok {
		return history.Release{}, ErrCancelled
	}
	return r, nil
}
