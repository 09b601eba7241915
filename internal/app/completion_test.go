package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/app"
	"github.com/gito-dev/gito/internal/app/docgen"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
)

// repoRoot is where the committed completions/ and docs/man/ live, seen from this package.
const repoRoot = "../.."

func noEnv(string) string { return "" }

// TestGeneratedDocsAreFresh regenerates the completion scripts and man pages and compares them
// with the committed copies, so a changed flag or command cannot ship stale scripts.
func TestGeneratedDocsAreFresh(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	if err := docgen.WriteCompletions(app.NewRootCmd(app.NewFactory(noEnv)), out); err != nil {
		t.Fatal(err)
	}
	date, err := docgen.ManDate(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := docgen.WriteMan(app.NewRootCmd(app.NewFactory(noEnv)), out, date); err != nil {
		t.Fatal(err)
	}

	for _, dir := range []struct{ path, target string }{
		{docgen.CompletionDir, "completions"},
		{docgen.ManDir, "man"},
	} {
		generated := listFiles(t, filepath.Join(out, dir.path))
		committed := listFiles(t, filepath.Join(repoRoot, dir.path))
		if len(generated) == 0 {
			t.Fatalf("generator wrote nothing into %s", dir.path)
		}
		for _, name := range generated {
			rel := filepath.ToSlash(filepath.Join(dir.path, name))
			want, err := os.ReadFile(filepath.Join(out, dir.path, name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(repoRoot, dir.path, name))
			if err != nil {
				t.Errorf("%s is missing: run make %s", rel, dir.target)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is stale: run make %s (first difference at line %d)", rel, dir.target, firstDiffLine(got, want))
			}
		}
		for _, name := range committed {
			if !slices.Contains(generated, name) {
				t.Errorf("%s/%s belongs to no command any more: run make %s", dir.path, name, dir.target)
			}
		}
	}
}

// TestCompletionCommandMatchesCommittedScripts pins that `gito completion SHELL` prints exactly
// the script the packages install.
func TestCompletionCommandMatchesCommittedScripts(t *testing.T) {
	t.Parallel()
	for _, cf := range docgen.CompletionFiles() {
		t.Run(cf.Shell, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runGito(t, "completion", cf.Shell)
			if code != exitcode.OK {
				t.Fatalf("exit %d, stderr: %s", code, stderr)
			}
			want, err := os.ReadFile(filepath.Join(repoRoot, docgen.CompletionDir, cf.Name))
			if err != nil {
				t.Fatal(err)
			}
			if stdout != string(want) {
				t.Errorf("gito completion %s differs from %s/%s: run make completions", cf.Shell, docgen.CompletionDir, cf.Name)
			}
		})
	}
}

func TestCompletionUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"unknown shell", []string{"completion", "tcsh"}, `gito: unsupported shell "tcsh": use bash, zsh, fish or powershell`},
		{"no shell", []string{"completion"}, "gito: name the shell: bash, zsh, fish or powershell"},
		{"two shells", []string{"completion", "bash", "zsh"}, "gito: expected one shell, got 2 arguments: bash zsh"},
		{"case matters", []string{"completion", "Bash"}, `gito: unsupported shell "Bash"`},
		{"unknown flag", []string{"completion", "--shell", "bash"}, "gito: unknown flag: --shell"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runGito(t, tt.args...)
			if code != exitcode.Usage {
				t.Errorf("exit code = %d, want %d (usage)", code, exitcode.Usage)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if !strings.HasPrefix(stderr, tt.wantErr) {
				t.Errorf("stderr = %q, want it to start with %q", stderr, tt.wantErr)
			}
			if !strings.Contains(stderr, "Run 'gito completion --help' for usage.") {
				t.Errorf("stderr = %q, want the usage hint", stderr)
			}
		})
	}
}

func runGito(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := app.NewFactory(noEnv)
	f.IOStreams = ios
	code = app.Run(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

func firstDiffLine(a, b []byte) int {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(al), len(bl)) {
		if !bytes.Equal(al[i], bl[i]) {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}
