package gitrepo

import (
	"errors"
	"regexp"
	"strings"

	"github.com/gito-dev/gito/internal/exitcode"
)

var (
	// ErrAuth means the remote refused our credentials or asked for ones we could not give.
	// It exits 4.
	ErrAuth = exitcode.Sentinel(exitcode.Auth, "authentication failed")
	// ErrStaleLease means the remote branch moved since it was read: the push was refused.
	ErrStaleLease = errors.New("remote branch changed since it was read")
	// ErrNothingToCommit means the worktree had no change to the given paths.
	ErrNothingToCommit = errors.New("nothing to commit")
)

// Error is a failed git command, summarised to one line.
type Error struct {
	Command  string // the git subcommand, e.g. "fetch"
	Line     string // the first meaningful line of stderr
	Stderr   string // all of stderr, secrets redacted
	ExitCode int    // -1 when git did not exit normally
	kind     error  // ErrAuth or nil
}

func (e *Error) Error() string { return "git " + e.Command + ": " + e.Line }

// Unwrap exposes the classified cause, so errors.Is(err, ErrAuth) works.
func (e *Error) Unwrap() error { return e.kind }

func newError(args []string, stderr string, runErr error, secrets []string) *Error {
	for _, s := range secrets {
		stderr = strings.ReplaceAll(stderr, s, "***")
	}
	e := &Error{Command: subcommand(args), Stderr: stderr, ExitCode: exitCode(runErr)}
	e.Line = firstMeaningfulLine(stderr)
	if e.Line == "" {
		e.Line = runErr.Error()
		for _, s := range secrets {
			e.Line = strings.ReplaceAll(e.Line, s, "***")
		}
	}
	if isAuthFailure(stderr) {
		e.kind = ErrAuth
	}
	if m := redirectStatus.FindStringSubmatch(stderr); m != nil {
		e.Line = redirectLine(m[1])
	}
	return e
}

// redirectStatus is how git reports a redirect it did not follow (http.followRedirects=false).
var redirectStatus = regexp.MustCompile(`returned error: (30[1-8])\b`)

func redirectLine(status string) string {
	return "the remote answered a redirect (HTTP " + status + "); gito gives git its token for the remote's own scheme, host and port and follows no redirect: set the remote to the URL it moved to"
}

// firstMeaningfulLine returns the line that best says what went wrong: git's first own
// fatal or error line unless it is a generic one, else the first line that is not progress,
// a hint or a warning, else the first warning.
func firstMeaningfulLine(stderr string) string {
	lines := strings.FieldsFunc(stderr, func(r rune) bool { return r == '\n' || r == '\r' })
	var other, warning string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || isNoise(l):
		case strings.HasPrefix(l, "warning:"):
			if warning == "" {
				warning = l
			}
		case (strings.HasPrefix(l, "fatal:") || strings.HasPrefix(l, "error:")) && !isGeneric(l):
			return l
		case other == "":
			other = l
		}
	}
	if other != "" {
		return other
	}
	return warning
}

// genericLines follow a more specific message (from ssh or the remote) and add nothing.
var genericLines = []string{
	"fatal: Could not read from remote repository",
	"error: failed to push some refs",
}

func isGeneric(l string) bool {
	for _, g := range genericLines {
		if strings.HasPrefix(l, g) {
			return true
		}
	}
	return false
}

var noisePrefixes = []string{
	"hint:", "Cloning into", "From ", "To ", "remote: Enumerating", "remote: Counting",
	"remote: Compressing", "remote: Total", "Receiving objects", "Resolving deltas",
	"Counting objects", "Compressing objects", "Writing objects", "Enumerating objects",
	"Delta compression", "Total ", "Updating files", "Preparing worktree", "HEAD is now at",
}

func isNoise(l string) bool {
	for _, p := range noisePrefixes {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// authMarkers are what git, GitHub, GitLab and ssh print when credentials are wrong or missing.
var authMarkers = []string{
	"authentication failed",
	"could not read username",
	"could not read password",
	"the requested url returned error: 401",
	"the requested url returned error: 403",
	"http basic: access denied",
	"invalid username or password",
	"permission denied (publickey",
	"terminal prompts disabled",
}

func isAuthFailure(stderr string) bool {
	s := strings.ToLower(stderr)
	for _, m := range authMarkers {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}
