package repofs

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/gito-dev/gito/internal/testutil"
)

func openFS(t *testing.T, files map[string]string) (*FS, string) {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteTree(t, root, files)
	f, err := Open(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f, root
}

func TestEdits(t *testing.T) {
	t.Parallel()
	f, root := openFS(t, map[string]string{"a/one.yaml": "disk\n", "a/two.yaml": "two\n"})
	f.Put("a/one.yaml", []byte("edited\n"))
	f.Put("new/dir/k.yaml", []byte("new\n"))
	abs := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
	for rel, want := range map[string]string{"a/one.yaml": "edited\n", "a/two.yaml": "two\n", "new/dir/k.yaml": "new\n"} {
		got, err := f.ReadFile(abs(rel))
		if err != nil || string(got) != want {
			t.Errorf("ReadFile(%s) = %q, %v; want %q", rel, got, err, want)
		}
		file, err := f.Open(abs(rel))
		if err != nil {
			t.Fatalf("Open(%s): %v", rel, err)
		}
		got, _ = io.ReadAll(file)
		if string(got) != want {
			t.Errorf("Open(%s) reads %q", rel, got)
		}
		_ = file.Close()
	}
	if !f.IsDir(abs("new")) || !f.IsDir(abs("new/dir")) || f.IsDir(abs("new/dir/k.yaml")) || !f.Exists(abs("new/dir/k.yaml")) || !f.IsDir(root) {
		t.Error("virtual directories or files are not visible")
	}
	if names, err := f.ReadDir(root); err != nil || !slices.Equal(names, []string{"a", "new"}) {
		t.Errorf("ReadDir(root) = %v, %v", names, err)
	}
	if names, err := f.ReadDir(abs("new/dir")); err != nil || !slices.Equal(names, []string{"k.yaml"}) {
		t.Errorf("ReadDir(new/dir) = %v, %v", names, err)
	}
	if d, name, err := f.CleanedAbs(abs("new/dir/k.yaml")); err != nil || d.String() != abs("new/dir") || name != "k.yaml" {
		t.Errorf("CleanedAbs(new file) = %s, %s, %v", d, name, err)
	}
	if d, name, err := f.CleanedAbs(abs("a/two.yaml")); err != nil || d.String() != abs("a") || name != "two.yaml" {
		t.Errorf("CleanedAbs(disk file) = %s, %s, %v", d, name, err)
	}
	if got, err := f.Glob(abs("*/*.yaml")); err != nil || !slices.Equal(got, []string{abs("a/one.yaml"), abs("a/two.yaml")}) {
		t.Errorf("Glob = %v, %v", got, err)
	}
	if got, err := f.Glob(abs("new/dir/*.yaml")); err != nil || !slices.Equal(got, []string{abs("new/dir/k.yaml")}) {
		t.Errorf("Glob = %v, %v", got, err)
	}
	if f.WriteFile(abs("a/one.yaml"), []byte("x")) == nil || f.MkdirAll(abs("b")) == nil || f.RemoveAll(abs("a")) == nil {
		t.Error("a write succeeded")
	}
	if _, err := f.Create(abs("c.yaml")); err == nil {
		t.Error("Create succeeded")
	}
	if got := f.Read(); !slices.Equal(got, []string{"a/two.yaml"}) {
		t.Errorf("Read = %v, want only the disk file", got)
	}
}

// Every operation stays inside the root: `..`, absolute paths and symbolic links (relative
// or absolute, to a file or a directory) that lead out are refused, naming the link, and
// nothing outside is listed or read.
func TestEveryOperationIsConfined(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	testutil.WriteTree(t, outside, map[string]string{"secret.yml": "token: SECRET\n", "dir/inner-secret-name.yaml": "x: 1\n"})
	f, root := openFS(t, map[string]string{"in/ok.yaml": "a: 1\n"})
	links := map[string]string{
		"in/abs-file":  filepath.Join(outside, "secret.yml"),
		"in/abs-dir":   filepath.Join(outside, "dir"),
		"in/rel-file":  "../../" + filepath.Base(outside) + "/secret.yml",
		"in/rel-dir":   "../../" + filepath.Base(outside) + "/dir",
		"in/inside":    "ok.yaml",
		"in/up-inside": "../in",
	}
	for link, target := range links {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	if data, err := f.ReadFile(filepath.Join(root, "in/inside")); err != nil || string(data) != "a: 1\n" {
		t.Errorf("a link inside the repo: %q, %v", data, err)
	}
	if !f.IsDir(filepath.Join(root, "in/up-inside")) {
		t.Error("a directory link inside the repo is not a directory")
	}
	for _, p := range []string{"in/abs-file", "in/abs-dir", "in/rel-file", "in/rel-dir", "in/abs-dir/inner-secret-name.yaml", "../" + filepath.Base(outside) + "/secret.yml", filepath.Join(outside, "secret.yml")} {
		abs := p
		if !filepath.IsAbs(p) {
			abs = filepath.Join(root, p)
		}
		var errs []error
		_, err := f.ReadFile(abs)
		errs = append(errs, err)
		_, err = f.Open(abs)
		errs = append(errs, err)
		_, err = f.ReadDir(abs)
		errs = append(errs, err)
		_, _, err = f.CleanedAbs(abs)
		errs = append(errs, err)
		_, err = f.Glob(abs + "/*")
		errs = append(errs, err)
		errs = append(errs, f.Walk(abs, func(string, os.FileInfo, error) error { return nil }))
		errs = append(errs, f.Check(abs))
		_, err = f.Stat(abs)
		errs = append(errs, err)
		for i, err := range errs {
			if !errors.Is(err, ErrOutside) || strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "inner-secret-name") || strings.Contains(err.Error(), outside) {
				t.Errorf("%s: operation %d: %v, want a refusal naming nothing outside", p, i, err)
			}
		}
		if f.IsDir(abs) || f.Exists(abs) {
			t.Errorf("%s: IsDir or Exists reports a path outside", p)
		}
	}
	if _, err := f.ReadFile(filepath.Join(root, "in/rel-dir/inner-secret-name.yaml")); err == nil || err.Error() != "in/rel-dir leaves the repository (through a symbolic link)" {
		t.Errorf("err = %v, want the link named", err)
	}
	var walked []string
	if err := f.Walk(root, func(p string, _ os.FileInfo, err error) error { walked = append(walked, p); return err }); err != nil {
		t.Fatal(err)
	}
	for _, p := range walked {
		if strings.Contains(p, "inner-secret-name") {
			t.Errorf("Walk followed a link out: %v", walked)
		}
	}
}

func TestReadsOnlyRegularBoundedFiles(t *testing.T) {
	t.Parallel()
	f, root := openFS(t, map[string]string{"ok.yaml": "a: 1\n"})
	if err := syscall.Mkfifo(filepath.Join(root, "kustomization.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	big, err := os.Create(filepath.Join(root, "big.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(64 << 20); err != nil {
		t.Fatal(err)
	}
	_ = big.Close()
	for name, want := range map[string]string{"kustomization.yaml": "kustomization.yaml: not a regular file", "big.yaml": "big.yaml: larger than 12 MiB"} {
		if _, err := f.ReadFile(filepath.Join(root, name)); err == nil || err.Error() != want {
			t.Errorf("ReadFile(%s) = %v, want %q", name, err, want)
		}
	}
}

func TestRemoteReferences(t *testing.T) {
	t.Parallel()
	for ref, remote := range map[string]bool{
		"../base": false, "deployment.yaml": false, "github.com-mirror/base": false, "./http:x": false,
		"https://example.com/cm.yaml": true, "HTTP://example.com/cm.yaml": true, "git::../base": true,
		"github.com/acme/infra//base?ref=v1": true, "GitHub.com:acme/infra": true, "git@gitlab.com:acme/infra.git": true,
		"ssh://git@example.com/acme/infra.git": true, "file:///srv/infra.git": true,
	} {
		if IsRemote(ref) != remote {
			t.Errorf("IsRemote(%q) = %v", ref, !remote)
		}
	}
	for _, tc := range []struct{ kust, want string }{
		{"resources:\n  - ../base\n  - https://example.com/cm.yaml\n", "https://example.com/cm.yaml"},
		{"bases:\n  - github.com/acme/infra//base\n", "github.com/acme/infra//base"},
		{"components:\n  - git@github.com:acme/c.git\n", "git@github.com:acme/c.git"},
		{"patches:\n  - path: https://example.com/p.yaml\n", "https://example.com/p.yaml"},
		{"patchesStrategicMerge:\n  - http://example.com/p.yaml\n", "http://example.com/p.yaml"},
		{"configMapGenerator:\n  - name: c\n    files:\n      - key=https://example.com/f\n", "https://example.com/f"},
		{"replacements:\n  - path: https://example.com/r.yaml\n", "https://example.com/r.yaml"},
		{"openapi:\n  path: https://example.com/schema.json\n", "https://example.com/schema.json"},
		{"resources:\n  - ../base\ncommonAnnotations:\n  docs: https://example.com\n", ""},
		{"patches:\n  - patch: |\n      - op: add\n        path: /x\n        value: https://example.com\n", ""},
	} {
		if got := RemoteReference([]byte(tc.kust)); got != tc.want {
			t.Errorf("RemoteReference(%q) = %q, want %q", tc.kust, got, tc.want)
		}
	}
	f, root := openFS(t, map[string]string{"app/kustomization.yaml": "resources:\n  - https://127.0.0.1:1/cm.yaml\n"})
	_, err := f.ReadFile(filepath.Join(root, "app/kustomization.yaml"))
	var out *OutsideError
	if !errors.As(err, &out) || out.Path != "https://127.0.0.1:1/cm.yaml" || err.Error() != "app/kustomization.yaml names the remote resource https://127.0.0.1:1/cm.yaml, outside the repository" {
		t.Errorf("err = %v", err)
	}
	if len(f.Refused()) != 1 {
		t.Errorf("Refused = %v", f.Refused())
	}
}
