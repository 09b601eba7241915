package release

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

func readIfExists(root, rel string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	return data, nil
}

// writeFiles writes every planned file into the work tree: each through a temp file and a
// rename, so an interrupted run never leaves a half-written kustomization behind.
func writeFiles(root string, files []File) error {
	for _, f := range files {
		rel, err := cleanRel(f.Path)
		if err != nil {
			return err
		}
		dst := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", rel, err)
		}
		mode := fs.FileMode(0o644)
		if st, err := os.Stat(dst); err == nil {
			mode = st.Mode().Perm()
		}
		tmp, err := os.CreateTemp(filepath.Dir(dst), ".gito-*")
		if err != nil {
			return fmt.Errorf("write %s: %w", rel, err)
		}
		_, werr := tmp.Write(f.After)
		cerr := tmp.Close()
		if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), mode)); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("write %s: %w", rel, err)
		}
		if err := os.Rename(tmp.Name(), dst); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("write %s: %w", rel, err)
		}
	}
	return nil
}
