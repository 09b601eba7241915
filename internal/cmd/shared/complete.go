package shared

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/workspace"
)

// CompletionDeps is what dynamic completion reads.
type CompletionDeps struct {
	Getenv func(string) string
	// Repo returns the --repo flag's value at completion time.
	Repo func() string
	// HTTPClient, when set, lets --version complete from the registry (registry.check).
	HTTPClient func() (*http.Client, error)
}

// completionTimeout bounds a TAB press; completion reads only local files.
const completionTimeout = 3 * time.Second

// RegisterCompletions completes --service, --env, --version/--to, --label and --reviewer
// from the infra repo (a local checkout or gito's cache; never the network).
func RegisterCompletions(cmd *cobra.Command, d CompletionDeps) {
	register := func(flag string, list func(ctx context.Context, c workspace.Completer, cmd *cobra.Command) []string, keepOrder bool) {
		if cmd.Flags().Lookup(flag) == nil {
			return
		}
		_ = cmd.RegisterFlagCompletionFunc(flag, func(c *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
			defer cancel()
			names := list(ctx, workspace.Completer{Getenv: d.Getenv, Remote: d.Repo()}, c)
			directive := cobra.ShellCompDirectiveNoFileComp
			if keepOrder {
				directive |= cobra.ShellCompDirectiveKeepOrder
			} else {
				slices.Sort(names)
			}
			return filterPrefix(names, prefix), directive
		})
	}
	flag := func(c *cobra.Command, name string) string { v, _ := c.Flags().GetString(name); return v }
	register("service", func(ctx context.Context, co workspace.Completer, _ *cobra.Command) []string {
		return co.Services(ctx)
	}, false)
	register("env", func(ctx context.Context, co workspace.Completer, c *cobra.Command) []string {
		return co.Envs(ctx, flag(c, "service"))
	}, false)
	versions := func(ctx context.Context, co workspace.Completer, c *cobra.Command) []string {
		return co.Versions(ctx, flag(c, "service"), flag(c, "env"), 20)
	}
	register("version", func(ctx context.Context, co workspace.Completer, c *cobra.Command) []string {
		if tags, ok := registryTags(ctx, d, co, flag(c, "service")); ok {
			return tags
		}
		return versions(ctx, co, c)
	}, true)
	register("to", versions, true)
	register("label", func(ctx context.Context, co workspace.Completer, c *cobra.Command) []string {
		return co.Labels(ctx, flag(c, "env"))
	}, false)
	register("reviewer", func(ctx context.Context, co workspace.Completer, c *cobra.Command) []string {
		return co.Reviewers(ctx, flag(c, "env"))
	}, false)
	for _, name := range []string{"base", "repo", "limit", "steps"} {
		if cmd.Flags().Lookup(name) != nil {
			_ = cmd.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
		}
	}
}

func filterPrefix(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}
