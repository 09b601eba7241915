package gitrepo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// update brings the cache's branches to where the remote has them. One ls-remote says where
// every branch is and where HEAD points; a branch at a commit the cache already has (the
// release branch this cache pushed, a branch another gito fetched) moves with update-ref; only
// branches at commits the cache lacks are fetched, one commit deep in a shallow cache; branches
// the remote no longer has are dropped. When nothing moved, a warm release pays one round trip
// and no fetch. Called under the lock.
func (r *Repo) update(ctx context.Context) error {
	started := time.Now()
	remote, head, err := r.lsRemote(ctx)
	if err != nil {
		return err
	}
	local, localHead, err := r.trackingRefs(ctx)
	if err != nil {
		return err
	}
	var moved []string
	for branch, sha := range remote {
		if local[RemoteRef(branch)] != sha {
			moved = append(moved, sha)
		}
	}
	have, err := r.present(ctx, moved)
	if err != nil {
		return err
	}
	var fetch []string   // refspecs of the branches at unknown commits
	var updates []string // update-ref --stdin commands
	for branch, sha := range remote {
		tracking := RemoteRef(branch)
		switch {
		case local[tracking] == sha:
		case have[sha]:
			updates = append(updates, "update "+tracking+" "+sha)
		default:
			fetch = append(fetch, "+refs/heads/"+branch+":"+tracking)
		}
	}
	for tracking := range local {
		if _, ok := remote[strings.TrimPrefix(tracking, RemoteRef(""))]; !ok {
			updates = append(updates, "delete "+tracking)
		}
	}
	if len(fetch) > 0 {
		if err := r.fetchRefspecs(ctx, fetch); err != nil {
			return err
		}
	}
	if len(updates) > 0 {
		stdin := strings.Join(updates, "\n") + "\n"
		if _, err := r.git.run(ctx, cmd{dir: r.dir, args: []string{"update-ref", "--stdin"}, stdin: strings.NewReader(stdin)}); err != nil {
			return fmt.Errorf("update branches: %w", err)
		}
	}
	if head != "" {
		r.mu.Lock()
		r.defaultBranch = head
		r.mu.Unlock()
		if localHead != RemoteRef(head) {
			// Shell completion, which works offline, reads the default branch from here.
			if _, err := r.git.output(ctx, r.dir, nil, "symbolic-ref", RemoteRef("HEAD"), RemoteRef(head)); err != nil {
				return fmt.Errorf("record the default branch: %w", err)
			}
		}
	}
	r.recordFetch(started)
	if len(fetch) > 0 && !r.isShallow() {
		return r.writeCommitGraph(ctx, r.dir)
	}
	return nil
}

// lsRemote lists the remote's branches and the branch its HEAD names ("" when the remote does
// not say, as over dumb HTTP).
func (r *Repo) lsRemote(ctx context.Context) (branches map[string]string, head string, err error) {
	out, err := r.git.output(ctx, r.dir, r.env, "ls-remote", "--symref", "origin", "HEAD", "refs/heads/*")
	if err != nil {
		return nil, "", fmt.Errorf("list the branches of %s: %w", r.remote.url, err)
	}
	branches = map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if target, ok := strings.CutPrefix(line, "ref: refs/heads/"); ok {
			if b, _, found := strings.Cut(target, "\tHEAD"); found {
				head = b
			}
			continue
		}
		sha, ref, ok := strings.Cut(line, "\t")
		if b, isBranch := strings.CutPrefix(ref, "refs/heads/"); ok && isBranch && fullSHA.MatchString(sha) {
			branches[b] = sha
		}
	}
	return branches, head, nil
}

// trackingRefs lists the cache's remote-tracking branches, and what its origin/HEAD points to.
func (r *Repo) trackingRefs(ctx context.Context) (refs map[string]string, head string, err error) {
	out, err := r.git.output(ctx, r.dir, nil, "for-each-ref", "--format=%(objectname) %(refname) %(symref)", RemoteRef(""))
	if err != nil {
		return nil, "", fmt.Errorf("list branches: %w", err)
	}
	refs = map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[1] == RemoteRef("HEAD"):
			head = f[2]
		case len(f) == 2:
			refs[f[1]] = f[0]
		}
	}
	return refs, head, nil
}

// present reports which of oids the cache holds. It asks through the probe repository, which
// has no promisor remote: asking the cache itself would fetch each missing commit, with all
// its history.
func (r *Repo) present(ctx context.Context, oids []string) (map[string]bool, error) {
	have := map[string]bool{}
	if len(oids) == 0 {
		return have, nil
	}
	probe, err := r.probeDir(ctx)
	if err != nil {
		return nil, err
	}
	env := []string{"GIT_DIR=" + probe, "GIT_OBJECT_DIRECTORY=" + filepath.Join(r.dir, "objects")}
	out, err := r.git.run(ctx, cmd{args: []string{"cat-file", "--batch-check=%(objectname) %(objecttype)"}, env: env,
		stdin: strings.NewReader(strings.Join(oids, "\n") + "\n")})
	if err != nil {
		return nil, fmt.Errorf("check the cache: %w", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if oid, ok := strings.CutSuffix(line, " commit"); ok {
			have[oid] = true
		}
	}
	return have, nil
}

// fetchRefspecs fetches the given branches, one commit deep when the cache is shallow.
func (r *Repo) fetchRefspecs(ctx context.Context, refspecs []string) error {
	args := []string{"fetch", "--no-tags", "--no-write-fetch-head", "--stdin"}
	if r.isShallow() {
		args = append(args, "--depth=1")
	}
	if r.progress != nil {
		args = append(args, "--progress")
	}
	stdin := strings.Join(refspecs, "\n") + "\n"
	if _, err := r.git.run(ctx, cmd{dir: r.dir, args: append(args, "origin"), env: r.env, stdin: strings.NewReader(stdin), progress: r.progress}); err != nil {
		return err
	}
	return nil
}

// fetchedPath records when the last complete update of the cache started.
func (r *Repo) fetchedPath() string { return r.dir + ".fetched" }

// recordFetch notes that an update which started at t has completed. Called under the lock.
func (r *Repo) recordFetch(t time.Time) {
	tmp := r.fetchedPath() + ".tmp"
	if os.WriteFile(tmp, []byte(strconv.FormatInt(t.UnixNano(), 10)), 0o600) == nil {
		_ = os.Rename(tmp, r.fetchedPath())
	}
}

// fetchedSince reports whether an update that started at or after t has completed.
func (r *Repo) fetchedSince(t time.Time) bool {
	data, err := os.ReadFile(r.fetchedPath())
	if err != nil {
		return false
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	return err == nil && !time.Unix(0, ns).Before(t)
}
