// Package completion implements `gito completion bash|zsh|fish|powershell`.
package completion

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
)

// Shells returns the shells gito writes completion scripts for, in the order help lists them.
func Shells() []string { return []string{"bash", "zsh", "fish", "powershell"} }

// CompletionOptions is what `gito completion` needs.
type CompletionOptions struct {
	IO    *iostreams.IOStreams
	Shell string
	// Root is the command tree the script completes; the script itself asks the binary for
	// candidates at run time through cobra's hidden __complete command.
	Root *cobra.Command
}

// NewCmdCompletion builds `gito completion`.
func NewCmdCompletion(f *cmdutil.Factory, runF func(*CompletionOptions) error) *cobra.Command {
	opts := &CompletionOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "completion {bash|zsh|fish|powershell}",
		Short: "Print the shell completion script for bash, zsh, fish or powershell",
		Long: `Print a script that completes gito's commands, flags and the names of services,
environments and versions in the infra repo.

Bash (needs the bash-completion package for the best results):
  echo 'eval "$(gito completion bash)"' >> ~/.bashrc

Zsh (in ~/.zshrc, after compinit):
  eval "$(gito completion zsh)"
or write it once into a directory on $fpath:
  gito completion zsh > "${fpath[1]}/_gito"

Fish:
  gito completion fish > ~/.config/fish/completions/gito.fish

PowerShell (in $PROFILE):
  gito completion powershell | Out-String | Invoke-Expression

Release archives and the deb, rpm and Homebrew packages already install these scripts.`,
		Example: "  mkdir -p ~/.local/share/bash-completion/completions && gito completion bash > ~/.local/share/bash-completion/completions/gito\n" +
			"  mkdir -p ~/.zfunc && gito completion zsh > ~/.zfunc/_gito   # then fpath=(~/.zfunc $fpath) in ~/.zshrc\n" +
			"  mkdir -p ~/.config/fish/completions && gito completion fish > ~/.config/fish/completions/gito.fish",
		DisableFlagsInUseLine: true,
		Args:                  shellArg,
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return []cobra.Completion{
				cobra.CompletionWithDesc("bash", "Bash 4.1 or later"),
				cobra.CompletionWithDesc("zsh", "Z shell"),
				cobra.CompletionWithDesc("fish", "Fish shell"),
				cobra.CompletionWithDesc("powershell", "PowerShell 5 or later"),
			}, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Shell = args[0]
			opts.Root = cmd.Root()
			if runF != nil {
				return runF(opts)
			}
			return completionRun(opts)
		},
	}
	return cmd
}

// shellArg refuses anything but exactly one known shell, as a usage error (exit 2).
func shellArg(_ *cobra.Command, args []string) error {
	want := "bash, zsh, fish or powershell"
	switch {
	case len(args) == 0:
		return exitcode.FlagErrorf("name the shell: %s", want)
	case len(args) > 1:
		return exitcode.FlagErrorf("expected one shell, got %d arguments: %s", len(args), strings.Join(args, " "))
	}
	for _, s := range Shells() {
		if args[0] == s {
			return nil
		}
	}
	return exitcode.FlagErrorf("unsupported shell %q: use %s", args[0], want)
}

func completionRun(opts *CompletionOptions) error {
	return Write(opts.IO.Out, opts.Root, opts.Shell)
}

// Write writes root's completion script for shell to w, with descriptions for every shell
// that can show them. `gito completion` and cmd/gen-docs both use it, so the scripts shipped in
// packages are the ones the command prints.
func Write(w io.Writer, root *cobra.Command, shell string) error {
	var err error
	switch shell {
	case "bash":
		err = root.GenBashCompletionV2(w, true)
	case "zsh":
		err = root.GenZshCompletion(w)
	case "fish":
		err = root.GenFishCompletion(w, true)
	case "powershell":
		err = root.GenPowerShellCompletionWithDesc(w)
	default:
		return fmt.Errorf("unsupported shell %q", shell)
	}
	if err != nil {
		return fmt.Errorf("write %s completion script: %w", shell, err)
	}
	return nil
}
