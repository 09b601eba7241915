// Package promote implements `gito promote`.
package promote

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmd/shared"
	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/pipeline"
)

// PromoteOptions is what `gito promote` needs.
type PromoteOptions struct {
	IO         *iostreams.IOStreams
	Getenv     func(string) string
	HTTPClient func() (*http.Client, error)
	Now        func() time.Time // the clock locks, freezes and gates are evaluated at

	shared.ReleaseFlags
	Wait shared.WaitFlags
	From string
	To   string
}

// NewCmdPromote builds `gito promote`.
func NewCmdPromote(f *cmdutil.Factory, runF func(*PromoteOptions) error) *cobra.Command {
	opts := &PromoteOptions{IO: f.IOStreams, Getenv: f.Getenv, HTTPClient: f.HTTPClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "promote --service S --from E1 --to E2",
		Short: "Ship exactly what one environment runs (tags and digests) to another",
		Long: `Read the image references the --from overlay renders (tag and digest) and release them to
the --to environment through the same pipeline as release: edit, render check, sign, commit
on gito/<to>/<service>, push, and open or update the pull request, whose title and body name
both environments. --dry-run, --json, --wait, no-op and update behave as for release.`,
		Example: `  gito promote -s api --from staging --to prod
  gito promote -s api --from staging --to prod --dry-run`,
		Args:              cmdutil.NoArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("env") {
				return exitcode.FlagErrorf("promote takes --from and --to, not --env")
			}
			if opts.From == "" {
				return exitcode.FlagErrorf("--from is required")
			}
			if opts.To == "" {
				return exitcode.FlagErrorf("--to is required")
			}
			if err := config.ValidateName("--from", opts.From); err != nil {
				return &exitcode.FlagError{Err: err}
			}
			if opts.From == opts.To {
				return exitcode.FlagErrorf("--from and --to are both %q: promote ships one environment's release to another", opts.From)
			}
			opts.Env = opts.To
			if err := opts.ReleaseFlags.Validate(opts.Getenv); err != nil {
				return err
			}
			if err := opts.Wait.Validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return promoteRun(cmd.Context(), opts)
		},
	}
	shared.AddReleaseFlags(cmd, &opts.ReleaseFlags)
	shared.AddOverrideFlag(cmd, &opts.ReleaseFlags)
	_ = cmd.Flags().MarkHidden("env")
	shared.AddWaitFlags(cmd, &opts.Wait)
	deps := shared.CompletionDeps{Getenv: f.Getenv, Repo: func() string { return opts.Repo }}
	shared.RegisterCompletions(cmd, deps)
	cmd.Flags().StringVar(&opts.From, "from", "", "Environment whose image references to ship")
	cmd.Flags().StringVar(&opts.To, "to", "", "Environment to ship them to")
	shared.RegisterEnvCompletion(cmd, "from", deps)
	shared.RegisterEnvCompletion(cmd, "to", deps)
	return cmd
}

func promoteRun(ctx context.Context, opts *PromoteOptions) error {
	req := shared.NewRequest(opts.IO, opts.Getenv, opts.HTTPClient, opts.ReleaseFlags)
	req.Now = opts.Now
	// Both overlays are read: a full work tree, not the sparse one of a single env.
	open := req
	open.Env = ""
	ws, err := pipeline.Open(ctx, open)
	if err != nil {
		return err
	}
	defer ws.Close()
	if opts.Service == "" {
		if opts.Service, err = ws.OneService(ctx); err != nil {
			return err
		}
		req.Service = opts.Service
	}
	v, err := pipeline.RenderedVersion(ctx, ws, opts.Service, opts.From, "--from")
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "%s in %s runs %s\n", opts.Service, opts.From, v)
	req.Workspace, req.Version, req.PromoteFrom = ws, v, opts.From
	return shared.Deliver(ctx, opts.IO, req, opts.JSON, opts.Wait)
}
