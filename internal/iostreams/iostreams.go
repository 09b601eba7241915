// Package iostreams carries the process's standard streams and what is known about them
// (terminal or not, colour or not), so commands never touch os.Stdout directly.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// IOStreams is passed to every command. Data goes to Out, progress and prompts to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool

	colorEnabled bool
	neverPrompt  bool
	termWidth    int
	stdinFile    *os.File
	stdoutFile   *os.File
	stderrFile   *os.File
}

// System returns streams bound to the process's stdin/stdout/stderr. getenv is injected so
// NO_COLOR, CI and GITO_NO_PROMPT are read from the caller's environment.
func System(getenv func(string) string) *IOStreams {
	s := &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		stdinTTY:   isTerminal(os.Stdin),
		stdoutTTY:  isTerminal(os.Stdout),
		stderrTTY:  isTerminal(os.Stderr),
		stdinFile:  os.Stdin,
		stdoutFile: os.Stdout,
		stderrFile: os.Stderr,
	}
	s.colorEnabled = s.stderrTTY && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
	s.neverPrompt = getenv("GITO_NO_PROMPT") != "" || getenv("CI") != ""
	return s
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// Test returns non-terminal streams backed by buffers: stdin, stdout, stderr.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// SetTTY marks all three streams as terminals (or not); for tests.
func (s *IOStreams) SetTTY(tty bool) { s.stdinTTY, s.stdoutTTY, s.stderrTTY = tty, tty, tty }

// SetNeverPrompt forbids interactive prompts even on a terminal.
func (s *IOStreams) SetNeverPrompt(v bool) { s.neverPrompt = v }

// SetColorEnabled forces colour on or off.
func (s *IOStreams) SetColorEnabled(v bool) { s.colorEnabled = v }

func (s *IOStreams) IsStdoutTTY() bool  { return s.stdoutTTY }
func (s *IOStreams) IsStderrTTY() bool  { return s.stderrTTY }
func (s *IOStreams) ColorEnabled() bool { return s.colorEnabled }

// CanPrompt reports whether gito may ask the user something: stdin and stdout are terminals
// and neither CI nor GITO_NO_PROMPT is set.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stdoutTTY && !s.neverPrompt }

// TerminalFiles returns the real terminal files for a TUI (input, output drawn on stderr).
// Both are nil for test streams.
func (s *IOStreams) TerminalFiles() (in *os.File, out *os.File) { return s.stdinFile, s.stderrFile }
