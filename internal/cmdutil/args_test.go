package cmdutil

import (
	"errors"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/exitcode"
)

func TestNoArgs(t *testing.T) {
	t.Parallel()
	root := &cobra.Command{Use: "gito"}
	cmd := &cobra.Command{Use: "version"}
	root.AddCommand(cmd)
	if err := NoArgs(cmd, nil); err != nil {
		t.Errorf("no arguments: %v", err)
	}
	err := NoArgs(cmd, []string{"extra-arg", "more"})
	var flagErr *exitcode.FlagError
	if !errors.As(err, &flagErr) {
		t.Fatalf("NoArgs(extra-arg) = %v, want a usage error", err)
	}
	if want := `unexpected argument "extra-arg": gito version takes no arguments`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
