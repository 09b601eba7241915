package shared

import (
	"context"
	"slices"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/workspace"
)

// RegisterEnvCompletion completes flag (promote's --from and --to) with the environments of
// the --service given so far, offline, as --env completes. Register it after
// RegisterCompletions, which would otherwise complete a --to flag with versions.
func RegisterEnvCompletion(cmd *cobra.Command, flag string, d CompletionDeps) {
	_ = cmd.RegisterFlagCompletionFunc(flag, func(c *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
		defer cancel()
		service, _ := c.Flags().GetString("service")
		names := workspace.Completer{Getenv: d.Getenv, Remote: d.Repo()}.Envs(ctx, service)
		slices.Sort(names)
		return filterPrefix(names, prefix), cobra.ShellCompDirectiveNoFileComp
	})
}
