package shared

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/renderdiff"
)

// validateDiffOut refuses a --diff-out FILE that cannot be written before anything runs: a
// directory, or a file in a directory that does not exist.
func validateDiffOut(path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return exitcode.FlagErrorf("--diff-out %s: is a directory", path)
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return exitcode.FlagErrorf("--diff-out %s: directory %s does not exist", path, dir)
	}
	return nil
}

// diffOutWriter writes the whole rendered diff of a plan (secret values redacted) to path,
// before anything is pushed: a file that cannot be written stops the release.
func diffOutWriter(path string) func(*release.Plan) error {
	return func(p *release.Plan) error {
		if err := os.WriteFile(path, []byte(renderdiff.Text(p.Edit.Rendered)), 0o644); err != nil {
			return fmt.Errorf("--diff-out: %w", err)
		}
		return nil
	}
}
