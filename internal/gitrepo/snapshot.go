package gitrepo

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Snapshot is the part of a commit's tree that a release reads, written from the cache into a
// private temporary directory: no git work tree, no index, no checkout, nothing registered in
// the shared cache, so parallel gito processes never wait for each other here. Commit turns
// the files the release changed into a commit on top of the snapshot's base with plumbing.
type Snapshot struct {
	repo *Repo
	base string // the commit the files come from
	path string
	// files are the snapshot's files as the base has them; Commit compares against them.
	files map[string]treeFile

	mu      sync.Mutex
	removed bool
}

// snapshotsDir holds the snapshots of every cached remote.
func (r *Repo) snapshotsDir() string { return filepath.Join(r.cacheRoot, "snapshots") }

// NewSnapshot writes the files of commit (a SHA or a ref) into a fresh directory: with dirs, only what a cone-mode
// sparse checkout of them would hold (every file under each dir, and the files directly in the
// root and in the dirs' ancestors); without, every file. The blobs the cache lacks are fetched
// in one request. On any failure nothing is left behind.
func (r *Repo) NewSnapshot(ctx context.Context, commit string, dirs ...string) (*Snapshot, error) {
	if commit == "" || strings.HasPrefix(commit, "-") || strings.ContainsAny(commit, " \t\n:") {
		return nil, fmt.Errorf("snapshot: invalid commit %q", commit)
	}
	clean, err := cleanDirs(dirs)
	if err != nil {
		return nil, err
	}
	// A ref (RemoteRef("main")) is resolved once: the snapshot and its commit stay on that
	// commit whatever the ref does meanwhile.
	objs, err := r.batch(ctx, r.dir, nil, []string{commit + "^{commit}"})
	if err != nil {
		return nil, fmt.Errorf("check out %s: %w", commit, err)
	}
	c, ok := objs[commit+"^{commit}"]
	if !ok {
		return nil, fmt.Errorf("check out %s: no such commit in the cache", commit)
	}
	commit = c.oid
	files, err := r.listCone(ctx, commit, clean)
	if err != nil {
		return nil, fmt.Errorf("check out %s: %w", commit, err)
	}
	if err := os.MkdirAll(r.snapshotsDir(), 0o700); err != nil {
		return nil, fmt.Errorf("create snapshot: %w", err)
	}
	dir, err := os.MkdirTemp(r.snapshotsDir(), r.remote.name+"-")
	if err != nil {
		return nil, fmt.Errorf("create snapshot: %w", err)
	}
	s := &Snapshot{repo: r, base: commit, path: dir, files: files}
	if err := s.write(ctx); err != nil {
		_ = s.Remove()
		return nil, fmt.Errorf("check out %s: %w", commit, err)
	}
	return s, nil
}

// blobChunk bounds how many blobs are held in memory at once while a snapshot is written.
const blobChunk = 2000

// write fetches the blobs the cache lacks, then writes every file.
func (s *Snapshot) write(ctx context.Context) error {
	byBlob := map[string][]string{}
	for rel, f := range s.files {
		byBlob[f.oid] = append(byBlob[f.oid], rel)
	}
	oids := make([]string, 0, len(byBlob))
	for oid := range byBlob {
		oids = append(oids, oid)
	}
	slices.Sort(oids)
	if err := s.repo.prefetch(ctx, oids); err != nil {
		return err
	}
	for start := 0; start < len(oids); start += blobChunk {
		chunk := oids[start:min(start+blobChunk, len(oids))]
		objs, err := s.repo.batch(ctx, s.repo.dir, nil, chunk)
		if err != nil {
			return err
		}
		for _, oid := range chunk {
			obj, ok := objs[oid]
			if !ok || obj.kind != "blob" {
				return fmt.Errorf("blob %s is not in the cache", oid)
			}
			for _, rel := range byBlob[oid] {
				if err := s.writeFile(rel, s.files[rel].mode, obj.data); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *Snapshot) writeFile(rel, mode string, data []byte) error {
	abs := s.Abs(rel)
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return err
	}
	switch mode {
	case modeSymlink:
		return os.Symlink(string(data), abs)
	case modeExec:
		return os.WriteFile(abs, data, 0o755)
	default:
		return os.WriteFile(abs, data, 0o644)
	}
}

// Path is the snapshot's directory.
func (s *Snapshot) Path() string { return s.path }

// Base is the commit the snapshot holds.
func (s *Snapshot) Base() string { return s.base }

// Abs is the absolute path of a repo-relative file in the snapshot.
func (s *Snapshot) Abs(rel string) string { return filepath.Join(s.path, filepath.FromSlash(rel)) }

// Remove deletes the snapshot. Calling it twice is harmless.
func (s *Snapshot) Remove() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.removed {
		return nil
	}
	s.removed = true
	if err := os.RemoveAll(s.path); err != nil {
		return fmt.Errorf("remove snapshot %s: %w", s.path, err)
	}
	return nil
}

// cleanDirs makes snapshot directories repo-relative and refuses ones that leave the repo.
func cleanDirs(dirs []string) ([]string, error) {
	var out []string
	for _, d := range dirs {
		c := path.Clean(strings.Trim(filepath.ToSlash(d), "/"))
		if c == "." {
			continue
		}
		if c == ".." || strings.HasPrefix(c, "../") || strings.HasPrefix(c, "-") || strings.ContainsAny(c, "\n\r") {
			return nil, fmt.Errorf("invalid snapshot directory %q", d)
		}
		out = append(out, c)
	}
	return out, nil
}
