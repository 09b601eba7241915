package promote

import (
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/iostreams"
)

func TestNewCmdPromote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    string
		wantErr string
		check   func(t *testing.T, o *PromoteOptions)
	}{
		{args: "-s api --from staging --to prod --wait --repo /r", check: func(t *testing.T, o *PromoteOptions) {
			if o.From != "staging" || o.To != "prod" || o.Env != "prod" || o.Wait.Until != "healthy" || o.Wait.Timeout != 30*time.Minute {
				t.Errorf("options = %+v", o)
			}
		}},
		{args: "-s api --from staging --to prod --wait=merged --timeout 90s --repo /r", check: func(t *testing.T, o *PromoteOptions) {
			if o.Wait.Until != "merged" || o.Wait.Timeout != 90*time.Second {
				t.Errorf("wait = %+v", o.Wait)
			}
		}},
		{args: "-s api --from prod --to prod", wantErr: `--from and --to are both "prod": promote ships one environment's release to another`},
		{args: "-s api --to prod", wantErr: "--from is required"},
		{args: "-s api --from staging", wantErr: "--to is required"},
		{args: "-s api --from staging --to prod -e prod", wantErr: "promote takes --from and --to, not --env"},
		{args: "-s api --from ../x --to prod", wantErr: `--from "../x" is not a valid name`},
		{args: "-s api --from staging --to prod --wait=bogus", wantErr: `--wait "bogus" is not one of merged, synced, healthy`},
		{args: "-s api --from staging --to prod --timeout -1s", wantErr: "--timeout must be more than 0, got -1s"},
	}
	for _, tt := range tests {
		ios, _, _, _ := iostreams.Test()
		f := &cmdutil.Factory{IOStreams: ios, Getenv: func(string) string { return "" }}
		var got *PromoteOptions
		cmd := NewCmdPromote(f, func(o *PromoteOptions) error { got = o; return nil })
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
