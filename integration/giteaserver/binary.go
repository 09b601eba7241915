// Package giteaserver runs a real Gitea for the tests: built by .ci/install-gitea, started from
// a prepared template (migrated database, a bot user with a token, an organization, users,
// labels) on a temporary SQLite database, behind a loopback proxy that counts API writes and
// injects faults the way the fake GitHub and GitLab do.
package giteaserver

import (
	"fmt"
	"os"
	"path/filepath"
)

// Version is the Gitea release the tests run against; .ci/install-gitea builds the same one.
const Version = "1.26.0"

// BinaryEnv names a Gitea binary to use instead of the one .ci/install-gitea caches.
const BinaryEnv = "GITO_TEST_GITEA"

// Install is what to run when the binary is missing.
const Install = "bash .ci/install-gitea"

// binary finds the Gitea binary and the directory holding its options/, templates/ and
// public/ (a build without bindata reads them from STATIC_ROOT_PATH): $GITO_TEST_GITEA (its
// directory, or GITO_TEST_GITEA_ROOT, holds them), else the cache .ci/install-gitea fills.
func binary() (bin, staticRoot string, err error) {
	if bin = os.Getenv(BinaryEnv); bin != "" {
		staticRoot = os.Getenv(BinaryEnv + "_ROOT")
		if staticRoot == "" {
			staticRoot = filepath.Dir(bin)
		}
	} else {
		cache := os.Getenv("GITO_TEST_CACHE")
		if cache == "" {
			dir, err := os.UserCacheDir()
			if err != nil {
				return "", "", fmt.Errorf("no user cache dir: %w", err)
			}
			cache = filepath.Join(dir, "gito-test")
		}
		staticRoot = filepath.Join(cache, "gitea-"+Version)
		bin = filepath.Join(staticRoot, "gitea")
	}
	if fi, err := os.Stat(bin); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return "", "", fmt.Errorf("not found at %s", bin)
	}
	if _, err := os.Stat(filepath.Join(staticRoot, "options", "locale")); err != nil {
		return "", "", fmt.Errorf("gitea's options/locale not found under %s (set %s_ROOT to Gitea's source directory)", staticRoot, BinaryEnv)
	}
	return bin, staticRoot, nil
}
