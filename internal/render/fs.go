package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// readFS is the disk as krusty sees it, except that every file krusty reads passes through
// check first: the bytes check returns are the bytes krusty gets, so what is verified is what
// is rendered (no second read that an attacker could race). Writes are refused.
type readFS struct {
	filesys.FileSystem
	root  *os.Root
	dir   string // absolute root, symlinks resolved
	check func(rel string, data []byte) ([]byte, error)

	mu      sync.Mutex
	files   map[string][]byte // repo-relative path -> bytes served
	order   []string
	outside []string // absolute paths krusty tried to read outside the repository
}

// errOutside marks a read outside the repository: nothing there can carry a gito signature.
var errOutside = errors.New("outside the repository")

func newReadFS(root string, check func(rel string, data []byte) ([]byte, error)) (*readFS, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", root, err)
	}
	return &readFS{FileSystem: filesys.MakeFsOnDisk(), root: r, dir: root, check: check, files: map[string][]byte{}}, nil
}

func (f *readFS) close() { f.root.Close() }

// rel returns p relative to the repository root with slashes.
func (f *readFS) rel(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(f.dir, abs)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		f.mu.Lock()
		if !slices.Contains(f.outside, abs) {
			f.outside = append(f.outside, abs)
		}
		f.mu.Unlock()
		return "", &fs.PathError{Op: "read", Path: p, Err: errOutside}
	}
	return filepath.ToSlash(rel), nil
}

func (f *readFS) ReadFile(p string) ([]byte, error) {
	rel, err := f.rel(p)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if data, ok := f.files[rel]; ok {
		return slices.Clone(data), nil
	}
	// Through os.Root: a symlink inside the repo cannot lead the read out of it.
	data, err := f.root.ReadFile(filepath.FromSlash(rel))
	if err != nil {
		return nil, err
	}
	if data, err = f.check(rel, data); err != nil {
		return nil, err
	}
	f.files[rel] = data
	f.order = append(f.order, rel)
	return slices.Clone(data), nil
}

// Open is not used by krusty's loader; it goes through ReadFile so nothing escapes the check.
func (f *readFS) Open(p string) (filesys.File, error) {
	return nil, &fs.PathError{Op: "open", Path: p, Err: errors.New("gito renders through ReadFile only")}
}

func errReadOnly(op, p string) error {
	return &fs.PathError{Op: op, Path: p, Err: errors.New("gito renders read-only")}
}

func (f *readFS) Create(p string) (filesys.File, error) { return nil, errReadOnly("create", p) }
func (f *readFS) Mkdir(p string) error                  { return errReadOnly("mkdir", p) }
func (f *readFS) MkdirAll(p string) error               { return errReadOnly("mkdir", p) }
func (f *readFS) WriteFile(p string, _ []byte) error    { return errReadOnly("write", p) }

// RemoveAll reaches the disk only outside the repository: kustomize cleans up its temporary
// clones of remote bases with it (whose files are then refused as outside the repository).
func (f *readFS) RemoveAll(p string) error {
	abs, err := filepath.Abs(p)
	if err != nil || abs == f.dir || strings.HasPrefix(abs, f.dir+string(filepath.Separator)) {
		return errReadOnly("remove", p)
	}
	return f.FileSystem.RemoveAll(p)
}

// outsideReads lists the reads refused for lying outside the repository. kustomize may
// swallow the read error and try something else, so they are checked after the build.
func (f *readFS) outsideReads() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.outside)
}

// read lists the files served, in the order krusty first read them.
func (f *readFS) read() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.order)
}
