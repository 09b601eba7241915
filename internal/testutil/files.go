// Package testutil holds the small helpers that tests of several packages share; it is
// imported only from _test.go files.
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFile writes content to root/rel (rel slash-separated), creating its directories.
func WriteFile(tb testing.TB, root, rel, content string) {
	tb.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// WriteTree writes each file of files (slash paths relative to root).
func WriteTree(tb testing.TB, root string, files map[string]string) {
	tb.Helper()
	for rel, content := range files {
		WriteFile(tb, root, rel, content)
	}
}
