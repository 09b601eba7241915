package overlay

import (
	"io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gito-dev/gito/internal/testutil"
)

func TestEditFS(t *testing.T) {
	t.Parallel()
	root, err := resolveRoot(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteTree(t, root, map[string]string{"a/one.yaml": "disk\n", "a/two.yaml": "two\n"})
	before := hashTree(t, root)
	jail, err := openConfined(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(jail.close)
	e := newEditFS(jail)
	e.put("a/one.yaml", []byte("edited\n"))
	e.put("new/dir/k.yaml", []byte("new\n"))
	abs := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }

	for rel, want := range map[string]string{"a/one.yaml": "edited\n", "a/two.yaml": "two\n", "new/dir/k.yaml": "new\n"} {
		got, err := e.ReadFile(abs(rel))
		if err != nil || string(got) != want {
			t.Errorf("ReadFile(%s) = %q, %v; want %q", rel, got, err, want)
		}
		f, err := e.Open(abs(rel))
		if err != nil {
			t.Fatalf("Open(%s): %v", rel, err)
		}
		got, _ = io.ReadAll(f)
		if string(got) != want {
			t.Errorf("Open(%s) reads %q", rel, got)
		}
		_ = f.Close()
	}
	if !e.IsDir(abs("new")) || !e.IsDir(abs("new/dir")) || e.IsDir(abs("new/dir/k.yaml")) || !e.Exists(abs("new/dir/k.yaml")) {
		t.Error("virtual directories or files are not visible")
	}
	if names, err := e.ReadDir(root); err != nil || !slices.Equal(names, []string{"a", "new"}) {
		t.Errorf("ReadDir(root) = %v, %v", names, err)
	}
	if names, err := e.ReadDir(abs("new/dir")); err != nil || !slices.Equal(names, []string{"k.yaml"}) {
		t.Errorf("ReadDir(new/dir) = %v, %v", names, err)
	}
	if d, f, err := e.CleanedAbs(abs("new/dir/k.yaml")); err != nil || d.String() != abs("new/dir") || f != "k.yaml" {
		t.Errorf("CleanedAbs(new file) = %s, %s, %v", d, f, err)
	}
	if d, f, err := e.CleanedAbs(abs("new/dir")); err != nil || d.String() != abs("new/dir") || f != "" {
		t.Errorf("CleanedAbs(new dir) = %s, %s, %v", d, f, err)
	}
	if got, err := e.Glob(abs("new/dir/*.yaml")); err != nil || !slices.Equal(got, []string{abs("new/dir/k.yaml")}) {
		t.Errorf("Glob = %v, %v", got, err)
	}
	if e.WriteFile(abs("a/one.yaml"), []byte("x")) == nil || e.MkdirAll(abs("b")) == nil || e.RemoveAll(abs("a")) == nil {
		t.Error("a write inside the repo succeeded")
	}
	if _, err := e.Create(abs("c.yaml")); err == nil {
		t.Error("Create succeeded")
	}
	if hashTree(t, root) != before {
		t.Error("the disk changed")
	}
}
