package pipeline

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/release"
)

// progressWriter is stderr on a terminal and nil (silent) otherwise, so CI logs carry only
// warnings and errors.
func progressWriter(io *iostreams.IOStreams) io.Writer {
	if io.IsStderrTTY() {
		return io.ErrOut
	}
	return nil
}

func progressFunc(ios *iostreams.IOStreams) func(format string, args ...any) {
	w := progressWriter(ios)
	return func(format string, args ...any) {
		if w != nil {
			fmt.Fprintf(w, format+"\n", args...)
		}
	}
}

// confirm shows the diff and asks before the first write, on a terminal without --yes.
func confirm(req Request, p *release.Plan, hasForge bool, existing *forge.PullRequest) error {
	if req.Flags.Yes || !req.IO.CanPrompt() {
		return nil
	}
	fmt.Fprint(req.IO.ErrOut, p.Edit.Diff)
	switch {
	case existing != nil:
		fmt.Fprintf(req.IO.ErrOut, "Push %s and update pull request #%d? [Y/n] ", p.Branch, existing.Number)
	case hasForge:
		fmt.Fprintf(req.IO.ErrOut, "Push %s and open a pull request? [Y/n] ", p.Branch)
	default:
		fmt.Fprintf(req.IO.ErrOut, "Push %s (no forge is configured: no pull request will be opened)? [Y/n] ", p.Branch)
	}
	line, err := bufio.NewReader(req.IO.In).ReadString('\n')
	if err != nil && line == "" {
		return cmdutil.ErrCancel
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "", "y", "yes":
		return nil
	}
	return cmdutil.ErrCancel
}
