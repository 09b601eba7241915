package cmdutil

import "github.com/gito-dev/gito/internal/exitcode"

// MutuallyExclusive returns a usage error when more than one of the conditions holds.
func MutuallyExclusive(message string, conditions ...bool) error {
	n := 0
	for _, c := range conditions {
		if c {
			n++
		}
	}
	if n > 1 {
		return exitcode.FlagErrorf("%s", message)
	}
	return nil
}
