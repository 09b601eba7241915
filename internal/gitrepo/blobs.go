package gitrepo

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// ReadBlobs returns the contents of "rev:path" specs; specs naming nothing are absent from the
// map. In the blobless cache the blobs it lacks are fetched in one request before they are
// read, instead of one round trip per blob.
func (r *Repo) ReadBlobs(ctx context.Context, specs []string) (map[string][]byte, error) {
	return r.readBlobs(ctx, specs, true)
}

// readBlobs resolves specs to blob ids and reads them in one cat-file process. With fetch,
// the blobs a blobless cache lacks are first fetched in one request; without, they are left
// out: the probe repository has no promisor remote, so git reports them missing instead of
// fetching them one by one.
func (r *Repo) readBlobs(ctx context.Context, specs []string, fetch bool) (map[string][]byte, error) {
	blobOf, err := r.resolveBlobs(ctx, specs)
	if err != nil || len(blobOf) == 0 {
		return nil, err
	}
	oids := uniqueValues(blobOf)
	dir, env := r.dir, []string(nil) // the long-lived reader, which has r.env
	if fetch || r.local {
		if err := r.prefetch(ctx, oids); err != nil {
			return nil, err
		}
	} else {
		probe, err := r.probeDir(ctx)
		if err != nil {
			return nil, err
		}
		dir, env = "", []string{"GIT_DIR=" + probe, "GIT_OBJECT_DIRECTORY=" + filepath.Join(r.dir, "objects")}
	}
	objects, err := r.batch(ctx, dir, env, oids)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(blobOf))
	for spec, oid := range blobOf {
		if obj, ok := objects[oid]; ok && obj.kind == "blob" {
			out[spec] = obj.data
		}
	}
	return out, nil
}

// resolveBlobs maps each spec to its blob's object name by reading the parent trees, which a
// blobless clone always has; asking git for the blob itself would fetch it, one at a time.
func (r *Repo) resolveBlobs(ctx context.Context, specs []string) (map[string]string, error) {
	treeOf := map[string]string{} // spec -> "rev:dir"
	var trees []string            // each "rev:dir" once: the files of one directory share it
	queued := map[string]bool{}
	blobOf := map[string]string{}
	for _, spec := range specs {
		if isObjectID(spec) {
			blobOf[spec] = spec // already a blob id (history reads ids from git log --raw)
			continue
		}
		rev, p, ok := strings.Cut(spec, ":")
		if !ok || rev == "" || strings.HasPrefix(rev, "-") || strings.ContainsAny(spec, "\n") {
			return nil, fmt.Errorf("read blobs: invalid spec %q", spec)
		}
		dir := path.Dir(path.Clean("/" + p))
		tree := rev + ":" + strings.TrimPrefix(dir, "/")
		treeOf[spec] = tree
		if !queued[tree] {
			queued[tree] = true
			trees = append(trees, tree)
		}
	}
	if len(trees) == 0 {
		return blobOf, nil
	}
	objects, err := r.batch(ctx, r.dir, nil, trees)
	if err != nil {
		return nil, err
	}
	for spec, tree := range treeOf {
		obj, ok := objects[tree]
		if !ok || obj.kind != "tree" {
			continue
		}
		items, err := parseTree(obj.data, obj.hashLen)
		if err != nil {
			continue // a tree git itself wrote: never, but then the spec names nothing
		}
		_, p, _ := strings.Cut(spec, ":")
		name := path.Base(path.Clean("/" + p))
		for _, it := range items {
			if it.name == name && !it.isTree() && it.mode != modeGitlink {
				blobOf[spec] = it.oid
			}
		}
	}
	return blobOf, nil
}

