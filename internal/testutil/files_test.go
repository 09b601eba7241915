package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteTree(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	WriteTree(t, root, map[string]string{"a/b/c.yaml": "x: 1\n", "top": ""})
	for rel, want := range map[string]string{"a/b/c.yaml": "x: 1\n", "top": ""} {
		got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", rel, got, err, want)
		}
	}
}
