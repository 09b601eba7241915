package signing

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/gitrepo"
)

// FindRoot returns the repository root for dir: git's top level, else the nearest ancestor
// holding .gito.yaml or .gito/ (a tree exported by a hook, or the tarball Argo CD hands a
// plugin, has no .git), else fallback. The result has symlinks resolved so repo-relative paths come out clean.
func FindRoot(ctx context.Context, dir, fallback string) string {
	if top, ok := gitrepo.TopLevel(ctx, dir); ok {
		return resolve(top)
	}
	for d := resolve(dir); ; {
		if isRepoRoot(d) {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return resolve(fallback)
}

// RelPath returns path relative to root with forward slashes, and false when it lies outside.
func RelPath(root, path string) (string, bool) {
	// Resolve the directory only: a symlinked file keeps its own name (and namespace).
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(resolve(root), filepath.Join(resolve(filepath.Dir(abs)), filepath.Base(abs)))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

func resolve(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	return abs
}

// IsKustomizationFile reports whether a base name is one kustomize reads.
func IsKustomizationFile(name string) bool {
	switch name {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		return true
	}
	return false
}

func isRepoRoot(dir string) bool {
	if fi, err := os.Stat(filepath.Join(dir, config.FileName)); err == nil && fi.Mode().IsRegular() {
		return true
	}
	fi, err := os.Stat(filepath.Join(dir, ".gito"))
	return err == nil && fi.IsDir()
}
