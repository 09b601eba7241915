package overlay

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Apply writes the planned files under root. Each file is replaced atomically (a temporary
// file in the same directory, then rename) and keeps its mode. Every file is checked first:
// if one changed since the plan, nothing is written.
func (r *Result) Apply(root string) error {
	for _, f := range r.Files {
		if err := checkUnchanged(root, f); err != nil {
			return err
		}
	}
	for _, f := range r.Files {
		if err := writeAtomic(root, f); err != nil {
			return err
		}
	}
	return nil
}

func checkUnchanged(root string, f FileEdit) error {
	full := filepath.Join(root, filepath.FromSlash(f.Path))
	fi, err := os.Lstat(full)
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
	cur, err := os.ReadFile(full)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if !bytes.Equal(cur, f.Before) {
		return fmt.Errorf("write %s: the file changed since the plan; plan again", f.Path)
	}
	return nil
}

func writeAtomic(root string, f FileEdit) (err error) {
	full := filepath.Join(root, filepath.FromSlash(f.Path))
	dir := filepath.Dir(full)
	mode := fs.FileMode(0o644)
	if fi, statErr := os.Stat(full); statErr == nil {
		mode = fi.Mode().Perm()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(full)+".gito-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
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
	if err := os.Rename(tmp.Name(), full); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	return nil
}
