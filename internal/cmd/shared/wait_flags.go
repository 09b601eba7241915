package shared

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/wait"
)

// WaitFlags are --wait and --timeout of release, promote and rollback.
type WaitFlags struct {
	Until   string // "" (no wait), merged, synced, healthy
	Timeout time.Duration
	// KubeContext is --kube-context: the kube context of the Flux cluster (else the user
	// config's kubeContexts for the env, else the kubeconfig's current context).
	KubeContext string
}

// DefaultWaitTimeout bounds --wait when --timeout is not given.
const DefaultWaitTimeout = 30 * time.Minute

// AddWaitFlags registers --wait[=merged|synced|healthy] (bare: healthy) and --timeout.
func AddWaitFlags(cmd *cobra.Command, fl *WaitFlags) {
	f := cmd.Flags()
	f.StringVar(&fl.Until, "wait", "", "After the pull request, wait until it is merged, synced by Argo CD or Flux, or healthy (bare --wait: healthy)")
	f.Lookup("wait").NoOptDefVal = wait.UntilHealthy
	f.DurationVar(&fl.Timeout, "timeout", DefaultWaitTimeout, "Give up waiting after this long (exit 5)")
	_ = cmd.RegisterFlagCompletionFunc("wait", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{wait.UntilMerged, wait.UntilSynced, wait.UntilHealthy}, cobra.ShellCompDirectiveNoFileComp
	})
	f.StringVar(&fl.KubeContext, "kube-context", "", "With Flux: the kubeconfig context of the cluster to follow (default: kubeContexts in the user config, else the current context)")
	_ = cmd.RegisterFlagCompletionFunc("timeout", cobra.NoFileCompletions)
	_ = cmd.RegisterFlagCompletionFunc("kube-context", cobra.NoFileCompletions)
}

// Validate refuses an unknown --wait value and a --timeout that is not positive.
func (fl *WaitFlags) Validate() error {
	if _, err := wait.ParseUntil(fl.Until); err != nil {
		return &exitcode.FlagError{Err: err}
	}
	if fl.Timeout <= 0 {
		return exitcode.FlagErrorf("--timeout must be more than 0, got %s", fl.Timeout)
	}
	return nil
}
