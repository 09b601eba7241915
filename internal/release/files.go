package release

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gito-dev/gito/internal/overlay"
)

// readIfExists reads a repo-relative file through os.Root, so a symlinked directory cannot
// make it read outside the repo; a missing file is nil.
func readIfExists(root, rel string) ([]byte, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("open repo %s: %w", root, err)
	}
	defer r.Close()
	data, err := r.ReadFile(filepath.FromSlash(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	return data, nil
}

// writeFiles writes every planned file into the snapshot through the overlay engine's one
// write path (confined to the repo, atomic, refusing files that changed since the plan).
func writeFiles(root string, files []File) error {
	edits := make([]overlay.FileEdit, 0, len(files))
	for _, f := range files {
		edits = append(edits, overlay.FileEdit{Path: f.Path, Before: f.Before, After: f.After})
	}
	return overlay.WriteFiles(root, edits)
}
