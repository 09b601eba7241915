package testutil

import (
	"os"
	"os/exec"
	"testing"
)

// RequireTool returns the path of a referee tool the test cross-checks against (kubectl, tmux,
// ssh-keygen, ...). Without it the test skips on a developer's machine, but fails when CI is
// set: .ci/run installs every tool, so a missing one there is a broken CI, not a reason to pass.
func RequireTool(tb testing.TB, name, install string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	MissingTool(tb, name, install)
	return ""
}

// MissingTool reports a missing referee: a skip, or a failure under CI.
func MissingTool(tb testing.TB, what, install string) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("%s is missing and CI is set: .ci/run must install it (%s)", what, install)
	}
	tb.Skipf("%s is not installed (%s)", what, install)
}
