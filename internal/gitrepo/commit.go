package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CommitOptions describes one commit in a Worktree.
type CommitOptions struct {
	Message string
	// Paths limits the commit to these repo-relative paths (additions, edits, deletions);
	// empty means every change.
	Paths []string
	// AuthorName and AuthorEmail default to the environment (GIT_AUTHOR_*), then git's
	// configuration; with no email anywhere Commit refuses (ErrNoIdentity).
	AuthorName, AuthorEmail string
	// SigningKey is what git's user.signingkey would say for an SSH key: a key path, or
	// "key::<public key>" for a key held by the ssh-agent. When set, the commit is SSH-signed
	// with it through options on this one git process; nothing is written to any config.
	// When empty, the user's git config decides (commit.gpgsign).
	SigningKey string
}

// ErrNoIdentity means no author email was found: a release authored by a made-up identity
// would hide who shipped it.
var ErrNoIdentity = errors.New("no git identity for the commit: run git config --global user.email you@example.com (and user.name), or in CI set GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL")

// Commit stages opts.Paths and commits them on the worktree's detached HEAD, returning the
// new commit's SHA. ErrNothingToCommit when nothing changed.
func (w *Worktree) Commit(ctx context.Context, opts CommitOptions) (string, error) {
	if strings.TrimSpace(opts.Message) == "" {
		return "", fmt.Errorf("commit: empty message")
	}
	g := w.repo.git
	add := []string{"add", "--all", "--"}
	if len(opts.Paths) == 0 {
		add = append(add, ".")
	}
	if _, err := g.output(ctx, w.path, w.repo.env, append(add, opts.Paths...)...); err != nil {
		return "", fmt.Errorf("stage changes: %w", err)
	}
	_, err := g.output(ctx, w.path, nil, "diff", "--cached", "--quiet")
	var gitErr *Error
	switch {
	case err == nil:
		return "", ErrNothingToCommit
	case errors.As(err, &gitErr) && gitErr.ExitCode == 1:
	default:
		return "", fmt.Errorf("stage changes: %w", err)
	}
	ident, err := w.identityEnv(ctx, opts)
	if err != nil {
		return "", err
	}
	var args []string
	if key := opts.SigningKey; key != "" {
		if !strings.HasPrefix(key, "key::") {
			abs, err := filepath.Abs(key)
			if err != nil {
				return "", fmt.Errorf("signing key %s: %w", key, err)
			}
			key = abs
		}
		args = append(args, "-c", "gpg.format=ssh", "-c", "user.signingkey="+key, "-c", "commit.gpgsign=true")
	}
	// Hooks are the user's, meant for their own commits, not for gito's; the message is
	// kept as written (lines starting with # included).
	args = append(args, "commit", "--quiet", "--no-verify", "--cleanup=whitespace", "--file=-")
	env := append(append([]string(nil), w.repo.env...), ident...)
	if _, err := g.run(ctx, cmd{dir: w.path, args: args, env: env, stdin: strings.NewReader(opts.Message)}); err != nil {
		return "", err
	}
	out, err := g.output(ctx, w.path, nil, "rev-parse", "--verify", "HEAD")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// identityEnv sets author and committer through the environment where neither the options,
// the inherited environment nor git's configuration name them.
func (w *Worktree) identityEnv(ctx context.Context, opts CommitOptions) ([]string, error) {
	base := w.repo.git.Env
	if base == nil {
		base = os.Environ()
	}
	out, err := w.repo.git.output(ctx, w.path, nil, "config", "--get-regexp", `^(user|author|committer)\.(name|email)$`)
	var gitErr *Error
	if err != nil && !(errors.As(err, &gitErr) && gitErr.ExitCode == 1) {
		return nil, fmt.Errorf("read git identity: %w", err)
	}
	cfg := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, " "); ok {
			cfg[k] = v
		}
	}
	var env []string
	email := ""
	for _, f := range []struct{ field, given string }{
		{"email", opts.AuthorEmail},
		{"name", opts.AuthorName},
	} {
		upper := strings.ToUpper(f.field)
		author, _ := envValue(base, "GIT_AUTHOR_"+upper)
		author = firstNonEmpty(f.given, author, cfg["author."+f.field], cfg["user."+f.field])
		if author == "" && f.field == "email" {
			author, _ = envValue(base, "EMAIL")
		}
		switch {
		case author == "" && f.field == "email":
			return nil, ErrNoIdentity
		case f.field == "email":
			email = author
		case author == "":
			author, _, _ = strings.Cut(email, "@") // as git does without user.name: the mail's local part
		}
		env = append(env, "GIT_AUTHOR_"+upper+"="+author)
		committer, _ := envValue(base, "GIT_COMMITTER_"+upper)
		if firstNonEmpty(committer, cfg["committer."+f.field], cfg["user."+f.field]) == "" {
			env = append(env, "GIT_COMMITTER_"+upper+"="+author)
		}
	}
	return env, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
