package integration

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// cache-shallow: the one gito cache of the script holds only branch tips (a shallow clone);
// with !, it holds the whole history.
func cmdCacheShallow(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 0 {
		ts.Fatalf("usage: [!] cache-shallow")
	}
	all, err := filepath.Glob(filepath.Join(ts.Getenv("XDG_CACHE_HOME"), "gito", "repos", "*", "HEAD"))
	ts.Check(err)
	var heads []string
	for _, h := range all {
		if !strings.HasSuffix(filepath.Dir(h), ".probe") { // the object-presence probe beside the cache
			heads = append(heads, h)
		}
	}
	if len(heads) != 1 {
		ts.Fatalf("%d gito caches, want 1", len(heads))
	}
	_, err = os.Stat(filepath.Join(filepath.Dir(heads[0]), "shallow"))
	switch shallow := err == nil; {
	case shallow && neg:
		ts.Fatalf("the cache is shallow")
	case !shallow && !neg:
		ts.Fatalf("the cache holds the whole history, want the branch tips only")
	}
}
