package app

import (
	"context"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/iostreams"
)

// run runs gito with args and an empty environment; it returns the exit code and output.
func runGito(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := NewFactory(func(string) string { return "" })
	f.IOStreams = ios
	home := t.TempDir()
	f.Getenv = func(k string) string {
		if k == "HOME" || k == "XDG_CONFIG_HOME" || k == "XDG_CACHE_HOME" {
			return home
		}
		return ""
	}
	code = Run(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

func TestExtraArgumentIsUnexpected(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"version", "extra-arg"},
		{"release", "-s", "api", "-e", "prod", "--version", "v1", "extra-arg"},
		{"rollback", "-s", "api", "-e", "prod", "--steps", "1", "extra-arg"},
		{"history", "-s", "api", "-e", "prod", "extra-arg"},
		{"status", "extra-arg"},
		{"promote", "-s", "api", "--from", "staging", "--to", "prod", "extra-arg"},
		{"serve", "extra-arg"},
	} {
		code, _, stderr := runGito(t, args...)
		want := `gito: unexpected argument "extra-arg": gito ` + args[0] + " takes no arguments\nRun 'gito " + args[0] + " --help' for usage.\n"
		if code != 2 || stderr != want {
			t.Errorf("gito %q: exit %d, stderr %q; want 2, %q", args, code, stderr, want)
		}
	}
}

// TestHelpTopicsAligned: `gito help` lists the topics by name, their descriptions in the
// column of the commands' descriptions.
func TestHelpTopicsAligned(t *testing.T) {
	t.Parallel()
	code, stdout, _ := runGito(t, "help")
	if code != 0 || !strings.Contains(stdout, "\nAdditional help topics (\"gito help <topic>\"):\n") {
		t.Fatalf("gito help exit %d:\n%s", code, stdout)
	}
	column := func(line, short string) int { return strings.Index(line, short) }
	var want int
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, "  version ") {
			want = column(line, "Print gito's version")
		}
	}
	for name, short := range map[string]string{"exit-codes": "Exit codes used by gito", "environment": "Environment variables gito reads"} {
		var got string
		for _, line := range strings.Split(stdout, "\n") {
			if strings.Contains(line, short) {
				got = line
			}
		}
		if !strings.HasPrefix(got, "  "+name+" ") || want == 0 || column(got, short) != want {
			t.Errorf("help topic line %q: want %q, its description at column %d like the commands'\n%s", got, name, want, stdout)
		}
	}
}

// TestRollbackHelpFlags: the flags rollback shares with release do not say "release".
func TestRollbackHelpFlags(t *testing.T) {
	t.Parallel()
	_, stdout, _ := runGito(t, "rollback", "--help")
	for _, line := range strings.Split(stdout, "\n") {
		if (strings.Contains(line, "--service") || strings.Contains(line, "--env ")) && strings.Contains(line, "release") {
			t.Errorf("rollback --help: %q", line)
		}
	}
	if !strings.Contains(stdout, "-s, --service string") || !strings.Contains(stdout, "-e, --env string") {
		t.Errorf("rollback --help lacks -s/-e:\n%s", stdout)
	}
}
