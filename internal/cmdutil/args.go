package cmdutil

import (
	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/exitcode"
)

// NoArgs is cobra.Args for a command that takes none: a stray word is a usage error naming
// it and the command (cobra's own NoArgs calls it an "unknown command").
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return exitcode.FlagErrorf("unexpected argument %q: %s takes no arguments", args[0], cmd.CommandPath())
	}
	return nil
}
