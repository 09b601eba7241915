package gitrepo

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Git's tree entry modes.
const (
	modeFile    = "100644"
	modeExec    = "100755"
	modeSymlink = "120000"
	modeTree    = "40000"
	modeGitlink = "160000"
)

// treeItem is one entry of a tree object.
type treeItem struct {
	mode, name, oid string
}

func (t treeItem) isTree() bool { return t.mode == modeTree }

// parseTree decodes a raw tree object: "<mode> <name>\0<hash>" entries.
func parseTree(data []byte, hashLen int) ([]treeItem, error) {
	var items []treeItem
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		nul := bytes.IndexByte(data, 0)
		if sp < 0 || nul < sp || len(data) < nul+1+hashLen {
			return nil, fmt.Errorf("malformed tree object")
		}
		items = append(items, treeItem{mode: string(data[:sp]), name: string(data[sp+1 : nul]), oid: hex.EncodeToString(data[nul+1 : nul+1+hashLen])})
		data = data[nul+1+hashLen:]
	}
	return items, nil
}

// encodeTree is parseTree's inverse, in git's order: names compare bytewise, a tree's as if
// it ended in "/".
func encodeTree(items []treeItem) ([]byte, error) {
	sorted := slices.Clone(items)
	key := func(t treeItem) string {
		if t.isTree() {
			return t.name + "/"
		}
		return t.name
	}
	slices.SortFunc(sorted, func(a, b treeItem) int { return strings.Compare(key(a), key(b)) })
	var buf bytes.Buffer
	for _, t := range sorted {
		raw, err := hex.DecodeString(t.oid)
		if err != nil {
			return nil, fmt.Errorf("tree entry %s: bad object id %q", t.name, t.oid)
		}
		buf.WriteString(t.mode + " " + t.name + "\x00")
		buf.Write(raw)
	}
	return buf.Bytes(), nil
}

// objectID is the name git gives an object of kind with data, in the repository's hash (the
// length of an id it already has tells SHA-1 from SHA-256).
func objectID(kind string, data []byte, hashLen int) string {
	var h hash.Hash = sha1.New()
	if hashLen == sha256.Size {
		h = sha256.New()
	}
	h.Write([]byte(kind + " " + strconv.Itoa(len(data)) + "\x00"))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// readTrees reads tree objects by name (an object id, or "rev:dir"); names that are no tree
// are absent from the result.
func (r *Repo) readTrees(ctx context.Context, names []string) (map[string][]treeItem, error) {
	objs, err := r.batch(ctx, r.dir, nil, names)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]treeItem, len(objs))
	for name, obj := range objs {
		if obj.kind != "tree" {
			continue
		}
		items, err := parseTree(obj.data, obj.hashLen)
		if err != nil {
			return nil, fmt.Errorf("read tree %s: %w", name, err)
		}
		out[name] = items
	}
	return out, nil
}

// treeFile is a file of a listing: its mode and blob.
type treeFile struct {
	mode, oid string
}

// listCone lists the files of commit's tree that a sparse checkout in cone mode of dirs would
// have: every file under each dir, and the files directly in the root and in each dir's
// ancestors (so .gito.yaml is there). No dirs means every file. Trees are read level by level,
// each level in one request to the long-lived reader; only the trees on the way are read.
func (r *Repo) listCone(ctx context.Context, commit string, dirs []string) (map[string]treeFile, error) {
	wanted := map[string]bool{} // dirs listed entirely
	ancestors := map[string]bool{"": true}
	for _, d := range dirs {
		wanted[d] = true
		for a := path.Dir(d); a != "."; a = path.Dir(a) {
			ancestors[a] = true
		}
	}
	type pending struct {
		name, dir string // the tree's name for cat-file, and its path
		all       bool
	}
	files := map[string]treeFile{}
	level := []pending{{name: commit + "^{tree}", all: len(dirs) == 0 || wanted[""]}}
	for len(level) > 0 {
		var names []string
		for _, p := range level {
			names = append(names, p.name) // a tree at two paths is asked for twice: harmless
		}
		trees, err := r.readTrees(ctx, names)
		if err != nil {
			return nil, err
		}
		var next []pending
		for _, p := range level {
			items, ok := trees[p.name]
			if !ok {
				return nil, fmt.Errorf("list %s: tree %s is not in the cache", commit, p.name)
			}
			for _, it := range items {
				rel := it.name
				if p.dir != "" {
					rel = p.dir + "/" + it.name
				}
				switch {
				case it.isTree() && (p.all || wanted[rel]):
					next = append(next, pending{name: it.oid, dir: rel, all: true})
				case it.isTree() && ancestors[rel]:
					next = append(next, pending{name: it.oid, dir: rel})
				case !it.isTree() && it.mode != modeGitlink && (p.all || ancestors[p.dir]):
					files[rel] = treeFile{mode: it.mode, oid: it.oid}
				}
			}
		}
		level = next
	}
	return files, nil
}

// DirEntry is one entry of a directory in a commit's tree.
type DirEntry struct {
	Name  string
	IsDir bool
}

// ListDir lists one directory of commit's tree ("" is the root) through the long-lived
// reader: no process, no recursive listing. ok is false when the commit has no such
// directory.
func (r *Repo) ListDir(ctx context.Context, commit, dir string) (entries []DirEntry, ok bool, err error) {
	if commit == "" || strings.HasPrefix(commit, "-") || strings.ContainsAny(commit, " \t\n:") {
		return nil, false, fmt.Errorf("list %s: invalid commit", commit)
	}
	name := commit + "^{tree}"
	if d := strings.Trim(path.Clean("/"+dir), "/"); d != "" {
		name = commit + ":" + d
	}
	trees, err := r.readTrees(ctx, []string{name})
	if err != nil {
		return nil, false, err
	}
	items, ok := trees[name]
	if !ok {
		return nil, false, nil
	}
	for _, it := range items {
		if it.mode != modeGitlink {
			entries = append(entries, DirEntry{Name: it.name, IsDir: it.isTree()})
		}
	}
	return entries, true, nil
}
