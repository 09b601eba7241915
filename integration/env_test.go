package integration

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gito-dev/gito/integration/fakeargocd"
	"github.com/gito-dev/gito/internal/testutil/ociregistry"
)

// scriptState is one script's fakes and paths, kept in env.Values.
type scriptState struct {
	t       testing.TB
	kind    string    // forge.type: github, gitlab, gitea or none
	row     *forgeRow // the forge table's row; nil for local scripts
	shared  any       // what row.prepare made (the Gitea template)
	fixture string    // integration/testdata/infra
	forge   fakeForge
	argocd  *fakeargocd.Server // started by fake-argocd
	// tmuxSessions counts tmux-start calls; the newest session is the one commands target.
	tmuxSessions int
	// serve is the `gito serve` of serve-start; slow the connection of slowpost begin.
	serve      *exec.Cmd
	serveDone  chan error
	slow       net.Conn
	slowReader *bufio.Reader
	registry   *ociregistry.Server // started by the registry command
	flux       *fluxState          // fake clusters of fake-kube

	listeners map[string]*listener // started by listen (creds_test.go)
}

const stateKey = "gito-state"

func state(ts *testscript.TestScript) *scriptState {
	return ts.Value(stateKey).(*scriptState)
}

// setupEnv gives every script a private HOME, cache and git config, and a git on PATH that
// records its arguments so a script can prove no token was ever passed on a command line.
func setupEnv(env *testscript.Env, row *forgeRow, shared any, fixture, realGit string) error {
	tb, ok := env.T().(testing.TB)
	if !ok {
		return fmt.Errorf("testscript T is not a testing.TB")
	}
	kind, name := "none", "none"
	if row != nil {
		kind, name = row.kind, row.name
	}
	env.Values[stateKey] = &scriptState{t: tb, kind: kind, row: row, shared: shared, fixture: fixture}
	work := env.WorkDir
	bin := filepath.Join(work, ".bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	// The shim also records the environment of each git that gito starts (gito sets
	// GIT_TERMINAL_PROMPT=0; a script's own `exec git` does not), less the scoped credential
	// helper's own variable and the harness's TOKEN (the value scripts search for), so a script
	// can prove no other variable carried a token (S9).
	shim := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$*\" >> %q\n[ \"$GIT_TERMINAL_PROMPT\" = 0 ] && env | grep -v -e '^GITO_GIT_TOKEN=' -e '^TOKEN=' >> %q\nexec %q \"$@\"\n",
		filepath.Join(work, ".git-args.log"), filepath.Join(work, ".git-env.log"), realGit)
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(shim), 0o755); err != nil {
		return err
	}
	gitconfig := filepath.Join(work, ".gitconfig")
	cfg := "[user]\n\tname = Dev Eloper\n\temail = dev@example.com\n[init]\n\tdefaultBranch = main\n[protocol \"file\"]\n\tallow = always\n"
	if err := os.WriteFile(gitconfig, []byte(cfg), 0o644); err != nil {
		return err
	}
	env.Setenv("FORGE", name)
	env.Setenv("HOME", filepath.Join(work, ".home"))
	env.Setenv("XDG_CACHE_HOME", filepath.Join(work, ".cache"))
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(work, ".config"))
	env.Setenv("GIT_CONFIG_GLOBAL", gitconfig)
	env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	env.Setenv("SSH_AUTH_SOCK", "")
	env.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	env.Setenv("GIT_ARGS_LOG", filepath.Join(work, ".git-args.log"))
	env.Setenv("CI", "true")
	env.Setenv("NO_COLOR", "1")
	return nil
}

// runGit runs the real git for a harness command, failing the script on error.
func runGit(ts *testscript.TestScript, dir string, args ...string) string {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+ts.Getenv("GIT_CONFIG_GLOBAL"), "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		ts.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
