// Package cmdutil holds what commands share: the Factory of injected dependencies and the
// argument checks. The typed errors that internal/app maps to exit codes live in exitcode.
package cmdutil

import (
	"net/http"
	"time"

	"github.com/gito-dev/gito/internal/iostreams"
)

// Factory hands commands their dependencies. Fields are set by internal/app for the real
// program and by tests for fakes; nothing here is global, so tests run in parallel.
type Factory struct {
	IOStreams *iostreams.IOStreams

	// Getenv reads the environment (tokens, GITO_REPO, XDG dirs, NO_COLOR, CI).
	Getenv func(string) string
	// HTTPClient is the client every forge API call goes through; tests swap its transport.
	HTTPClient func() (*http.Client, error)
	// Now is the clock.
	Now func() time.Time

	// Build information, set through ldflags.
	Version   string
	Commit    string
	BuildDate string
}
