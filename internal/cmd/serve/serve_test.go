package serve

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/iostreams"
)

func TestNewCmdServe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    ServeOptions
		wantErr string
	}{
		{name: "defaults", want: ServeOptions{Listen: "127.0.0.1:4355", TokenFile: "/var/run/argo/token", Refresh: 30 * time.Second}},
		{name: "flags", args: []string{"--repo", "https://x/infra.git", "--listen", ":4355", "--token-file", "t", "--refresh", "5s", "--refresh-timeout", "4s", "--base", "main", "--allowed-signers", "a"},
			want: ServeOptions{Repo: "https://x/infra.git", Listen: ":4355", TokenFile: "t", Refresh: 5 * time.Second, RefreshTimeout: 4 * time.Second, Base: "main", AllowedSigners: "a"}},
		{name: "env", env: map[string]string{"GITO_REPO": "/srv/infra.git", "GITO_ALLOWED_SIGNERS": "/etc/s"},
			want: ServeOptions{Repo: "/srv/infra.git", Listen: "127.0.0.1:4355", TokenFile: "/var/run/argo/token", Refresh: 30 * time.Second, AllowedSigners: "/etc/s"}},
		{name: "refresh too short", args: []string{"--refresh", "10ms"}, wantErr: "--refresh must be at least 1s"},
		{name: "refresh timeout too short", args: []string{"--refresh-timeout", "500ms"}, wantErr: "--refresh-timeout must be at least 1s"},
		{name: "bad listen", args: []string{"--listen", "4355"}, wantErr: "--listen"},
		{name: "no token file", args: []string{"--token-file", ""}, wantErr: "--token-file is required"},
		{name: "bad base", args: []string{"--base", "main:evil"}, wantErr: "not a valid branch name"},
		{name: "arguments", args: []string{"extra"}, wantErr: `unexpected argument "extra": serve takes no arguments`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ios, _, _, _ := iostreams.Test()
			var got *ServeOptions
			f := &cmdutil.Factory{IOStreams: ios, Getenv: func(k string) string { return tc.env[k] }}
			cmd := NewCmdServe(f, func(o *ServeOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			type flags struct {
				Repo, Base, Listen, TokenFile, AllowedSigners string
				Refresh, RefreshTimeout                       time.Duration
			}
			g := flags{got.Repo, got.Base, got.Listen, got.TokenFile, got.AllowedSigners, got.Refresh, got.RefreshTimeout}
			w := flags{tc.want.Repo, tc.want.Base, tc.want.Listen, tc.want.TokenFile, tc.want.AllowedSigners, tc.want.Refresh, tc.want.RefreshTimeout}
			if g != w {
				t.Errorf("options %+v\nwant    %+v", g, w)
			}
		})
	}
}

func TestServeRunRefusesAMissingTokenFile(t *testing.T) {
	t.Parallel()
	ios, _, _, _ := iostreams.Test()
	err := serveRun(t.Context(), &ServeOptions{IO: ios, Getenv: func(string) string { return "" }, Repo: "/x", Listen: "127.0.0.1:0", TokenFile: t.TempDir() + "/none", Refresh: time.Second})
	if err == nil || !strings.Contains(err.Error(), "--token-file") {
		t.Fatalf("err = %v", err)
	}
}

func TestRefreshTimeoutDefaultsToTheInterval(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ refresh, timeout, want time.Duration }{
		{time.Second, 0, minRefreshTimeout},
		{2 * time.Minute, 0, 2 * time.Minute},
		{time.Second, 3 * time.Second, 3 * time.Second},
	} {
		if got := refreshTimeout(&ServeOptions{Refresh: tc.refresh, RefreshTimeout: tc.timeout}); got != tc.want {
			t.Errorf("--refresh %s --refresh-timeout %s: %s, want %s", tc.refresh, tc.timeout, got, tc.want)
		}
	}
}
