package overlay

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrOutsideRepo is wrapped by errors for a path that leaves the infra repo: through "..", or
// through a symlinked directory that points elsewhere.
var ErrOutsideRepo = errors.New("leaves the repository")

// confined answers, through os.Root, whether abs stays inside the repo once every symlink on
// its way is followed. A path that does not exist (yet) is fine as long as the part of it that
// exists stays inside. Reads and writes of the render and of Apply go through it first.
type confined struct {
	root string   // absolute, symlinks resolved
	fsys *os.Root // rooted at root: refuses any path that escapes it
	// tempDirs are outside the repo but may be read: kustomize's clones of remote bases.
	tempPrefix string
}

func openConfined(root string) (*confined, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("open repo %s: %w", root, err)
	}
	tmp := os.TempDir()
	if real, err := filepath.EvalSymlinks(tmp); err == nil {
		tmp = real
	}
	return &confined{root: root, fsys: r, tempPrefix: filepath.Join(tmp, "kustomize-")}, nil
}

func (c *confined) close() { _ = c.fsys.Close() }

// rel returns abs relative to the repo (slash-separated), as the user would write it.
func (c *confined) rel(abs string) string {
	r, err := filepath.Rel(c.root, abs)
	if err != nil {
		return abs
	}
	return filepath.ToSlash(r)
}

// check refuses abs when it leaves the repo. Paths under kustomize's temporary clones of
// remote bases are allowed: kustomize made them, outside any repo.
func (c *confined) check(abs string) error {
	abs = filepath.Clean(abs)
	if abs != c.root && !strings.HasPrefix(abs, c.root+string(filepath.Separator)) {
		if strings.HasPrefix(abs, c.tempPrefix) {
			return nil
		}
		return fmt.Errorf("%s %w", c.rel(abs), ErrOutsideRepo)
	}
	rel := c.rel(abs)
	if rel == "." {
		return nil
	}
	// Walk up to the deepest part that exists; os.Root follows its symlinks and refuses any
	// that points out of the repo.
	for p := rel; p != "." && p != "/"; p = filepath.Dir(p) {
		_, err := c.fsys.Stat(filepath.FromSlash(p))
		if err == nil {
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return fmt.Errorf("%s %w (through a symbolic link)", rel, ErrOutsideRepo)
		}
	}
	return nil
}
