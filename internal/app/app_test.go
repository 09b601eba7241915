package app

import (
	"context"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/iostreams"
)

// With --json, a failure is also one object on stdout, so a bot never parses an empty stdout.
func TestRunJSONError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args     []string
		wantJSON string
		code     int
	}{
		{[]string{"release", "-s", "api", "-e", "prod", "--json"}, `{"error":"--version is required","code":2}`, 2},
		{[]string{"history", "-s", "api", "-e", "prod", "--json"}, `"code":2}`, 2},
		{[]string{"release", "-s", "api", "-e", "prod"}, "", 2},
	}
	for _, tt := range tests {
		ios, _, out, _ := iostreams.Test()
		f := NewFactory(func(string) string { return "" })
		f.IOStreams = ios
		dir := t.TempDir()
		f.Getenv = func(k string) string {
			if k == "HOME" || k == "XDG_CONFIG_HOME" {
				return dir
			}
			return ""
		}
		code := Run(context.Background(), f, tt.args)
		if code != tt.code {
			t.Errorf("gito %q exit = %d, want %d", tt.args, code, tt.code)
		}
		got := strings.TrimSpace(out.String())
		if tt.wantJSON == "" && got != "" || !strings.Contains(got, tt.wantJSON) {
			t.Errorf("gito %q stdout = %q, want %q", tt.args, got, tt.wantJSON)
		}
	}
}

func TestRunUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		code    int
		wantErr string
	}{
		{[]string{"release", "--env", "prod", "--version", "v1"}, 2, "--repo is required"}, // -s is settled by the repo
		{[]string{"release", "-s", "api", "--version", "v1"}, 2, "gito: --env is required"},
		{[]string{"release", "-s", "api", "-e", "prod"}, 2, "gito: --version is required"},
		{[]string{"release", "-s", "../etc", "-e", "prod", "--version", "v1"}, 2, `--service "../etc" is not a valid name`},
		{[]string{"release", "-s", "api", "-e", "prod", "--version", "v1\nx: y"}, 2, "--version"},
		{[]string{"release", "-s", "api", "-e", "prod", "--version", "v1", "--base", "-x"}, 2, `--base "-x" is not a valid branch name`},
		{[]string{"release", "--bogus"}, 2, "unknown flag: --bogus"},
		{[]string{"release", "-s", "api", "-e", "prod", "--version", "v1"}, 2, "--repo is required"},
		{[]string{"help", "exit-codes"}, 0, ""},
	}
	for _, tt := range tests {
		ios, _, _, errOut := iostreams.Test()
		f := NewFactory(func(string) string { return "" })
		f.IOStreams = ios
		f.Getenv = func(k string) string {
			if k == "HOME" || k == "XDG_CONFIG_HOME" {
				return t.TempDir()
			}
			return ""
		}
		code := Run(context.Background(), f, tt.args)
		if code != tt.code {
			t.Errorf("gito %q exit = %d, want %d (stderr %q)", tt.args, code, tt.code, errOut.String())
		}
		if tt.wantErr != "" {
			first := strings.SplitN(errOut.String(), "\n", 2)[0]
			if !strings.Contains(first, tt.wantErr) {
				t.Errorf("gito %q stderr first line = %q, want %q", tt.args, first, tt.wantErr)
			}
		}
	}
}

func TestUnknownCommandIsUsage(t *testing.T) {
	t.Parallel()
	ios, _, _, errOut := iostreams.Test()
	f := NewFactory(func(string) string { return "" })
	f.IOStreams = ios
	if code := Run(context.Background(), f, []string{"relase"}); code != 2 {
		t.Errorf("exit = %d, want 2; stderr %q", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), `unknown command "relase"`) {
		t.Errorf("stderr = %q", errOut.String())
	}
}

func TestVersionOf(t *testing.T) {
	t.Parallel()
	info := func(v string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) { return &debug.BuildInfo{Main: debug.Module{Version: v}}, true }
	}
	tests := []struct {
		ldflags string
		read    func() (*debug.BuildInfo, bool)
		want    string
	}{
		{"v1.2.3", info("v9.9.9"), "v1.2.3"},
		{"dev", info("v1.4.0"), "v1.4.0"},
		{"dev", info("(devel)"), "dev"},
		{"dev", func() (*debug.BuildInfo, bool) { return nil, false }, "dev"},
	}
	for _, tt := range tests {
		if got := versionOf(tt.ldflags, tt.read); got != tt.want {
			t.Errorf("versionOf(%q) = %q, want %q", tt.ldflags, got, tt.want)
		}
	}
}
