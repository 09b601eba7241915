package lock

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/iostreams"
)

func TestNewCmdLock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		unlock  bool
		args    string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, o *LockOptions)
	}{
		{args: "-e prod --reason incident --repo /r --yes --auto-merge", check: func(t *testing.T, o *LockOptions) {
			if o.Env != "prod" || o.Service != "" || o.Reason != "incident" || !o.Yes || !o.AutoMerge || o.Unlock {
				t.Errorf("options = %+v", o)
			}
		}},
		{args: "-e prod -s api --reason x", env: map[string]string{"GITO_REPO": "/r", "GITO_SIGNING_KEY": "/k"}, check: func(t *testing.T, o *LockOptions) {
			if o.Service != "api" || o.Repo != "/r" || o.SigningKey != "/k" {
				t.Errorf("options = %+v", o)
			}
		}},
		{unlock: true, args: "-e prod -s api", check: func(t *testing.T, o *LockOptions) {
			if !o.Unlock || o.Env != "prod" || o.Service != "api" {
				t.Errorf("options = %+v", o)
			}
		}},
		{args: "-e prod", wantErr: "--reason is empty: say why"},
		{args: "--reason x", wantErr: "--env is required"},
		{args: "-e Prod --reason x", wantErr: `--env "Prod" is not a valid name`},
		{args: "-e prod -s a/b --reason x", wantErr: `--service "a/b" is not a valid name`},
		{args: "-e prod --reason x --draft --auto-merge", wantErr: "--draft and --auto-merge cannot be combined"},
		{unlock: true, args: "-e prod --reason x", wantErr: "unknown flag: --reason"},
		{args: "-e prod --reason x --pin-digest", wantErr: "unknown flag: --pin-digest"},
	}
	for _, tt := range tests {
		ios, _, _, _ := iostreams.Test()
		f := &cmdutil.Factory{IOStreams: ios, Getenv: func(k string) string { return tt.env[k] }}
		var got *LockOptions
		runF := func(o *LockOptions) error { got = o; return nil }
		var cmd *cobra.Command
		if tt.unlock {
			cmd = NewCmdUnlock(f, runF)
		} else {
			cmd = NewCmdLock(f, runF)
		}
		cmd.SetArgs(strings.Fields(tt.args))
		cmd.SetOut(ios.ErrOut)
		cmd.SetErr(ios.ErrOut)
		err := cmd.Execute()
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.args, err)
			continue
		}
		tt.check(t, got)
	}
}
