package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes, documented in `gito help exit-codes`. internal/app is the only place that maps
// errors to them.
const (
	ExitOK        = 0
	ExitError     = 1
	ExitUsage     = 2
	ExitVerify    = 3
	ExitAuth      = 4
	ExitCancelled = 130
)

// FlagError is a usage problem: a missing or malformed flag or argument. Exit 2.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}

// ErrCancel means the user cancelled (Esc, q, Ctrl-C). Exit 130, nothing written.
var ErrCancel = errors.New("cancelled")

// ErrSilent is returned when the command already printed its failure. Exit 1.
var ErrSilent = errors.New("silent error")

// AuthError is an authentication or authorisation failure against a forge or a git remote.
// Exit 4. Hint tells the user what to do next.
type AuthError struct {
	Err  error
	Hint string
}

func (e *AuthError) Error() string { return e.Err.Error() }
func (e *AuthError) Unwrap() error { return e.Err }

// VerifyError means signature verification failed. Exit 3.
type VerifyError struct{ Err error }

func (e *VerifyError) Error() string { return e.Err.Error() }
func (e *VerifyError) Unwrap() error { return e.Err }

// MutuallyExclusive returns a FlagError when more than one of the conditions holds.
func MutuallyExclusive(message string, conditions ...bool) error {
	n := 0
	for _, c := range conditions {
		if c {
			n++
		}
	}
	if n > 1 {
		return FlagErrorf("%s", message)
	}
	return nil
}
