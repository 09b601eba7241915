package testutil

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// GitoEnv gives gito a private HOME, cache and config, and git an environment isolated from
// the machine's config; it returns the getenv to hand gito's Factory or workspace. git child
// processes read the process environment, so this sets it too: callers cannot run parallel.
func GitoEnv(tb testing.TB) func(string) string {
	tb.Helper()
	home := tb.TempDir()
	vars := map[string]string{"HOME": home, "XDG_CACHE_HOME": filepath.Join(home, "cache"), "XDG_CONFIG_HOME": filepath.Join(home, "config")}
	for _, kv := range gitserver.Env(tb) {
		k, v, _ := strings.Cut(kv, "=")
		tb.Setenv(k, v)
		if _, set := vars[k]; !set {
			vars[k] = v
		}
	}
	return func(k string) string { return vars[k] }
}
