package gitrepo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// cacheConfig is set on every git child through GIT_CONFIG_COUNT, so it also reaches the
// fetches git starts by itself (a blobless cache fetches missing blobs on demand, outside
// gito's lock). None of them may write the shared commit-graph, start a gc or run background
// maintenance: those write lock files that a concurrent process would trip over, and that a
// killed git would leave behind. gito writes the commit-graph itself, under the lock, after a
// fetch.
var cacheConfig = [][2]string{
	{"fetch.writeCommitGraph", "false"},
	{"gc.auto", "0"},
	{"maintenance.auto", "false"},
}

// withCacheConfig appends cacheConfig to env after any GIT_CONFIG_COUNT entries already there.
func withCacheConfig(env []string) []string {
	n := 0
	if v, ok := envValue(env, "GIT_CONFIG_COUNT"); ok {
		n, _ = strconv.Atoi(v)
	}
	out := make([]string, 0, len(env)+2*len(cacheConfig)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "GIT_CONFIG_COUNT=") {
			out = append(out, kv)
		}
	}
	for i, kv := range cacheConfig {
		out = append(out, "GIT_CONFIG_KEY_"+strconv.Itoa(n+i)+"="+kv[0], "GIT_CONFIG_VALUE_"+strconv.Itoa(n+i)+"="+kv[1])
	}
	return append(out, "GIT_CONFIG_COUNT="+strconv.Itoa(n+len(cacheConfig)))
}

// staleLocks are the cache's lock files that only run under gito's own lock. Called while
// holding it: whatever is there was left by a git that was killed, and would fail every later
// fetch or commit-graph write until removed.
func removeStaleLocks(gitDir string) error {
	fixed := []string{
		"config.lock", "packed-refs.lock", "shallow.lock", "HEAD.lock", "FETCH_HEAD.lock",
		"objects/info/commit-graph.lock", "objects/info/commit-graphs/commit-graph-chain.lock",
	}
	for _, name := range fixed {
		if err := os.Remove(filepath.Join(gitDir, filepath.FromSlash(name))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	refs := filepath.Join(gitDir, "refs")
	return filepath.WalkDir(refs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".lock") {
			return os.Remove(p)
		}
		return nil
	})
}
