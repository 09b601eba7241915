// Package release implements `gito release`.
package release

import (
	"context"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmd/shared"
	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
)

// ReleaseOptions is what `gito release` needs; tests capture it through runF.
type ReleaseOptions struct {
	IO         *iostreams.IOStreams
	Getenv     func(string) string
	HTTPClient func() (*http.Client, error)
	Now        func() time.Time // the clock locks, freezes and gates are evaluated at

	shared.ReleaseFlags
	Wait       shared.WaitFlags
	VersionArg string
	Version    config.Version
	Create     bool
}

// NewCmdRelease builds `gito release`.
func NewCmdRelease(f *cmdutil.Factory, runF func(*ReleaseOptions) error) *cobra.Command {
	opts := &ReleaseOptions{IO: f.IOStreams, Getenv: f.Getenv, HTTPClient: f.HTTPClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "release --service S --env E --version V",
		Short: "Open (or update) the pull request that ships a version to an environment",
		Long: `Rewrite the image tag (and digest) in the overlay of a service for one environment,
sign the changed file, commit it on the branch gito/<env>/<service>, push, and open or update
the overlay's one pull request. Prints the pull request URL.

With --wait, gito then follows the release: until the pull request is merged, until the Argo
CD Application (argocd.app) has synced the merge commit, and until it is Healthy. It exits 5
when the pull request is closed unmerged, the Application is Degraded or --timeout passes.

The edit keeps every other byte of the kustomization (comments, order, quoting), and the
overlay must still render with kustomize and carry the new image, or nothing is written.`,
		Example: `  # Ship v2.3.1 of api to prod
  gito release --service api --env prod --version v2.3.1

  # Pin a digest, open as draft, ask for a review
  gito release -s api -e prod --draft --reviewer alice \
    --version v2.3.1@sha256:6f1ed002ab5595859014ebf0951522d9ed0a3d3b5a8fb5e0d7f3bde17c8b7e1e

  # See what would change, write nothing
  gito release -s api -e staging --version v2.4.0-rc.1 --dry-run

  # From CI: no terminal, token from GH_TOKEN, JSON out
  gito release -s api -e prod --version "$TAG" --yes --json`,
		Args:              cmdutil.NoArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.ReleaseFlags.Validate(opts.Getenv); err != nil {
				return err
			}
			if err := opts.Wait.Validate(); err != nil {
				return err
			}
			if opts.VersionArg == "" {
				return exitcode.FlagErrorf("--version is required")
			}
			v, err := config.ParseVersion("--version", opts.VersionArg)
			if err != nil {
				return &exitcode.FlagError{Err: err}
			}
			opts.Version = v
			if runF != nil {
				return runF(opts)
			}
			return releaseRun(cmd.Context(), opts)
		},
	}
	shared.AddReleaseFlags(cmd, &opts.ReleaseFlags)
	shared.AddOverrideFlag(cmd, &opts.ReleaseFlags)
	shared.AddWaitFlags(cmd, &opts.Wait)
	cmd.Flags().StringVar(&opts.VersionArg, "version", "", "Image tag to release, optionally pinned: TAG or TAG@sha256:DIGEST")
	cmd.Flags().BoolVar(&opts.Create, "create", false, "Create the environment's overlay from the template when it does not exist yet")
	shared.RegisterCompletions(cmd, shared.CompletionDeps{Getenv: f.Getenv, Repo: func() string { return opts.Repo }, HTTPClient: f.HTTPClient})
	return cmd
}

func releaseRun(ctx context.Context, opts *ReleaseOptions) error {
	req := shared.NewRequest(opts.IO, opts.Getenv, opts.HTTPClient, opts.ReleaseFlags)
	req.Now = opts.Now
	req.Version, req.Create = opts.Version, opts.Create
	return shared.Deliver(ctx, opts.IO, req, opts.JSON, opts.Wait)
}
