package rollback

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
)

func TestNewCmdRollback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		args        []string
		tty         bool
		wantErr     string
		interactive bool
		to          string
		steps       int
	}{
		{name: "tty without --to opens the picker", args: []string{"-s", "api", "-e", "prod"}, tty: true, interactive: true},
		{name: "no tty needs --to or --steps", args: []string{"-s", "api", "-e", "prod"}, wantErr: "--to or --steps is required"},
		{name: "json never opens the picker", args: []string{"-s", "api", "-e", "prod", "--json"}, tty: true, wantErr: "--to or --steps is required"},
		{name: "--to", args: []string{"-s", "api", "-e", "prod", "--to", "v2.3.0", "--yes"}, to: "v2.3.0"},
		{name: "--to on a tty skips the picker", args: []string{"-s", "api", "-e", "prod", "--to", "v2.3.0"}, tty: true, to: "v2.3.0"},
		{name: "--steps", args: []string{"-s", "api", "-e", "prod", "--steps", "2"}, steps: 2},
		{name: "both", args: []string{"-s", "api", "-e", "prod", "--to", "v1", "--steps", "1"}, wantErr: "cannot be combined"},
		{name: "zero steps", args: []string{"-s", "api", "-e", "prod", "--steps", "0"}, wantErr: "--steps must be 1 or more"},
		{name: "bad --to", args: []string{"-s", "api", "-e", "prod", "--to", "v1\nx"}, wantErr: `--to "v1\nx" is not a valid image tag`},
		{name: "missing env", args: []string{"-s", "api", "--to", "v1"}, wantErr: "--env is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ios, _, _, _ := iostreams.Test()
			ios.SetTTY(tt.tty)
			f := &cmdutil.Factory{IOStreams: ios, Getenv: func(string) string { return "" }}
			var got *RollbackOptions
			cmd := NewCmdRollback(f, func(o *RollbackOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			_, err := cmd.ExecuteC()
			if tt.wantErr != "" {
				var flagErr *exitcode.FlagError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "unknown") && !asFlagError(err, &flagErr) {
					t.Errorf("err %v should be a usage error (exit 2)", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Interactive != tt.interactive || got.To != tt.to || got.Steps != tt.steps {
				t.Errorf("options: interactive=%v to=%q steps=%d", got.Interactive, got.To, got.Steps)
			}
		})
	}
}

func asFlagError(err error, target **exitcode.FlagError) bool {
	fe, ok := err.(*exitcode.FlagError)
	if ok {
		*target = fe
	}
	return ok
}
