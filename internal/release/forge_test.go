package release

import (
	"context"

	"github.com/gito-dev/gito/internal/forge"
)

func (f *recordingForge) GetPR(_ context.Context, n int) (*forge.PullRequest, error) {
	return &forge.PullRequest{Number: n, State: forge.StateOpen}, nil
}

func (f *recordingForge) ListOpenPRs(context.Context, string) ([]*forge.PullRequest, error) {
	return nil, nil
}
