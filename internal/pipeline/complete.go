package pipeline

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/overlay"
	"github.com/gito-dev/gito/internal/workspace"
)

// CompletionDeps is what dynamic completion reads: no network, only a local checkout or
// the cache of an earlier run.
type CompletionDeps struct {
	Getenv func(string) string
	// Repo returns the --repo flag's value at completion time.
	Repo func() string
}

// RegisterCompletions completes --service and --env from the infra repo's layout.
func RegisterCompletions(cmd *cobra.Command, d CompletionDeps) {
	_ = cmd.RegisterFlagCompletionFunc("service", func(c *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		root, cfg, ok := completionTree(d)
		if !ok {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names, _ := overlay.Services(root, cfg)
		return filterPrefix(names, prefix), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("env", func(c *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		root, cfg, ok := completionTree(d)
		if !ok {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		service, _ := c.Flags().GetString("service")
		names, _ := overlay.Envs(root, cfg, service)
		return filterPrefix(names, prefix), cobra.ShellCompDirectiveNoFileComp
	})
	for _, name := range []string{"label", "reviewer", "base"} {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
}

// completionTree finds a directory holding the infra repo's files without fetching: a local
// checkout named by --repo or GITO_REPO.
func completionTree(d CompletionDeps) (string, *config.Repo, bool) {
	remote, err := workspace.ResolveRemote(d.Repo(), d.Getenv)
	if err != nil {
		return "", nil, false
	}
	remote = strings.TrimPrefix(remote, "file://")
	st, err := os.Stat(filepath.Join(remote, ".git"))
	if err != nil && !isWorkTree(remote) {
		return "", nil, false
	}
	_ = st
	cfg, err := config.LoadRepo(remote)
	if err != nil {
		return "", nil, false
	}
	return remote, cfg, true
}

func isWorkTree(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, config.FileName))
	return err == nil
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
