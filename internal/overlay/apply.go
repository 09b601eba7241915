package overlay

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Apply writes the planned files under root; see WriteFiles.
func (r *Result) Apply(root string) error { return WriteFiles(root, r.Files) }

// WriteFiles writes files under root. Every path is opened through os.Root, so neither ".."
// nor a symlinked directory can make a write land outside the repo. Each file is replaced
// atomically (a temporary file in the same directory, then rename) and keeps its mode. Every
// file is checked first: if one changed since the plan, nothing is written.
func WriteFiles(root string, files []FileEdit) error {
	r, err := os.OpenRoot(root)
	if err != nil {
		return fmt.Errorf("open repo %s: %w", root, err)
	}
	defer r.Close()
	for _, f := range files {
		if err := checkUnchanged(r, f); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := writeAtomic(r, f); err != nil {
			return err
		}
	}
	return nil
}

// repoPath turns a repo-relative, slash-separated path into one os.Root accepts.
func repoPath(p string) (string, error) {
	c := path.Clean(p)
	if c == "." || c == ".." || strings.HasPrefix(c, "../") || path.IsAbs(c) {
		return "", fmt.Errorf("write %s: path %w", p, ErrOutsideRepo)
	}
	return filepath.FromSlash(c), nil
}

func checkUnchanged(r *os.Root, f FileEdit) error {
	name, err := repoPath(f.Path)
	if err != nil {
		return err
	}
	fi, err := r.Lstat(name)
	if f.Before == nil {
		if err == nil {
			return fmt.Errorf("write %s: the file appeared since the plan; plan again", f.Path)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("write %s: not a regular file", f.Path)
	}
	cur, err := r.ReadFile(name)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if !bytes.Equal(cur, f.Before) {
		return fmt.Errorf("write %s: the file changed since the plan; plan again", f.Path)
	}
	return nil
}

func writeAtomic(r *os.Root, f FileEdit) (err error) {
	name, err := repoPath(f.Path)
	if err != nil {
		return err
	}
	mode := fs.FileMode(0o644)
	if fi, statErr := r.Stat(name); statErr == nil {
		mode = fi.Mode().Perm()
	} else if err := r.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	tmpName := filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+".gito-"+hex.EncodeToString(suffix))
	tmp, err := r.OpenFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	defer func() {
		if err != nil {
			_ = r.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(f.After); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := r.Rename(tmpName, name); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	return nil
}
