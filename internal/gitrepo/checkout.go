package gitrepo

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
)

// Checkout describes a user's own clone that gito was pointed at or runs inside.
type Checkout struct {
	Root   string // top-level directory of the work tree
	Origin string // URL of its origin remote, "" when it has none
}

// FindCheckout reports the non-bare work tree that dir is in, if any. A bare repository or a
// directory outside git is not a checkout (ok false, no error): gito then uses dir as a remote
// itself.
func FindCheckout(ctx context.Context, dir string) (c Checkout, ok bool, err error) {
	g := &Git{}
	out, err := g.output(ctx, dir, nil, "rev-parse", "--is-bare-repository", "--show-toplevel")
	var gitErr *Error
	if errors.As(err, &gitErr) {
		return Checkout{}, false, nil // not a repository
	}
	if err != nil {
		return Checkout{}, false, err
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 2 || lines[0] != "false" {
		return Checkout{}, false, nil
	}
	c.Root = filepath.Clean(lines[1])
	origin, err := g.output(ctx, c.Root, nil, "config", "--get", "remote.origin.url")
	if err != nil && !(errors.As(err, &gitErr) && gitErr.ExitCode == 1) {
		return Checkout{}, false, err
	}
	c.Origin = strings.TrimSpace(string(origin))
	return c, true, nil
}
