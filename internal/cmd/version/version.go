// Package version implements `gito version`.
package version

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/iostreams"
)

// VersionOptions is what `gito version` needs.
type VersionOptions struct {
	IO        *iostreams.IOStreams
	Version   string
	Commit    string
	BuildDate string
	JSON      bool
}

// NewCmdVersion builds `gito version`.
func NewCmdVersion(f *cmdutil.Factory, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: f.IOStreams, Version: f.Version, Commit: f.Commit, BuildDate: f.BuildDate}
	cmd := &cobra.Command{
		Use:               "version",
		Short:             "Print gito's version, commit, build date and Go version",
		Args:              cmdutil.NoArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		Example:           "  gito version\n  gito version --json",
		RunE: func(_ *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "Print as JSON")
	return cmd
}

func versionRun(opts *VersionOptions) error {
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		return enc.Encode(map[string]string{
			"version": opts.Version, "commit": opts.Commit, "date": opts.BuildDate, "go": runtime.Version(),
		})
	}
	_, err := fmt.Fprintf(opts.IO.Out, "gito %s (commit %s, built %s, %s)\n", opts.Version, opts.Commit, opts.BuildDate, runtime.Version())
	return err
}
