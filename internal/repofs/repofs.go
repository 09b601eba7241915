// Package repofs is the infra repository as every render reads it: kustomize's build (gito
// generate, sign --render, the release plan), the Helm charts a release renders and the files
// the planner edits. Every operation, not only reads, goes through an os.Root at the
// repository root, so no path, `..` or symbolic link leads out of it; files must be regular
// and bounded, YAML must not expand past a manifest's size, and a kustomization naming a
// remote resource is refused before kustomize can fetch it. Writes are refused: edits are
// served from memory (Put).
package repofs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/gito-dev/gito/internal/regularfile"
	"github.com/gito-dev/gito/internal/yamllimit"
)

// ErrOutside is wrapped by every refusal of a path that leaves the repository.
var ErrOutside = errors.New("leaves the repository")

// OutsideError is a path that leaves the repository: lexically (`..`, an absolute path), through
// a symbolic link, or as a remote resource a kustomization names.
type OutsideError struct {
	Path string // repo-relative as the repository wrote it; the remote reference for Remote
	// Link is the repo-relative symbolic link that leads out, when one does.
	Link   bool
	Remote string // the kustomization that names the remote reference Path
}

func (e *OutsideError) Error() string {
	switch {
	case e.Remote != "":
		return fmt.Sprintf("%s names the remote resource %s, outside the repository", e.Remote, e.Path)
	case e.Link:
		return e.Path + " " + ErrOutside.Error() + " (through a symbolic link)"
	}
	return e.Path + " " + ErrOutside.Error()
}

func (e *OutsideError) Unwrap() error { return ErrOutside }

// Serve sees the bytes of each file (from disk or Put) before anyone else; what it returns is
// what is served (and cached: a file is read from disk once per FS).
type Serve func(rel string, data []byte) ([]byte, error)

// FS is the repository at one root. It implements kustomize's filesys.FileSystem: absolute
// paths must lie inside the root; relative paths are relative to the root.
type FS struct {
	dir   string // absolute, symlinks resolved
	root  *os.Root
	serve Serve

	mu      sync.Mutex
	edits   map[string][]byte // repo-relative path -> bytes served instead of the disk's
	dirs    map[string]bool   // directories that exist only because an edit lives there
	cache   map[string][]byte // repo-relative path -> bytes served
	order   []string          // repo-relative paths in the order first read
	refused []error           // refusals, in order: kustomize may swallow the error it got
}

var _ filesys.FileSystem = (*FS)(nil)

// Open opens the repository at dir. serve may be nil.
func Open(dir string, serve Serve) (*FS, error) {
	abs, err := filepath.Abs(dir)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	return &FS{dir: abs, root: r, serve: serve, edits: map[string][]byte{}, dirs: map[string]bool{}, cache: map[string][]byte{}}, nil
}

// FS is the repository as an fs.FS (listings and types, for the layout engine), confined as
// every other operation is: a link out of the repository is an error, not a listing.
func (f *FS) FS() fs.FS { return f.root.FS() }

// Close releases the root.
func (f *FS) Close() error { return f.root.Close() }

// Dir is the absolute root, symlinks resolved.
func (f *FS) Dir() string { return f.dir }

// Abs is the absolute path of the repo-relative rel.
func (f *FS) Abs(rel string) string { return filepath.Join(f.dir, filepath.FromSlash(rel)) }

// Put serves data at the repo-relative rel instead of what the disk holds there; directories
// it needs that the disk lacks become virtual.
func (f *FS) Put(rel string, data []byte) {
	rel = path.Clean(filepath.ToSlash(rel))
	f.mu.Lock()
	defer f.mu.Unlock()
	f.edits[rel] = slices.Clone(data)
	delete(f.cache, rel)
	for d := path.Dir(rel); d != "."; d = path.Dir(d) {
		if _, err := f.root.Stat(filepath.FromSlash(d)); err == nil {
			break
		}
		f.dirs[d] = true
	}
}

// Read lists the repo-relative files read from disk, in the order first read.
func (f *FS) Read() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.order)
}

// Refused lists the refusals met so far (paths leaving the repository, special files,
// oversized or alias-bomb YAML): kustomize turns some into "not found" and tries elsewhere.
func (f *FS) Refused() []error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.refused)
}

func (f *FS) refuse(err error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.ContainsFunc(f.refused, func(e error) bool { return e.Error() == err.Error() }) {
		f.refused = append(f.refused, err)
	}
	return err
}

