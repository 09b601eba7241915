package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// PushOptions describes a lease-guarded branch update.
type PushOptions struct {
	SHA    string
	Branch string
	// ExpectedRemoteSHA is where the branch must be on the remote for the push to go
	// through; "" means the branch must not exist yet.
	ExpectedRemoteSHA string
	DryRun            bool
}

var fullSHA = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)

// Push sets opts.Branch on the remote to opts.SHA, replacing whatever is there only if it is
// still opts.ExpectedRemoteSHA. A moved branch yields an error wrapping ErrStaleLease.
func (r *Repo) Push(ctx context.Context, opts PushOptions) error {
	if err := checkBranch(opts.Branch); err != nil {
		return err
	}
	if !fullSHA.MatchString(opts.SHA) {
		return fmt.Errorf("push %s: invalid commit %q", opts.Branch, opts.SHA)
	}
	if opts.ExpectedRemoteSHA != "" && !fullSHA.MatchString(opts.ExpectedRemoteSHA) {
		return fmt.Errorf("push %s: invalid expected commit %q", opts.Branch, opts.ExpectedRemoteSHA)
	}
	ref := "refs/heads/" + opts.Branch
	args := []string{"push", "--porcelain", "--no-verify"}
	if opts.DryRun {
		args = append(args, "--dry-run")
	}
	args = append(args, "--force-with-lease="+ref+":"+opts.ExpectedRemoteSHA, "origin", opts.SHA+":"+ref)
	out, err := r.git.run(ctx, cmd{dir: r.dir, args: args, env: r.env})
	if err == nil {
		return nil
	}
	// --porcelain reports each ref on stdout: "!\t<src>:<dst>\t[rejected] (stale info)".
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Split(line, "\t")
		if len(fields) < 3 || fields[0] != "!" {
			continue
		}
		if lostRace(fields[2]) {
			return fmt.Errorf("push %s: %w", opts.Branch, ErrStaleLease)
		}
		var gitErr *Error
		if errors.As(err, &gitErr) {
			gitErr.Line = fields[2]
		}
	}
	return fmt.Errorf("push %s: %w", opts.Branch, err)
}

// lostRace recognises the ways a remote reports that another push to the same branch got
// there first: the lease no longer matches (stale info), or the concurrent update held the
// ref's lock when ours arrived (failed to update ref, cannot lock ref, incorrect old value).
func lostRace(status string) bool {
	for _, s := range []string{"stale info", "failed to update ref", "cannot lock ref", "incorrect old value", "fetch first"} {
		if strings.Contains(status, s) {
			return true
		}
	}
	return false
}
