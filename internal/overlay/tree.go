package overlay

import (
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"
)

// Tree is what the layout engine reads to find overlays: directory listings and file types,
// never contents. One engine serves a repo on disk (DiskTree, a release's snapshot) and a
// commit's file listing (ListedTree: status, completion, the snapshot's own planning), so the
// two can never disagree on what is an overlay.
type Tree struct {
	fsys fs.FS
	name string // for messages: the directory, or what the listing is of
	disk string // the root of a DiskTree
}

// DiskTree is the repo at root on disk.
func DiskTree(root string) Tree { return Tree{fsys: os.DirFS(root), name: root, disk: root} }

// confined is t with every symbolic link that leads out of a disk tree refused, for
// listings whose names reach error messages (os.Root closes itself once unused).
func (t Tree) confined() Tree {
	if t.disk == "" {
		return t
	}
	r, err := os.OpenRoot(t.disk)
	if err != nil {
		return t
	}
	return Tree{fsys: r.FS(), name: t.name}
}

// ListedTree is the tree a list of file paths (slash-separated, repo-relative) describes.
func ListedTree(files []string, name string) Tree {
	l := &listing{files: map[string]bool{}, children: map[string][]fs.DirEntry{}}
	seen := map[string]bool{}
	for _, f := range files {
		f = path.Clean(f)
		l.files[f] = true
		l.children[path.Dir(f)] = append(l.children[path.Dir(f)], entry{name: path.Base(f)})
		for d := path.Dir(f); d != "." && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			l.children[path.Dir(d)] = append(l.children[path.Dir(d)], entry{name: path.Base(d), dir: true})
		}
	}
	for d := range l.children {
		slices.SortFunc(l.children[d], func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	}
	return Tree{fsys: l, name: name}
}

// fsPath maps the engine's repo-relative paths ("" is the root) to fs.FS names.
func fsPath(rel string) string {
	if rel == "" {
		return "."
	}
	return path.Clean(rel)
}

func (t Tree) stat(rel string) (fs.FileInfo, error) { return fs.Stat(t.fsys, fsPath(rel)) }

func (t Tree) readDir(rel string) ([]fs.DirEntry, error) { return fs.ReadDir(t.fsys, fsPath(rel)) }

func (t Tree) isDir(rel string) bool {
	fi, err := t.stat(rel)
	return err == nil && fi.IsDir()
}

func (t Tree) isRegular(rel string) bool {
	fi, err := t.stat(rel)
	return err == nil && fi.Mode().IsRegular()
}

// listing is a file list as an fs.FS of names without contents.
type listing struct {
	files    map[string]bool
	children map[string][]fs.DirEntry // dir ("." for the root) -> its entries, sorted
}

func (l *listing) Open(name string) (fs.File, error) {
	fi, err := l.Stat(name)
	if err != nil {
		return nil, err
	}
	return emptyFile{fi.(entry)}, nil
}

func (l *listing) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	if l.files[name] {
		return entry{name: path.Base(name)}, nil
	}
	if _, ok := l.children[name]; ok || name == "." {
		return entry{name: path.Base(name), dir: true}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

func (l *listing) ReadDir(name string) ([]fs.DirEntry, error) {
	if l.files[name] {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	entries, ok := l.children[name]
	if !ok && name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return slices.Clone(entries), nil
}

// entry is a listed file or directory: its own fs.DirEntry and fs.FileInfo.
type entry struct {
	name string
	dir  bool
}

func (e entry) Name() string { return e.name }
func (e entry) IsDir() bool  { return e.dir }
func (e entry) Type() fs.FileMode {
	return e.Mode().Type()
}
func (e entry) Info() (fs.FileInfo, error) { return e, nil }
func (e entry) Size() int64                { return 0 }
func (e entry) Mode() fs.FileMode {
	if e.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (e entry) ModTime() time.Time { return time.Time{} }
func (e entry) Sys() any           { return nil }

// emptyFile is an opened listed path: it has a name and a type, no contents.
type emptyFile struct{ entry }

func (f emptyFile) Stat() (fs.FileInfo, error) { return f.entry, nil }
func (f emptyFile) Read([]byte) (int, error)   { return 0, io.EOF }
func (f emptyFile) Close() error               { return nil }
