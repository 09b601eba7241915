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
		fmt.Fprintf(ios.ErrOut, "Push %s and %s? [Y/n] ", p.Branch, PullRequestPhrase(c.HasForge, c.Existing))
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
