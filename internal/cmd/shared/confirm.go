package shared

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/pipeline"
)

// confirmer asks before the first write: shows the diff and reads y/n on the terminal.
func confirmer(ios *iostreams.IOStreams) func(pipeline.Confirmation) error {
	return func(c pipeline.Confirmation) error {
		p := c.Plan
		fmt.Fprint(ios.ErrOut, p.Edit.Diff)
		switch {
		case c.Existing != nil:
			fmt.Fprintf(ios.ErrOut, "Push %s and update pull request #%d? [Y/n] ", p.Branch, c.Existing.Number)
		case c.HasForge:
			fmt.Fprintf(ios.ErrOut, "Push %s and open a pull request? [Y/n] ", p.Branch)
		default:
			fmt.Fprintf(ios.ErrOut, "Push %s (no forge is configured: no pull request will be opened)? [Y/n] ", p.Branch)
		}
		line, err := bufio.NewReader(ios.In).ReadString('\n')
		if err != nil && line == "" {
			return exitcode.ErrCancel
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "", "y", "yes":
			return nil
		}
		return exitcode.ErrCancel
	}
}
