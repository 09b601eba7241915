package completion

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
)

func TestNewCmdCompletion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args      []string
		wantShell string
		wantErr   string
	}{
		{args: []string{"bash"}, wantShell: "bash"},
		{args: []string{"zsh"}, wantShell: "zsh"},
		{args: []string{"fish"}, wantShell: "fish"},
		{args: []string{"powershell"}, wantShell: "powershell"},
		{args: nil, wantErr: "name the shell: bash, zsh, fish or powershell"},
		{args: []string{"pwsh"}, wantErr: `unsupported shell "pwsh": use bash, zsh, fish or powershell`},
		{args: []string{"bash", "zsh"}, wantErr: "expected one shell, got 2 arguments: bash zsh"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			ios, _, _, _ := iostreams.Test()
			var got *CompletionOptions
			cmd := NewCmdCompletion(&cmdutil.Factory{IOStreams: ios}, func(o *CompletionOptions) error {
				got = o
				return nil
			})
			root := &cobra.Command{Use: "gito"}
			root.AddCommand(cmd)
			root.SetArgs(append([]string{"completion"}, tt.args...))
			root.SetOut(&bytes.Buffer{})
			root.SetErr(&bytes.Buffer{})
			err := root.Execute()
			if tt.wantErr != "" {
				var flagErr *exitcode.FlagError
				if !errors.As(err, &flagErr) {
					t.Fatalf("error = %v, want a usage error", err)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("error = %q, want %q", err, tt.wantErr)
				}
				if got != nil {
					t.Error("run function called despite the usage error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Shell != tt.wantShell {
				t.Errorf("Shell = %q, want %q", got.Shell, tt.wantShell)
			}
			if got.Root != root {
				t.Error("Root is not the command tree's root")
			}
		})
	}
}

func TestCompletionRun(t *testing.T) {
	t.Parallel()
	// Each script must name the program and hook into its shell's own completion system.
	markers := map[string][]string{
		"bash":       {"__start_gito()", "complete -o default -F __start_gito gito"},
		"zsh":        {"#compdef gito", "compdef _gito gito"},
		"fish":       {"complete -c gito", "__gito_perform_completion"},
		"powershell": {"Register-ArgumentCompleter", "-CommandName 'gito'"},
	}
	for _, shell := range Shells() {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			ios, _, stdout, stderr := iostreams.Test()
			root := &cobra.Command{Use: "gito"}
			root.AddCommand(&cobra.Command{Use: "version", Run: func(*cobra.Command, []string) {}})
			if err := completionRun(&CompletionOptions{IO: ios, Shell: shell, Root: root}); err != nil {
				t.Fatal(err)
			}
			for _, m := range markers[shell] {
				if !strings.Contains(stdout.String(), m) {
					t.Errorf("%s script lacks %q", shell, m)
				}
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr = %q, want nothing", stderr)
			}
		})
	}
}

func TestWriteRejectsUnknownShell(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	err := Write(&buf, &cobra.Command{Use: "gito"}, "tcsh")
	if err == nil || !strings.Contains(err.Error(), `"tcsh"`) {
		t.Errorf("error = %v, want one naming the shell", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes for an unknown shell", buf.Len())
	}
}
