package app

import (
	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmd/version"
	"github.com/gito-dev/gito/internal/cmdutil"
)

// commands lists gito's top-level commands; each lives in its own internal/cmd package.
func commands(f *cmdutil.Factory) []*cobra.Command {
	return []*cobra.Command{
		version.NewCmdVersion(f, nil),
	}
}
