package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/argocd"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
)

func TestWaitExitCodes(t *testing.T) {
	t.Parallel()
	if got := exitcode.Code(&exitcode.WaitError{Err: errors.New("Degraded")}); got != 5 {
		t.Errorf("WaitError exits %d, want 5", got)
	}
	if got := exitcode.Code(fmt.Errorf("--wait: %w", argocd.ErrAuth)); got != 4 {
		t.Errorf("argocd.ErrAuth exits %d, want 4", got)
	}
	ios, _, out, _ := iostreams.Test()
	f := NewFactory(func(string) string { return "" })
	f.IOStreams = ios
	if code := Run(context.Background(), f, []string{"help", "exit-codes"}); code != 0 {
		t.Fatalf("help exit-codes = %d", code)
	}
	if !strings.Contains(out.String(), "\n  5    Waited (--wait) and it did not deploy") {
		t.Errorf("help exit-codes does not list 5:\n%s", out)
	}
}
