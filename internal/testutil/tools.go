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

// installs says how .ci/run installs each referee the tests use; keep the two in step.
var installs = map[string]string{
	"bash":       "apt-get install bash",
	"git":        "apt-get install git",
	"kubectl":    "apt-get install kubectl or kubernetes-client",
	"kustomize":  "go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.1",
	"ssh-add":    "apt-get install openssh-client",
	"ssh-agent":  "apt-get install openssh-client",
	"ssh-keygen": "apt-get install openssh-client",
	"tmux":       "apt-get install tmux",
	"zsh":        "apt-get install zsh",
}

// RequireTools is RequireTool for each of names, with the install line .ci/run uses.
func RequireTools(tb testing.TB, names ...string) {
	tb.Helper()
	for _, name := range names {
		install, ok := installs[name]
		if !ok {
			install = "see .ci/run"
		}
		RequireTool(tb, name, install)
	}
}