// Rel is p relative to the root, slash-separated ("." for the root), or an *OutsideError when
// p lies lexically outside it. It does not look at the disk.
func (f *FS) Rel(p string) (string, error) {
	p = filepath.FromSlash(p)
	if !filepath.IsAbs(p) {
		p = filepath.Join(f.dir, p)
	}
	rel, err := filepath.Rel(f.dir, filepath.Clean(p))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		shown := rel
		if err != nil {
			shown = p
		}
		return "", f.refuse(&OutsideError{Path: filepath.ToSlash(shown)})
	}
	return filepath.ToSlash(rel), nil
}

// stat follows rel's symbolic links inside the root. A link that leads out is an
// *OutsideError naming the link.
func (f *FS) stat(rel string) (fs.FileInfo, error) {
	fi, err := f.root.Stat(filepath.FromSlash(rel))
	if err != nil && escapes(err) {
		return nil, f.refuse(&OutsideError{Path: f.escapingLink(rel), Link: true})
	}
	return fi, err
}

// escapes tells os.Root's refusal of a path that leaves it from an ordinary error.
func escapes(err error) bool {
	return !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) && !errors.Is(err, fs.ErrPermission) &&
		!errors.Is(err, syscall.ELOOP) && !errors.Is(err, syscall.ENAMETOOLONG)
}

// escapingLink is the first component of rel that os.Root refuses to follow.
func (f *FS) escapingLink(rel string) string {
	parts := strings.Split(rel, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		if _, err := f.root.Stat(filepath.FromSlash(p)); err != nil && escapes(err) {
			return p
		}
	}
	return rel
}

// Check refuses p when it, or the part of it that exists, leaves the repository.
func (f *FS) Check(p string) error {
	rel, err := f.Rel(p)
	if err != nil || rel == "." {
		return err
	}
	for q := rel; q != "."; q = path.Dir(q) {
		if _, err := f.stat(q); err == nil || errors.Is(err, ErrOutside) {
			return err
		}
	}
	return nil
}

// Stat is os.Stat of p inside the repository.
func (f *FS) Stat(p string) (fs.FileInfo, error) {
	rel, err := f.Rel(p)
	if err != nil {
		return nil, err
	}
	return f.stat(rel)
}

// Lstat is os.Lstat of p inside the repository (the parents' links are followed, confined).
func (f *FS) Lstat(p string) (fs.FileInfo, error) {
	rel, err := f.Rel(p)
	if err != nil {
		return nil, err
	}
	if d := path.Dir(rel); d != "." {
		if _, err := f.stat(d); err != nil {
			return nil, err
		}
	}
	return f.root.Lstat(filepath.FromSlash(rel))
}

// ReadDisk reads the regular file p from disk, bounded, without edits, cache or Serve: for
// signatures and for the files the planner rewrites.
func (f *FS) ReadDisk(p string) ([]byte, error) {
	rel, err := f.Rel(p)
	if err != nil {
		return nil, err
	}
	return f.readDisk(rel)
}

func (f *FS) readDisk(rel string) ([]byte, error) {
	if _, err := f.stat(rel); err != nil && errors.Is(err, ErrOutside) {
		return nil, err
	}
	data, err := regularfile.ReadIn(f.root, filepath.FromSlash(rel))
	if errors.Is(err, regularfile.ErrNotRegular) || errors.Is(err, regularfile.ErrTooLarge) {
		return nil, f.refuse(fmt.Errorf("%s: %w", rel, errors.Unwrap(err)))
	}
	return data, err
}

// ReadFile serves p: an edit, else the disk's bytes, through Serve, once checked for remote
// resources (kustomizations) and alias bombs.
func (f *FS) ReadFile(p string) ([]byte, error) {
	rel, err := f.Rel(p)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	data, cached := f.cache[rel]
	edit, edited := f.edits[rel]
	f.mu.Unlock()
	if cached {
		return slices.Clone(data), nil
	}
	if data = slices.Clone(edit); !edited {
		if data, err = f.readDisk(rel); err != nil {
			return nil, err
		}
	}
	if f.serve != nil {
		if data, err = f.serve(rel, data); err != nil {
			return nil, err
		}
	}
	if err := f.vet(rel, data); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.cache[rel]; !ok {
		f.cache[rel] = data
		if !edited {
			f.order = append(f.order, rel)
		}
	}
	return slices.Clone(f.cache[rel]), nil
}

// vet refuses alias bombs, and kustomizations that name a remote resource.
func (f *FS) vet(rel string, data []byte) error {
	if err := yamllimit.Check(rel, data); err != nil {
		return f.refuse(err)
	}
	if IsKustomization(rel) {
		if ref := RemoteReference(data); ref != "" {
			return f.refuse(&OutsideError{Path: ref, Remote: rel})
		}
	}
	return nil
}

// Open serves p's bytes as ReadFile does.
func (f *FS) Open(p string) (filesys.File, error) {
	data, err := f.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return newMemFile(path.Base(filepath.ToSlash(p)), data), nil
}

