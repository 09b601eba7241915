package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// CommitOptions describes one commit of a Snapshot.
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

// commitTree writes the commit of tree on parent and returns its SHA. The message is cleaned
// as git commit --cleanup=whitespace would; the commit is signed when opts.SigningKey is set
// or the user's git config says commit.gpgsign (commit-tree, being plumbing, would not read
// it), with the user's gpg.format and user.signingkey.
func (r *Repo) commitTree(ctx context.Context, tree, parent string, opts CommitOptions) (string, error) {
	cfg, err := r.commitConfig(ctx)
	if err != nil {
		return "", err
	}
	ident, err := r.identityEnv(cfg, opts)
	if err != nil {
		return "", err
	}
	var args []string
	sign := gitBool(cfg["commit.gpgsign"])
	if key := opts.SigningKey; key != "" {
		if !strings.HasPrefix(key, "key::") {
			abs, err := filepath.Abs(key)
			if err != nil {
				return "", fmt.Errorf("signing key %s: %w", key, err)
			}
			key = abs
		}
		args = append(args, "-c", "gpg.format=ssh", "-c", "user.signingkey="+key)
		sign = true
	}
	args = append(args, "commit-tree", tree, "-p", parent)
	if sign {
		args = append(args, "-S")
	}
	env := append(append([]string(nil), r.env...), ident...)
	out, err := r.git.run(ctx, cmd{dir: r.dir, args: args, env: env, stdin: strings.NewReader(cleanMessage(opts.Message))})
	if err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	sha := strings.TrimSpace(string(out))
	if !fullSHA.MatchString(sha) {
		return "", fmt.Errorf("commit: commit-tree printed %q", sha)
	}
	return sha, nil
}

// cleanMessage is git's whitespace cleanup: trailing spaces go, runs of blank lines become
// one, leading and trailing blank lines go, and the message ends in one newline.
func cleanMessage(msg string) string {
	var out []string
	blank := false
	for _, line := range strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n") {
		line = strings.TrimRight(line, " \t\r")
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n") + "\n"
}

// gitBool reads a git config boolean as git does: true, yes, on or a non-zero number.
func gitBool(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	if n, err := strconv.Atoi(v); err == nil {
		return n != 0
	}
	return v == "true" || v == "yes" || v == "on"
}

// commitConfig reads the settings a commit depends on (identity and commit.gpgsign) in one
// git call; the cache's own config holds none of them, so they are the user's.
func (r *Repo) commitConfig(ctx context.Context) (map[string]string, error) {
	out, err := r.git.output(ctx, r.dir, nil, "config", "--get-regexp", `^((user|author|committer)\.(name|email)|commit\.gpgsign)$`)
	var gitErr *Error
	if err != nil && !(errors.As(err, &gitErr) && gitErr.ExitCode == 1) {
		return nil, fmt.Errorf("read git identity: %w", err)
	}
	cfg := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, " "); ok {
			cfg[strings.ToLower(k)] = v
		}
	}
	return cfg, nil
}

// identityEnv sets author and committer through the environment where neither the options,
// the inherited environment nor git's configuration name them.
func (r *Repo) identityEnv(cfg map[string]string, opts CommitOptions) ([]string, error) {
	base := r.git.Env
	if base == nil {
		base = os.Environ()
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
