package exitcode_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/gitrepo"
)

func TestCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("boom"), 1},
		{exitcode.FlagErrorf("--service is required"), 2},
		{fmt.Errorf("wrapped: %w", exitcode.FlagErrorf("x")), 2},
		{&exitcode.VerifyError{Err: errors.New("tampered")}, 3},
		{&exitcode.AuthError{Err: errors.New("no token")}, 4},
		{fmt.Errorf("create PR: %w", forge.ErrAuth), 4},
		{fmt.Errorf("open infra repo: %w", gitrepo.ErrAuth), 4},
		{&gitrepo.Error{Command: "push", Line: "fatal: x", ExitCode: 128}, 1},
		{exitcode.ErrCancel, 130},
		{fmt.Errorf("push: %w", context.Canceled), 130},
		{exitcode.Sentinel(exitcode.NotDeployed, "closed unmerged"), 5},
	}
	for _, tt := range tests {
		if got := exitcode.Code(tt.err); got != tt.want {
			t.Errorf("Code(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
