package inventory

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
)

// Commit lists one commit through a git object reader: one tree listing with blob ids, then
// one batched read of the blobs by id.
type Commit struct {
	Ref         string
	ListBlobIDs func(ctx context.Context, ref string) (map[string]string, error)
	ReadBlobs   func(ctx context.Context, specs []string) (map[string][]byte, error)
	// ids, when set, is the listing already made (Files returns it).
	ids map[string]string
}

// WithListing is a Commit whose listing was already read.
func (c Commit) WithListing(ids map[string]string) Commit { c.ids = ids; return c }

// Files implements Lister.
func (c Commit) Files(ctx context.Context) (map[string]string, error) {
	if c.ids != nil {
		return c.ids, nil
	}
	return c.ListBlobIDs(ctx, c.Ref)
}

// Read implements Lister; a key without an id reads Ref:path.
func (c Commit) Read(ctx context.Context, keys []string) (map[string][]byte, error) {
	return c.ReadBlobs(ctx, keys)
}

// maxDiskFile bounds a file the disk lister reads: manifests are small, a huge file is data.
const maxDiskFile = 4 << 20

// Dir lists a checkout on disk: regular files only (a symlink is neither followed nor read),
// .git left out. Reads stay inside the directory.
type Dir string

// Files implements Lister; ids are "" (Read takes paths).
func (d Dir) Files(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(string(d), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable directory holds nothing the inventory can use
		}
		if e.IsDir() && e.Name() == ".git" {
			return filepath.SkipDir
		}
		if e.Type().IsRegular() {
			rel, err := filepath.Rel(string(d), p)
			if err == nil {
				out[filepath.ToSlash(rel)] = ""
			}
		}
		return ctx.Err()
	})
	return out, err
}

// Read implements Lister.
func (d Dir) Read(ctx context.Context, keys []string) (map[string][]byte, error) {
	root, err := os.OpenRoot(string(d))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fi, err := root.Lstat(filepath.FromSlash(k))
		if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxDiskFile {
			continue
		}
		if data, err := root.ReadFile(filepath.FromSlash(k)); err == nil {
			out[k] = data
		}
	}
	return out, nil
}
