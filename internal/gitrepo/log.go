package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// LogQuery is a first-parent log of the commits that changed some paths, as history reads it.
type LogQuery struct {
	Ref    string
	Paths  []string
	Limit  int    // 0: all
	Format string // git log --format; the caller parses what it asked for
}

// Log runs `git log --first-parent -z --raw` for q and returns its output. The commits of a
// shallow cache end at its tips: callers that read the past Deepen first.
func (r *Repo) Log(ctx context.Context, q LogQuery) ([]byte, error) {
	if len(q.Paths) == 0 {
		return nil, errors.New("git log: no paths")
	}
	if q.Ref == "" || strings.HasPrefix(q.Ref, "-") {
		return nil, fmt.Errorf("git log: invalid ref %q", q.Ref)
	}
	args := []string{
		"-c", "log.showSignature=false", "-c", "log.follow=false", "-c", "log.showRoot=true",
		"log", "--first-parent", "--no-color", "--no-decorate", "-z", "--format=" + q.Format,
		// The new blob id of each changed path, so that the files are read by id.
		"--raw", "--no-abbrev", "--no-renames",
	}
	if q.Limit > 0 {
		args = append(args, "-n", strconv.Itoa(q.Limit))
	}
	args = append(args, "--end-of-options", q.Ref, "--")
	// Read-only: no index or ref lock another git may hold is taken.
	out, err := r.git.run(ctx, cmd{dir: r.dir, args: append(args, q.Paths...), env: []string{"GIT_OPTIONAL_LOCKS=0"}})
	var gitErr *Error
	if errors.As(err, &gitErr) {
		gitErr.Command = "log " + q.Ref // "git log main: fatal: …"
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("git log %s: %w", q.Ref, err)
	}
	return out, nil
}

// OpenLocal reads the repository of a checkout in place, as it is: no cache, no fetch. Its
// blobs are all there, so reads never prefetch; nothing writes to it.
func OpenLocal(dir string, g *Git) *Repo {
	if g == nil {
		g = &Git{}
	}
	return &Repo{git: g, dir: dir, local: true, remote: remote{url: dir}}
}
