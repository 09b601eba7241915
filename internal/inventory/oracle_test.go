package inventory

import (
	"context"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/gitrepo"
	"github.com/gito-dev/gito/internal/testutil"
	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// rendered versions of one overlay as krusty renders it: image repository -> tag@digest, and
// HelmRelease name -> chart version.
func krustyVersions(t *testing.T, fs filesys.FileSystem, dir string) (images, charts map[string]string, ok bool) {
	t.Helper()
	rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, "/repo/"+dir)
	if err != nil {
		return nil, nil, false
	}
	images, charts = map[string]string{}, map[string]string{}
	for _, r := range rm.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range docs(y) {
			o := objectOf(n, "")
			if o.kind == "HelmRelease" {
				charts[o.name] = str(at(n, "spec", "chart", "spec", "version"))
				continue
			}
			walkImages(n, "", func(_, val string, _ int) {
				repo, tag, digest := imageRef(val)
				images[repo] = strings.TrimSuffix(tag+"@"+digest, "@")
			})
		}
	}
	return images, charts, true
}

// checkOracle compares every entry of inv with krusty's render of its directory: the
// version must be the one rendered, or unknown with a reason. It returns how many entries
// were compared.
func checkOracle(t *testing.T, inv *Inventory, fs filesys.FileSystem, sample func(i int) bool) int {
	t.Helper()
	compared := 0
	for i, e := range inv.Entries {
		if e.Kustomization == "" || !sample(i) {
			continue
		}
		if e.Unknown != "" {
			if e.Ref() != "" {
				t.Errorf("%s/%s: both a version %s and unknown %q", e.Service, e.Env, e.Ref(), e.Unknown)
			}
			continue
		}
		if e.Ref() == "" {
			t.Errorf("%s/%s: blank version without a reason", e.Service, e.Env)
			continue
		}
		images, charts, ok := krustyVersions(t, fs, e.Dir)
		if !ok || len(images)+len(charts) == 0 {
			continue // what krusty cannot render (or renders no workload of) compares with nothing
		}
		want, found := images[e.Image]
		if d := e.Decider(); d != nil && d.Kind == CarrierChart {
			want, found = charts[e.Service], true
		}
		if !found {
			t.Errorf("%s/%s: inventory says %s of %q, krusty renders no such image (%v)", e.Service, e.Env, e.Ref(), e.Image, images)
			continue
		}
		if want != e.Ref() {
			t.Errorf("%s/%s: inventory says %s, krusty renders %s", e.Service, e.Env, e.Ref(), want)
		}
		compared++
	}
	return compared
}

// The oracle: on every fixture repo the version the inventory reads statically is the one
// krusty renders, or the inventory says unknown with a reason.
func TestOracleFixtures(t *testing.T) {
	for name, repo := range map[string]string{"kargo": kargoRepo, "flux": fluxRepo, "podinfo": podinfoRepo} {
		t.Run(name, func(t *testing.T) {
			inv := build(t, repo)
			fs := filesys.MakeFsInMemory()
			for _, f := range txtar.Parse([]byte(repo)).Files {
				if err := fs.WriteFile("/repo/"+f.Name, f.Data); err != nil {
					t.Fatal(err)
				}
			}
			if n := checkOracle(t, inv, fs, func(int) bool { return true }); n == 0 {
				t.Error("nothing compared")
			}
		})
	}
}

// The oracle on a sample of 200 overlays of the 10,000-overlay synthetic repo, read through
// the git object reader as a run reads it.
func TestOracleSynthetic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-overlay repository")
	}
	testutil.RequireTool(t, "git", "apt-get install git")
	bare := filepath.Join(t.TempDir(), "large.git")
	gitserver.GenerateLargeRepo(t, bare, 10000, 1)
	repo := gitrepo.OpenLocal(bare, nil)
	defer repo.Close()
	ctx := context.Background()
	cfgBlob, err := repo.ReadBlobs(ctx, []string{"main:" + config.FileName})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.ParseRepo(cfgBlob["main:"+config.FileName])
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	inv, err := Build(ctx, Commit{Ref: "main", ListBlobIDs: repo.ListBlobIDs, ReadBlobs: repo.ReadBlobs}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("inventory of 10,000 overlays built in %s", time.Since(start))
	if len(inv.Entries) != 10000 {
		t.Fatalf("%d entries, want 10000", len(inv.Entries))
	}
	fs := filesys.MakeFsInMemory()
	for p, data := range inv.blobs {
		if err := fs.WriteFile(path.Join("/repo", p), data); err != nil {
			t.Fatal(err)
		}
	}
	if n := checkOracle(t, inv, fs, func(i int) bool { return i%50 == 0 }); n != 200 {
		t.Errorf("compared %d overlays, want 200", n)
	}
}

// BenchmarkBuildSynthetic builds the inventory of the 10,000-overlay repo from a warm
// object reader.
func BenchmarkBuildSynthetic(b *testing.B) {
	bare := filepath.Join(b.TempDir(), "large.git")
	gitserver.GenerateLargeRepo(b, bare, 10000, 1)
	repo := gitrepo.OpenLocal(bare, nil)
	defer repo.Close()
	cfg := &config.Repo{Layout: gitserver.LargeRepoLayout}
	for b.Loop() {
		if _, err := Build(context.Background(), Commit{Ref: "main", ListBlobIDs: repo.ListBlobIDs, ReadBlobs: repo.ReadBlobs}, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
