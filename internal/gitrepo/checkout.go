package gitrepo

import (
	"context"
	"errors"
	"fmt"
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

// TopLevel is the root of the work tree dir is in; ok is false outside one (a bare repository,
// a directory outside git, a tree exported without .git).
func TopLevel(ctx context.Context, dir string) (root string, ok bool) {
	out, err := (&Git{}).output(ctx, dir, nil, "rev-parse", "--show-toplevel")
	top := strings.TrimSpace(string(out))
	if err != nil || top == "" {
		return "", false
	}
	return filepath.Clean(top), true
}

// ConfigValue is a git config value as git in dir sees it: the repository's own config (when
// dir is in one), then the user's. An unset key is "", not an error.
func ConfigValue(ctx context.Context, dir, key string) (string, error) {
	if key == "" || strings.HasPrefix(key, "-") {
		return "", fmt.Errorf("git config: invalid key %q", key)
	}
	out, err := (&Git{}).output(ctx, dir, nil, "config", "--get", key)
	var gitErr *Error
	if errors.As(err, &gitErr) && gitErr.ExitCode == 1 {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