// prefetch fetches the objects the cache lacks in one request. Presence is checked through a
// repository that shares the cache's objects but has no promisor remote, so the check itself
// never fetches.
func (r *Repo) prefetch(ctx context.Context, oids []string) error {
	if r.local {
		return nil // a checkout has its blobs
	}
	probe, err := r.probeDir(ctx)
	if err != nil {
		return err
	}
	env := []string{"GIT_DIR=" + probe, "GIT_OBJECT_DIRECTORY=" + filepath.Join(r.dir, "objects")}
	out, err := r.git.run(ctx, cmd{args: []string{"cat-file", "--batch-check=%(objectname)"}, env: env,
		stdin: strings.NewReader(strings.Join(oids, "\n") + "\n")})
	if err != nil {
		return fmt.Errorf("read blobs: %w", err)
	}
	var missing []string
	for _, line := range strings.Split(string(out), "\n") {
		if oid, ok := strings.CutSuffix(line, " missing"); ok {
			missing = append(missing, oid)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	args := []string{"-c", "fetch.negotiationAlgorithm=noop", "fetch", "--quiet", "--no-tags",
		"--no-write-fetch-head", "--recurse-submodules=no", "--filter=blob:none", "--stdin", "origin"}
	_, err = r.git.run(ctx, cmd{dir: r.dir, args: args, env: r.env, stdin: strings.NewReader(strings.Join(missing, "\n") + "\n")})
	if err != nil {
		return fmt.Errorf("fetch blobs: %w", err)
	}
	return nil
}

// probeDir returns (creating once) an empty bare repository next to the cache.
func (r *Repo) probeDir(ctx context.Context) (string, error) {
	probe := r.dir + ".probe"
	if _, err := os.Stat(filepath.Join(probe, "HEAD")); err == nil {
		return probe, nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(r.dir), "."+filepath.Base(probe)+".tmp-")
	if err != nil {
		return "", fmt.Errorf("read blobs: %w", err)
	}
	defer os.RemoveAll(tmp)
	if _, err := r.git.output(ctx, "", nil, "init", "--quiet", "--bare", "--template=", tmp); err != nil {
		return "", fmt.Errorf("read blobs: %w", err)
	}
	// Another process may have won the race; its probe is as good as ours.
	if err := os.Rename(tmp, probe); err != nil {
		if _, statErr := os.Stat(filepath.Join(probe, "HEAD")); statErr != nil {
			return "", fmt.Errorf("read blobs: %w", err)
		}
	}
	return probe, nil
}

type object struct {
	oid     string
	kind    string
	data    []byte
	hashLen int
}

// batch reads objects with `git cat-file --batch`; names git cannot find are absent. Reads
// of the cache itself go through its long-lived reader; other object stores (the probe) get
// a process of their own.
func (r *Repo) batch(ctx context.Context, dir string, env []string, names []string) (map[string]object, error) {
	if len(names) == 0 {
		return nil, nil
	}
	if dir == r.dir && env == nil {
		cat, err := r.objects(ctx)
		if err != nil {
			return nil, err
		}
		return cat.read(ctx, names)
	}
	var stdout bytes.Buffer
	_, err := r.git.run(ctx, cmd{dir: dir, args: []string{"cat-file", "--batch"}, env: env,
		stdin: strings.NewReader(strings.Join(names, "\n") + "\n"), stdout: &stdout})
	if err != nil {
		return nil, fmt.Errorf("read objects: %w", err)
	}
	objects := make(map[string]object, len(names))
	rd := bufio.NewReader(&stdout)
	for _, name := range names {
		header, err := rd.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("read objects: %s: truncated output", name)
		}
		if strings.HasSuffix(header, " missing\n") || strings.HasSuffix(header, " ambiguous\n") {
			continue
		}
		f := strings.Fields(header)
		if len(f) != 3 {
			return nil, fmt.Errorf("read objects: %s: bad header %q", name, header)
		}
		size, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, fmt.Errorf("read objects: %s: bad header %q", name, header)
		}
		data := make([]byte, size+1) // content and the trailing newline
		if _, err := io.ReadFull(rd, data); err != nil {
			return nil, fmt.Errorf("read objects: %s: truncated output", name)
		}
		objects[name] = object{oid: f[0], kind: f[1], data: data[:size], hashLen: len(f[0]) / 2}
	}
	return objects, nil
}

func uniqueValues(m map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range m {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// isObjectID reports whether s is a full SHA-1 or SHA-256 object name.
func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ReadCachedBlobs is ReadBlobs without the network: blobs a blobless cache lacks are simply
// absent from the result. Shell completion uses it, because a TAB press must not wait for a
// remote.
func (r *Repo) ReadCachedBlobs(ctx context.Context, specs []string) (map[string][]byte, error) {
	return r.readBlobs(ctx, specs, false)
}
