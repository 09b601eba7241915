package overlay

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gito-dev/gito/internal/config"
)

// The layout engine answers the same over a repo on disk and over its file listing: status and
// completion read listings, a release reads its snapshot on disk.
func TestListedTreeAgreesWithDisk(t *testing.T) {
	t.Parallel()
	files := []string{
		"overlays/prod/api/kustomization.yaml", "overlays/prod/web/kustomization.yml",
		"overlays/dev/api/kustomization.yaml", "overlays/dev/api/patch.yaml",
		"overlays/base/kustomization.yaml", // not an env
		"overlays/qa/helm/values-qa.yaml",  // Helm values
		"overlays/qa/empty/README.md",      // no overlay
		"base/api/kustomization.yaml", "manifests/prod/worker.yaml", "manifests/staging/worker.yaml",
	}
	root := t.TempDir()
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	repo := &config.Repo{Services: map[string]config.Service{
		"worker": {Targets: []config.Target{{File: "manifests/{env}/{service}.yaml", Path: ".image", Value: "{image}:{tag}"}}},
	}}
	disk, listed := DiskTree(root), ListedTree(files, "the listing")
	same := func(what string, a, b any) {
		t.Helper()
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: disk %v, listing %v", what, a, b)
		}
	}
	l1, e1 := DetectLayout(disk, &config.Repo{})
	l2, e2 := DetectLayout(listed, &config.Repo{})
	same("layout", l1, l2)
	same("layout error", e1 == nil, e2 == nil)
	if l1 != "overlays/{env}/{service}" {
		t.Errorf("layout = %q", l1)
	}
	s1, _ := ServicesIn(disk, repo)
	s2, _ := ServicesIn(listed, repo)
	same("services", s1, s2)
	for _, svc := range []string{"api", "web", "helm", "worker"} {
		a, _ := EnvsIn(disk, repo, svc)
		b, _ := EnvsIn(listed, repo, svc)
		same("envs of "+svc, a, b)
	}
	a, _ := AllEnvsIn(disk, repo)
	b, _ := AllEnvsIn(listed, repo)
	same("all envs", a, b)
	if want := []string{"dev", "prod", "qa", "staging"}; !reflect.DeepEqual(a, want) {
		t.Errorf("all envs = %v, want %v", a, want)
	}
	for _, c := range [][2]string{{"api", "prod"}, {"web", "prod"}, {"api", "qa"}, {"nope", "prod"}} {
		o1, err1 := LocateIn(disk, repo, c[0], c[1])
		o2, err2 := LocateIn(listed, repo, c[0], c[1])
		same("overlay of "+c[0]+"/"+c[1], o1, o2)
		if (err1 == nil) != (err2 == nil) || (err1 != nil && err1.Error() != err2.Error()) {
			t.Errorf("Locate(%s, %s): disk %v, listing %v", c[0], c[1], err1, err2)
		}
	}
}
