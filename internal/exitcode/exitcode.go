// Package exitcode holds gito's typed errors and the one mapping from an error to the exit
// code documented in `gito help exit-codes`. It imports no cobra, so domain packages (workspace,
// forge, gitrepo) can return these errors and internal/app only asks Code.
package exitcode

import (
	"context"
	"errors"
	"fmt"
)

// Exit codes.
const (
	OK          = 0
	Error       = 1
	Usage       = 2
	Verify      = 3
	Auth        = 4
	NotDeployed = 5
	Cancelled   = 130
)

// coded is implemented by every error that decides its own exit code.
type coded interface{ ExitCode() int }

// Code maps an error to its exit code: the first error in the chain that carries a code wins;
// cancellation is 130; anything else is 1.
func Code(err error) int {
	if err == nil {
		return OK
	}
	var c coded
	if errors.As(err, &c) {
		return c.ExitCode()
	}
	if errors.Is(err, context.Canceled) {
		return Cancelled
	}
	return Error
}

// sentinel is a comparable error value with a code, for errors.Is checks across packages.
type sentinel struct {
	msg  string
	code int
}

func (s *sentinel) Error() string { return s.msg }
func (s *sentinel) ExitCode() int { return s.code }

// Sentinel makes a sentinel error (var ErrX = exitcode.Sentinel(...)) that exits with code.
func Sentinel(code int, msg string) error { return &sentinel{msg: msg, code: code} }

// ErrCancel means the user cancelled (Esc, q, Ctrl-C). Exit 130, nothing written.
var ErrCancel = Sentinel(Cancelled, "cancelled")

// FlagError is a usage problem: a missing or malformed flag, argument or input. Exit 2.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }
func (e *FlagError) ExitCode() int { return Usage }

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}

// AuthError is an authentication or authorisation failure against a forge, a git remote, a
// registry or Argo CD. Exit 4. Hint tells the user what to do next.
type AuthError struct {
	Err  error
	Hint string
}

func (e *AuthError) Error() string { return e.Err.Error() }
func (e *AuthError) Unwrap() error { return e.Err }
func (e *AuthError) ExitCode() int { return Auth }

// VerifyError means signature verification failed. Exit 3.
type VerifyError struct{ Err error }

func (e *VerifyError) Error() string { return e.Err.Error() }
func (e *VerifyError) Unwrap() error { return e.Err }
func (e *VerifyError) ExitCode() int { return Verify }
