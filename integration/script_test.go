// Package integration runs the gito binary end to end: testscript scripts in
// testdata/script drive it against real git remotes (a bare repo on disk and one served by
// git http-backend on 127.0.0.1) and stateful fake GitHub and GitLab APIs.
package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gito-dev/gito/internal/app"
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

// TestTargetScripts runs the repo shapes of targets, Helm values and one-app layouts.
func TestTargetScripts(t *testing.T) {
	testscript.Run(t, params(t, "testdata/script/targets", "none"))
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
	realGit, err := exec_LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
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
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	}
}
