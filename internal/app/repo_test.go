package app_test

import (
	"testing"

	"github.com/gito-dev/gito/internal/testutil"
)

// TestNoLargeTrackedFiles keeps build outputs out of the repository: nothing tracked outside
// testdata/ may exceed 1 MB (a 45 MB gito binary was once committed by accident).
func TestNoLargeTrackedFiles(t *testing.T) {
	t.Parallel()
	if large := testutil.LargeTrackedFiles(t, repoRoot, 1<<20); len(large) > 0 {
		t.Errorf("tracked files over 1 MB outside testdata/ (untrack them, ignore build outputs):\n%v", large)
	}
}
