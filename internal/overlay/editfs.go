package overlay

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// editFS is the repo on disk with some files replaced by edited bytes, so krusty can render
// an edit without it being written and without copying the repo into memory. It never
// writes inside the repo.
type editFS struct {
	disk  filesys.FileSystem
	root  string            // absolute, symlinks resolved
	files map[string][]byte // absolute path -> bytes served instead of the disk's
	dirs  map[string]bool   // directories that exist only because a new file lives there
	// jail refuses every disk path that leaves the repo; refused keeps the first refusal,
	// which says more than the error kustomize makes of it.
	jail    *confined
	refused error
	// deprecated collects the deprecated kustomize fields the render met (see fixDeprecated).
	deprecated map[string]bool
}

var _ filesys.FileSystem = (*editFS)(nil)

func newEditFS(jail *confined) *editFS {
	return &editFS{disk: filesys.MakeFsOnDisk(), root: jail.root, files: map[string][]byte{}, dirs: map[string]bool{}, jail: jail, deprecated: map[string]bool{}}
}

// allow reports whether the disk may be asked about p, recording the first refusal.
func (e *editFS) allow(p string) error {
	abs, err := filepath.Abs(p)
	if err != nil {
		return err
	}
	if err := e.jail.check(abs); err != nil {
		if e.refused == nil {
			e.refused = err
		}
		return err
	}
	return nil
}

// put serves data at the repo-relative path rel. Directories that do not exist on disk
// become virtual.
func (e *editFS) put(rel string, data []byte) {
	abs := filepath.Join(e.root, filepath.FromSlash(rel))
	dir := filepath.Dir(abs)
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		abs = filepath.Join(real, filepath.Base(abs))
	} else {
		for d := dir; d != e.root && strings.HasPrefix(d, e.root) && !e.disk.Exists(d); d = filepath.Dir(d) {
			e.dirs[d] = true
		}
	}
	e.files[abs] = data
}

func (e *editFS) inRepo(p string) bool {
	return p == e.root || strings.HasPrefix(p, e.root+string(filepath.Separator))
}

func errReadOnly(op, p string) error {
	return &fs.PathError{Op: op, Path: p, Err: errors.New("gito renders read-only")}
}

func (e *editFS) Create(p string) (filesys.File, error) { return nil, errReadOnly("create", p) }
func (e *editFS) Mkdir(p string) error                  { return errReadOnly("mkdir", p) }
func (e *editFS) MkdirAll(p string) error               { return errReadOnly("mkdir", p) }
func (e *editFS) WriteFile(p string, _ []byte) error    { return errReadOnly("write", p) }

// RemoveAll only reaches the disk outside the repo: kustomize cleans up the temporary
// clones of remote bases with it.
func (e *editFS) RemoveAll(p string) error {
	abs, err := filepath.Abs(p)
	if err != nil || e.inRepo(abs) {
		return errReadOnly("remove", p)
	}
	return e.disk.RemoveAll(p)
}

func (e *editFS) Open(p string) (filesys.File, error) {
	if data, ok := e.files[filepath.Clean(p)]; ok {
		return &memFile{Reader: bytes.NewReader(data), name: filepath.Base(p), size: int64(len(data))}, nil
	}
	if err := e.allow(p); err != nil {
		return nil, err
	}
	return e.disk.Open(p)
}

func (e *editFS) IsDir(p string) bool {
	return e.dirs[filepath.Clean(p)] || (e.allow(p) == nil && e.disk.IsDir(p))
}

func (e *editFS) ReadDir(p string) ([]string, error) {
	clean := filepath.Clean(p)
	var names []string
	if !e.dirs[clean] {
		if err := e.allow(p); err != nil {
			return nil, err
		}
		var err error
		if names, err = e.disk.ReadDir(p); err != nil {
			return nil, err
		}
	}
	for _, virtual := range e.virtualPaths() {
		if filepath.Dir(virtual) == clean && !slices.Contains(names, filepath.Base(virtual)) {
			names = append(names, filepath.Base(virtual))
		}
	}
	slices.Sort(names)
	return names, nil
}

func (e *editFS) virtualPaths() []string {
	out := make([]string, 0, len(e.files)+len(e.dirs))
	for p := range e.files {
		out = append(out, p)
	}
	for p := range e.dirs {
		out = append(out, p)
	}
	return out
}

func (e *editFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", "", fmt.Errorf("abs path of %s: %w", p, err)
	}
	if e.dirs[abs] {
		return filesys.ConfirmedDir(abs), "", nil
	}
	if _, ok := e.files[abs]; ok && !e.disk.Exists(abs) {
		return filesys.ConfirmedDir(filepath.Dir(abs)), filepath.Base(abs), nil
	}
	if err := e.allow(abs); err != nil {
		return "", "", err
	}
	return e.disk.CleanedAbs(p)
}

func (e *editFS) Exists(p string) bool {
	clean := filepath.Clean(p)
	if _, ok := e.files[clean]; ok || e.dirs[clean] {
		return true
	}
	return e.allow(p) == nil && e.disk.Exists(p)
}

func (e *editFS) Glob(pattern string) ([]string, error) {
	if err := e.allow(filepath.Dir(pattern)); err != nil {
		return nil, err
	}
	found, err := e.disk.Glob(pattern)
	if err != nil {
		return nil, err
	}
	for _, virtual := range e.virtualPaths() {
		if ok, _ := filepath.Match(pattern, virtual); ok && !slices.Contains(found, virtual) {
			found = append(found, virtual)
		}
	}
	slices.Sort(found)
	return found, nil
}

func (e *editFS) ReadFile(p string) ([]byte, error) {
	if data, ok := e.files[filepath.Clean(p)]; ok {
		return e.fixDeprecated(p, slices.Clone(data)), nil
	}
	if err := e.allow(p); err != nil {
		return nil, err
	}
	data, err := e.disk.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return e.fixDeprecated(p, data), nil
}

// Walk walks the disk; kustomize's build does not walk, so virtual files are not visited.
func (e *editFS) Walk(p string, fn filepath.WalkFunc) error {
	if err := e.allow(p); err != nil {
		return err
	}
	return e.disk.Walk(p, fn)
}

// memFile is an edited file opened for reading.
type memFile struct {
	*bytes.Reader
	name string
	size int64
}

func (f *memFile) Write([]byte) (int, error) { return 0, errReadOnly("write", f.name) }
func (f *memFile) Close() error              { return nil }
func (f *memFile) Stat() (os.FileInfo, error) {
	return memInfo{name: f.name, size: f.size}, nil
}

type memInfo struct {
	name string
	size int64
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o644 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
