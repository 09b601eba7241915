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
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gito-dev/gito/internal/app"
	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/testutil"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"gito": func() { os.Exit(app.MainWith(fixedClock)) },
	})
}

// fixedClock sets the clock a script names in GITO_TEST_NOW (RFC 3339), for freeze windows
// and soak times; it is the test binary's switch, not the product's.
func fixedClock(f *cmdutil.Factory) {
	v := os.Getenv("GITO_TEST_NOW")
	if v == "" {
		return
	}
	now, err := time.Parse(time.RFC3339, v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "GITO_TEST_NOW %q: %v\n", v, err)
		os.Exit(2)
	}
	f.Now = func() time.Time { return now }
}

// TestForgeScripts runs every script in testdata/script/forge once per row of forgeTable
// (fake GitHub, fake GitLab, a real Gitea, fake GitHub with App auth), so every forge is held
// to the same scenarios; a row may add scripts of its own.
func TestForgeScripts(t *testing.T) {
	for i := range forgeTable {
		row := &forgeTable[i]
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			var shared any
			if row.prepare != nil {
				shared = row.prepare(t)
			}
			t.Run("forge", func(t *testing.T) {
				testscript.Run(t, params(t, "testdata/script/forge", row, shared))
			})
			if row.scripts != "" {
				t.Run(row.name, func(t *testing.T) {
					testscript.Run(t, params(t, row.scripts, row, shared))
				})
			}
		})
	}
}

// TestTargetScripts runs the repo shapes of targets, Helm values and one-app layouts.
func TestTargetScripts(t *testing.T) {
	testscript.Run(t, params(t, "testdata/script/targets", nil, nil))
}

// TestShapeScripts runs the GitOps repo shapes gito understands without a .gito.yaml.
func TestShapeScripts(t *testing.T) {
	testscript.Run(t, params(t, "testdata/script/shapes", nil, nil))
}

// TestLocalScripts runs scenarios that need no forge (file remotes, verify, errors).
func TestLocalScripts(t *testing.T) {
	testscript.Run(t, params(t, "testdata/script/local", nil, nil))
}

func params(t *testing.T, dir string, row *forgeRow, shared any) testscript.Params {
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
			return setupEnv(env, row, shared, fixture, realGit)
		},
		Cmds: commands(),
		Condition: func(cond string) (bool, error) {
			if name, ok := strings.CutPrefix(cond, "forge:"); ok {
				if row == nil {
					return name == "none", nil
				}
				return name == row.name || name == row.kind, nil
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