func (f *FS) virtual(rel string) (file, dir bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, file = f.edits[rel]
	return file, f.dirs[rel]
}

// IsDir reports a directory inside the repository (a link that leads out is none).
func (f *FS) IsDir(p string) bool {
	rel, err := f.Rel(p)
	if err != nil {
		return false
	}
	if _, dir := f.virtual(rel); dir {
		return true
	}
	fi, err := f.stat(rel)
	return err == nil && fi.IsDir()
}

// Exists reports a file or directory inside the repository.
func (f *FS) Exists(p string) bool {
	rel, err := f.Rel(p)
	if err != nil {
		return false
	}
	if file, dir := f.virtual(rel); file || dir {
		return true
	}
	_, err = f.stat(rel)
	return err == nil
}

// ReadDir lists the names in directory p, with the edits made there.
func (f *FS) ReadDir(p string) ([]string, error) {
	rel, err := f.Rel(p)
	if err != nil {
		return nil, err
	}
	var names []string
	if _, dir := f.virtual(rel); !dir {
		if _, err := f.stat(rel); err != nil {
			return nil, err
		}
		entries, err := fs.ReadDir(f.root.FS(), rel)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			names = append(names, e.Name())
		}
	}
	for _, v := range f.virtualPaths() {
		if path.Dir(v) == rel && !slices.Contains(names, path.Base(v)) {
			names = append(names, path.Base(v))
		}
	}
	slices.Sort(names)
	return names, nil
}

func (f *FS) virtualPaths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.edits)+len(f.dirs))
	for p := range f.edits {
		out = append(out, p)
	}
	for p := range f.dirs {
		out = append(out, p)
	}
	return out
}

// CleanedAbs splits p into its directory with symlinks resolved, and its file name when p
// is a file, as kustomize's disk filesystem does, refusing anything that leaves the root.
func (f *FS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	rel, err := f.Rel(p)
	if err != nil {
		return "", "", err
	}
	file, dir := f.virtual(rel)
	switch {
	case dir:
		return filesys.ConfirmedDir(f.Abs(rel)), "", nil
	case file:
		if _, err := f.stat(rel); err != nil {
			return filesys.ConfirmedDir(f.Abs(path.Dir(rel))), path.Base(rel), nil
		}
	}
	fi, err := f.stat(rel)
	if err != nil {
		return "", "", err
	}
	real, err := filepath.EvalSymlinks(f.Abs(rel))
	if err != nil {
		return "", "", err
	}
	if _, err := f.Rel(real); err != nil {
		return "", "", f.refuse(&OutsideError{Path: rel, Link: true})
	}
	if fi.IsDir() {
		return filesys.ConfirmedDir(real), "", nil
	}
	return filesys.ConfirmedDir(filepath.Dir(real)), filepath.Base(real), nil
}

// Glob matches pattern inside the repository, with the edits.
func (f *FS) Glob(pattern string) ([]string, error) {
	rel, err := f.Rel(pattern)
	if err != nil {
		return nil, err
	}
	if err := f.Check(path.Dir(rel)); err != nil {
		return nil, err
	}
	matches, err := fs.Glob(f.root.FS(), rel)
	if err != nil {
		return nil, err
	}
	for _, v := range f.virtualPaths() {
		if ok, _ := path.Match(rel, v); ok && !slices.Contains(matches, v) {
			matches = append(matches, v)
		}
	}
	slices.Sort(matches)
	out := make([]string, len(matches))
	for i, m := range matches {
		out[i] = f.Abs(m)
	}
	return out, nil
}

// Walk walks the disk under p inside the repository (links are not followed; edits are not
// visited: kustomize's build does not walk).
func (f *FS) Walk(p string, fn filepath.WalkFunc) error {
	rel, err := f.Rel(p)
	if err != nil {
		return err
	}
	if _, err := f.stat(rel); err != nil {
		return err
	}
	return fs.WalkDir(f.root.FS(), rel, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return fn(f.Abs(name), nil, err)
		}
		fi, err := d.Info()
		return fn(f.Abs(name), fi, err)
	})
}

func errReadOnly(op, p string) error {
	return &fs.PathError{Op: op, Path: p, Err: errors.New("gito renders read-only")}
}

func (f *FS) Create(p string) (filesys.File, error) { return nil, errReadOnly("create", p) }
func (f *FS) Mkdir(p string) error                  { return errReadOnly("mkdir", p) }
func (f *FS) MkdirAll(p string) error               { return errReadOnly("mkdir", p) }
func (f *FS) WriteFile(p string, _ []byte) error    { return errReadOnly("write", p) }
func (f *FS) RemoveAll(p string) error              { return errReadOnly("remove", p) }
