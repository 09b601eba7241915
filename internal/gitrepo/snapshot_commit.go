package gitrepo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Commit records opts.Paths as the snapshot holds them now (edited, added, or deleted) in a
// new commit whose parent is the snapshot's base, and returns its SHA. Nothing is checked out
// and no ref moves: blobs go in with hash-object, the changed trees with one mktree, the
// commit with commit-tree (signed as CommitOptions says). ErrNothingToCommit when every path
// is as the base has it.
func (s *Snapshot) Commit(ctx context.Context, opts CommitOptions) (string, error) {
	if strings.TrimSpace(opts.Message) == "" {
		return "", fmt.Errorf("commit: empty message")
	}
	paths, err := s.commitPaths(opts.Paths)
	if err != nil {
		return "", err
	}
	changes, err := s.changes(ctx, paths)
	if err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	if len(changes) == 0 {
		return "", ErrNothingToCommit
	}
	tree, err := s.repo.writeTrees(ctx, s.base, changes)
	if err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	return s.repo.commitTree(ctx, tree, s.base, opts)
}

// commitPaths cleans the paths to commit; none means every file of the snapshot, and every
// file of the base it no longer has.
func (s *Snapshot) commitPaths(given []string) ([]string, error) {
	var out []string
	for _, p := range given {
		c := path.Clean(filepath.ToSlash(p))
		if c == "." || c == ".." || strings.HasPrefix(c, "../") || path.IsAbs(c) {
			return nil, fmt.Errorf("commit: path %q is not in the repository", p)
		}
		out = append(out, c)
	}
	if len(given) > 0 {
		return out, nil
	}
	for rel := range s.files {
		out = append(out, rel)
	}
	err := filepath.WalkDir(s.path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(s.path, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	slices.Sort(out)
	return slices.Compact(out), err
}

// change is a path's new state: a blob and mode, or deleted (oid "").
type change struct {
	mode, oid string
}

// changes hashes the paths' current contents into the cache and keeps those that differ from
// the base.
func (s *Snapshot) changes(ctx context.Context, paths []string) (map[string]change, error) {
	out := map[string]change{}
	var toHash []string
	modes := map[string]string{}
	for _, rel := range paths {
		fi, err := os.Lstat(s.Abs(rel))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if _, inBase := s.files[rel]; inBase {
				out[rel] = change{}
			}
			continue
		case err != nil:
			return nil, err
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("%s is not a regular file", rel)
		}
		mode := modeFile
		if fi.Mode().Perm()&0o111 != 0 {
			mode = modeExec
		}
		modes[rel] = mode
		toHash = append(toHash, rel)
	}
	if len(toHash) == 0 {
		return out, nil
	}
	var stdin strings.Builder
	for _, rel := range toHash {
		abs := s.Abs(rel)
		if strings.ContainsAny(abs, "\n") {
			return nil, fmt.Errorf("%q: a newline in a path", rel)
		}
		stdin.WriteString(abs + "\n")
	}
	// --no-filters: the bytes gito wrote are the bytes committed, whatever .gitattributes say.
	res, err := s.repo.git.run(ctx, cmd{dir: s.repo.dir, args: []string{"hash-object", "-w", "--no-filters", "--stdin-paths"}, stdin: strings.NewReader(stdin.String())})
	if err != nil {
		return nil, fmt.Errorf("store files: %w", err)
	}
	oids := strings.Fields(string(res))
	if len(oids) != len(toHash) {
		return nil, fmt.Errorf("store files: hash-object gave %d ids for %d files", len(oids), len(toHash))
	}
	for i, rel := range toHash {
		c := change{mode: modes[rel], oid: oids[i]}
		if base, ok := s.files[rel]; ok {
			if base.oid == c.oid && base.mode == c.mode {
				continue
			}
		}
		out[rel] = c
	}
	return out, nil
}

// writeTrees builds the trees of base with changes applied, writes the new ones in one
// `git mktree --batch`, and returns the new root tree. Only the trees on the changed paths
// are read and rewritten; the others are shared with the base.
func (r *Repo) writeTrees(ctx context.Context, base string, changes map[string]change) (string, error) {
	// Every directory on a changed path, the root ("") included.
	dirs := map[string]bool{"": true}
	for rel := range changes {
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	names := map[string]string{} // dir -> its name in the base for cat-file
	var req []string
	for d := range dirs {
		names[d] = base + ":" + d
		if d == "" {
			names[d] = base + "^{tree}"
		}
		req = append(req, names[d])
	}
	trees, err := r.readTrees(ctx, req)
	if err != nil {
		return "", err
	}
	hashLen := len(base) / 2
	// Deepest directories first, so a parent sees its children's new ids.
	order := make([]string, 0, len(dirs))
	for d := range dirs {
		order = append(order, d)
	}
	depth := func(d string) int {
		if d == "" {
			return 0
		}
		return strings.Count(d, "/") + 1
	}
	slices.SortFunc(order, func(a, b string) int {
		if da, db := depth(a), depth(b); da != db {
			return db - da
		}
		return strings.Compare(a, b)
	})
	newTree := map[string]string{} // dir -> new tree id ("" when it became empty)
	var batch bytes.Buffer
	var written []string // the ids of the trees in batch, in order
	for _, d := range order {
		items := map[string]treeItem{}
		for _, it := range trees[names[d]] {
			items[it.name] = it
		}
		for rel, c := range changes {
			if parentDir(rel) != d {
				continue
			}
			name := path.Base(rel)
			if c.oid == "" {
				delete(items, name)
			} else {
				items[name] = treeItem{mode: c.mode, name: name, oid: c.oid}
			}
		}
		for child, oid := range newTree {
			if child == "" || parentDir(child) != d {
				continue
			}
			name := path.Base(child)
			if oid == "" {
				delete(items, name)
			} else {
				items[name] = treeItem{mode: modeTree, name: name, oid: oid}
			}
		}
		if len(items) == 0 && d != "" {
			newTree[d] = "" // git keeps no empty directory
			continue
		}
		list := make([]treeItem, 0, len(items))
		for _, it := range items {
			list = append(list, it)
		}
		raw, err := encodeTree(list)
		if err != nil {
			return "", err
		}
		oid := objectID("tree", raw, hashLen)
		newTree[d] = oid
		for _, it := range list {
			kind := "blob"
			switch it.mode {
			case modeTree:
				kind = "tree"
			case modeGitlink:
				kind = "commit"
			}
			fmt.Fprintf(&batch, "%s %s %s\t%s\x00", it.mode, kind, it.oid, it.name)
		}
		batch.WriteByte(0) // an empty entry ends the tree
		written = append(written, oid)
	}
	// --missing: unchanged blobs of a blobless cache are not here, and need not be.
	out, err := r.git.run(ctx, cmd{dir: r.dir, args: []string{"mktree", "-z", "--missing", "--batch"}, stdin: &batch})
	if err != nil {
		return "", fmt.Errorf("write trees: %w", err)
	}
	var got []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		got = append(got, strings.TrimSpace(sc.Text()))
	}
	if !slices.Equal(got, written) {
		return "", fmt.Errorf("write trees: git named the trees %v, gito computed %v", got, written)
	}
	return newTree[""], nil
}

// parentDir is path.Dir with the root as "".
func parentDir(rel string) string {
	d := path.Dir(rel)
	if d == "." {
		return ""
	}
	return d
}
