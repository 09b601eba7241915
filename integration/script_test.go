// Package integration runs the gito binary end to end: testscript scripts in
// testdata/script drive it against real git remotes (a bare repo on disk and one served by
// git http-backend on 127.0.0.1) and stateful fake GitHub and GitLab APIs.
package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gito-dev/gito/internal/app"
	"github.com/gito-dev/gito/internal/testutil"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"gito": func() { os.Exit(app.Main()) },
	})
}

// TestForgeScripts runs every script in testdata/script/forge once per forge, so GitHub and
// GitLab are held to the same scenarios.
func TestForgeScripts(t *testing.T) {
	for _, kind := range []string{"github", "gitlab"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			testscript.Run(t, params(t, "testdata/script/forge", kind))
		})
	}
}

// TestLocalScripts runs scenarios that need no forge (file remotes, verify, errors).
func TestLocalScripts(t *testing.T) {
	testscript.Run(t, params(t, "testdata/script/local", "none"))
}

func params(t *testing.T, dir, forgeKind string) testscript.Params {
	fixture, err := filepath.Abs("testdata/infra")
	if err != nil {
		t.Fatal(err)
	}
	realGit := testutil.RequireTool(t, "git", "apt-get install git")
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("GITO_UPDATE_SCRIPTS") != "",
		Setup: func(env *testscript.Env) error {
			return setupEnv(env, forgeKind, fixture, realGit)
		},
		Cmds: commands(),
		Condition: func(cond string) (bool, error) {
			if kind, ok := strings.CutPrefix(cond, "forge:"); ok {
				return kind == forgeKind, nil
			}
			if tool, ok := strings.CutPrefix(cond, "tool:"); ok {
				return haveTool(tool)
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	}
}

// haveTool answers [tool:NAME]: whether a referee tool is installed. A script skips without
// it on a developer's machine; under CI (the test process's CI) the condition fails the
// script, as testutil.RequireTool fails a Go test: .ci/run installs every tool.
func haveTool(name string) (bool, error) {
	if _, err := exec.LookPath(name); err == nil {
		return true, nil
	}
	if os.Getenv("CI") != "" {
		return false, fmt.Errorf("%s is missing and CI is set: .ci/run must install it", name)
	}
	return false, nil
}
