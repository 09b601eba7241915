package overlay

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/testutil"
)

// classic is a repo in the {service}/overlays/{env} layout whose overlays use ../../base.
func classic(overlays map[string]string) map[string]string {
	return merge(baseFiles("api/base", "api", "registry.example.com/team/api:v1"), overlays)
}

const prodEntry = kustHeader + `# prod overlay of api

resources:
  - ../../base   # shared base

images:
  - name: registry.example.com/team/api
    newTag: v1 # pinned by gito
`

func plan(t *testing.T, root string, req Request) (*Result, error) {
	t.Helper()
	req.Root = root
	if req.Repo == nil {
		req.Repo = &config.Repo{Services: map[string]config.Service{"api": {Images: []string{"registry.example.com/team/api"}}}}
	}
	if req.Service == "" {
		req.Service = "api"
	}
	if req.Env == "" {
		req.Env = "prod"
	}
	return Plan(context.Background(), req)
}

func v(tag, digest string) config.Version { return config.Version{Tag: tag, Digest: digest} }

// renderedImages renders an overlay on disk with krusty and returns its container images.
func renderedImages(t *testing.T, root, dir string) []string {
	t.Helper()
	imgs, _, err := renderManifests(filesys.MakeFsOnDisk(), filepath.Join(root, filepath.FromSlash(dir)))
	if err != nil {
		t.Fatalf("render %s: %v", dir, err)
	}
	var out []string
	for _, img := range imgs {
		out = append(out, img.Ref)
	}
	return out
}

func TestPlanApplyImagesEntry(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, classic(map[string]string{"api/overlays/prod/kustomization.yaml": prodEntry}))
	before := hashTree(t, root)

	res, err := plan(t, root, Request{Version: v("v2", "")})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if hashTree(t, root) != before {
		t.Fatal("Plan wrote to the tree")
	}
	if res.Noop || res.Created {
		t.Errorf("Noop=%v Created=%v, want both false", res.Noop, res.Created)
	}
	wantAfter := strings.Replace(prodEntry, "newTag: v1 #", "newTag: v2 #", 1)
	if len(res.Files) != 1 || res.Files[0].Path != "api/overlays/prod/kustomization.yaml" ||
		string(res.Files[0].Before) != prodEntry || string(res.Files[0].After) != wantAfter {
		t.Fatalf("Files = %+v, want only the kustomization with newTag v2 (byte-minimal)", res.Files)
	}
	if !slices.Equal(res.Previous, []ImageRef{{Name: "registry.example.com/team/api", Tag: "v1"}}) {
		t.Errorf("Previous = %+v", res.Previous)
	}
	if len(res.Changes) != 1 || res.Changes[0].OldTag != "v1" || res.Changes[0].NewTag != "v2" {
		t.Errorf("Changes = %+v", res.Changes)
	}
	wantDiff := `diff --git a/api/overlays/prod/kustomization.yaml b/api/overlays/prod/kustomization.yaml
--- a/api/overlays/prod/kustomization.yaml
+++ b/api/overlays/prod/kustomization.yaml
@@ -7,4 +7,4 @@
 
 images:
   - name: registry.example.com/team/api
-    newTag: v1 # pinned by gito
+    newTag: v2 # pinned by gito
`
	if res.Diff != wantDiff {
		t.Errorf("Diff:\n%s\nwant:\n%s", res.Diff, wantDiff)
	}

	if err := res.Apply(root); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if got := readFile(t, root, "api/overlays/prod/kustomization.yaml"); got != wantAfter {
		t.Errorf("after Apply:\n%s", got)
	}
	if got := renderedImages(t, root, "api/overlays/prod"); !slices.Equal(got, []string{"registry.example.com/team/api:v2"}) {
		t.Errorf("rendered after Apply: %v", got)
	}
	refereesAgree(t, root, "api/overlays/prod", "registry.example.com/team/api:v2")

	// Releasing the same version again is a noop.
	res, err = plan(t, root, Request{Version: v("v2", "")})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Noop || len(res.Files) != 0 || res.Diff != "" {
		t.Errorf("second Plan: Noop=%v Files=%d Diff=%q, want a noop", res.Noop, len(res.Files), res.Diff)
	}
	// Applying it again finds the file changed since the first plan.
	if err := (&Result{Files: []FileEdit{{Path: "api/overlays/prod/kustomization.yaml", Before: []byte(prodEntry), After: []byte("x")}}}).Apply(root); err == nil ||
		!strings.Contains(err.Error(), "api/overlays/prod/kustomization.yaml: the file changed") {
		t.Errorf("stale Apply: %v", err)
	}
}

// refereesAgree renders dir with the referees users and Argo CD run, `kubectl kustomize` and
// `kustomize build`, and with krusty, and wants the same output, carrying want.
func refereesAgree(t *testing.T, root, dir, want string) {
	t.Helper()
	testutil.RequireTools(t, "kubectl", "kustomize")
	full := filepath.Join(root, filepath.FromSlash(dir))
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), full)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := m.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	for _, referee := range [][]string{{"kubectl", "kustomize"}, {"kustomize", "build"}} {
		name := strings.Join(referee, " ")
		out, err := exec.Command(referee[0], referee[1], full).Output()
		if err != nil {
			t.Fatalf("%s %s: %v", name, dir, err)
		}
		if !bytes.Equal(out, ours) {
			t.Errorf("%s and krusty disagree:\n%s\n---\n%s", name, out, ours)
		}
		if !bytes.Contains(out, []byte("image: "+want+"\n")) {
			t.Errorf("%s output lacks image %s:\n%s", name, want, out)
		}
	}
}

func TestPlanPatchFile(t *testing.T) {
	t.Parallel()
	patch := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          # prod runs a pinned build
          image: registry.example.com/team/api:v1-prod
`
	for _, field := range []string{"patches:\n  - path: image.yaml\n", "patchesStrategicMerge:\n  - image.yaml\n"} {
		t.Run(strings.SplitN(field, ":", 2)[0], func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			testutil.WriteTree(t, root, classic(map[string]string{
				"api/overlays/prod/kustomization.yaml": kustHeader + "resources:\n  - ../../base\n" + field,
				"api/overlays/prod/image.yaml":         patch,
			}))
			res, err := plan(t, root, Request{Version: v("v3", "")})
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			want := strings.Replace(patch, ":v1-prod", ":v3", 1)
			if len(res.Files) != 1 || res.Files[0].Path != "api/overlays/prod/image.yaml" || string(res.Files[0].After) != want {
				t.Fatalf("Files = %+v, want only the patch edited", res.Files)
			}
			if !slices.Equal(res.Previous, []ImageRef{{Name: "registry.example.com/team/api", Tag: "v1-prod"}}) {
				t.Errorf("Previous = %+v", res.Previous)
			}
			if err := res.Apply(root); err != nil {
				t.Fatal(err)
			}
			if got := renderedImages(t, root, "api/overlays/prod"); !slices.Equal(got, []string{"registry.example.com/team/api:v3"}) {
				t.Errorf("rendered: %v", got)
			}
		})
	}
}

func TestPlanAppendsEntry(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	kust := kustHeader + "resources:\n  - ../../base\n"
	testutil.WriteTree(t, root, classic(map[string]string{"api/overlays/prod/kustomization.yaml": kust}))
	res, err := plan(t, root, Request{Version: v("v2", digestA)})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if len(res.Files) != 1 || !strings.HasPrefix(string(res.Files[0].After), kust) {
		t.Fatalf("Files = %+v, want the kustomization with lines added at the end", res.Files)
	}
	added := strings.TrimPrefix(string(res.Files[0].After), kust)
	for _, want := range []string{"images:", "name: registry.example.com/team/api", "newTag: v2", "digest: " + digestA} {
		if !strings.Contains(added, want) {
			t.Errorf("added lines lack %q:\n%s", want, added)
		}
	}
	if len(res.Changes) != 1 || !res.Changes[0].Appended {
		t.Errorf("Changes = %+v, want one appended entry", res.Changes)
	}
	if err := res.Apply(root); err != nil {
		t.Fatal(err)
	}
	want := "registry.example.com/team/api:v2@" + digestA
	if got := renderedImages(t, root, "api/overlays/prod"); !slices.Equal(got, []string{want}) {
		t.Errorf("rendered: %v", got)
	}
	refereesAgree(t, root, "api/overlays/prod", want)
}

func TestPlanDigests(t *testing.T) {
	t.Parallel()
	withDigest := kustHeader + "resources:\n  - ../../base\nimages:\n  - name: registry.example.com/team/api\n    newTag: v1\n    digest: " + digestA + "\n"
	tests := []struct {
		name     string
		kust     string
		version  config.Version
		rendered string
		note     string
	}{
		{"pin a digest", prodEntry, v("v2", digestB), "registry.example.com/team/api:v2@" + digestB, ""},
		{"replace a digest", withDigest, v("v2", digestB), "registry.example.com/team/api:v2@" + digestB, ""},
		{"drop a stale digest", withDigest, v("v2", ""), "registry.example.com/team/api:v2",
			"removed stale digest " + digestA + " from registry.example.com/team/api (a plain tag would be ignored by kustomize)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			testutil.WriteTree(t, root, classic(map[string]string{"api/overlays/prod/kustomization.yaml": tt.kust}))
			res, err := plan(t, root, Request{Version: tt.version})
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			if tt.note != "" && !slices.Contains(res.Notes, tt.note) {
				t.Errorf("Notes = %q, want %q", res.Notes, tt.note)
			}
			if tt.note == "" && len(res.Notes) != 0 {
				t.Errorf("Notes = %q, want none", res.Notes)
			}
			if err := res.Apply(root); err != nil {
				t.Fatal(err)
			}
			if got := renderedImages(t, root, "api/overlays/prod"); !slices.Equal(got, []string{tt.rendered}) {
				t.Errorf("rendered %v, want %s", got, tt.rendered)
			}
		})
	}
}

func TestPlanNoop(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, classic(map[string]string{"api/overlays/prod/kustomization.yaml": prodEntry}))
	before := hashTree(t, root)
	res, err := plan(t, root, Request{Version: v("v1", "")})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Noop || len(res.Files) != 0 || len(res.Changes) != 0 {
		t.Errorf("Plan = %+v, want a noop", res)
	}
	if err := res.Apply(root); err != nil || hashTree(t, root) != before {
		t.Errorf("Apply of a noop changed the tree (err %v)", err)
	}
	// The same tag pinned to a digest is not a noop.
	res, err = plan(t, root, Request{Version: v("v1", digestA)})
	if err != nil || res.Noop {
		t.Errorf("Plan v1@digest = %+v, %v; want an edit", res, err)
	}
}

func TestPlanKeepsFileMode(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, classic(map[string]string{"api/overlays/prod/kustomization.yaml": prodEntry}))
	kfile := filepath.Join(root, "api/overlays/prod/kustomization.yaml")
	if err := os.Chmod(kfile, 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := plan(t, root, Request{Version: v("v2", "")})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Apply(root); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(kfile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after Apply = %v, %v; want 0600", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(kfile))
	if len(entries) != 1 {
		t.Errorf("Apply left files behind: %v", entries)
	}
}

func TestPlanCreate(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, merge(
		baseFiles("bases/api", "api", "api:v1"),
		map[string]string{
			"overlays/prod/api/kustomization.yaml": kustHeader + "resources:\n  - ../../../bases/api\n  - extra.yaml\nimages:\n  - name: api\n    newTag: v1\n",
			"overlays/prod/api/extra.yaml":         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n",
			"overlays/qa/api/kustomization.yaml":   kustHeader + "resources:\n  - ../../../bases/api\n",
		}))
	repo := &config.Repo{}
	before := hashTree(t, root)

	_, err := plan(t, root, Request{Repo: repo, Env: "staging", Version: v("v2", "")})
	if err == nil || !strings.Contains(err.Error(), "--create") {
		t.Errorf("without Create: %v, want a hint at --create", err)
	}
	res, err := plan(t, root, Request{Repo: repo, Env: "staging", Version: v("v2", ""), Create: true})
	if err != nil {
		t.Fatalf("Plan with Create: %v", err)
	}
	if hashTree(t, root) != before {
		t.Fatal("Plan wrote to the tree")
	}
	want := `# Overlay of api for the staging environment, created by gito.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../../bases/api
images:
  - name: api
    newTag: v2
`
	if !res.Created || len(res.Files) != 1 || res.Files[0].Path != "overlays/staging/api/kustomization.yaml" ||
		res.Files[0].Before != nil || string(res.Files[0].After) != want {
		t.Fatalf("Result = %+v\nwant the file:\n%s", res, want)
	}
	if !slices.Equal(res.Previous, []ImageRef{{Name: "api", Tag: "v1"}}) {
		t.Errorf("Previous = %+v, want the base's api:v1", res.Previous)
	}
	if !strings.Contains(res.Diff, "new file mode 100644\n--- /dev/null\n+++ b/overlays/staging/api/kustomization.yaml\n@@ -0,0 +1,8 @@\n") {
		t.Errorf("Diff:\n%s", res.Diff)
	}
	if err := res.Apply(root); err != nil {
		t.Fatal(err)
	}
	refereesAgree(t, root, "overlays/staging/api", "api:v2")
	if err := res.Apply(root); err == nil || !strings.Contains(err.Error(), "appeared since the plan") {
		t.Errorf("second Apply: %v", err)
	}
}

func TestPlanCreateFallbackBaseAndTemplateOverride(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, merge(
		baseFiles("api/base", "api", "api:v1"),
		map[string]string{
			// The only other overlay shares nothing usable, so {service}/base is the base.
			"api/overlays/prod/kustomization.yaml": kustHeader + "resources:\n  - deployment.yaml\n",
			"api/overlays/prod/deployment.yaml":    deployment("api", "api:v1"),
			".gito/templates/kustomization.yaml.tmpl": "# custom\nresources:\n- {{.BasePath}}\n" +
				"{{range .Images}}images:\n- name: {{.Name}}\n  newTag: {{.Tag}}\n{{end}}",
		}))
	res, err := plan(t, root, Request{Repo: &config.Repo{Templates: ".gito/templates"}, Env: "dev", Version: v("v9", ""), Create: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "# custom\nresources:\n- ../../base\nimages:\n- name: api\n  newTag: v9\n"
	if len(res.Files) != 1 || res.Files[0].Path != "api/overlays/dev/kustomization.yaml" || string(res.Files[0].After) != want {
		t.Errorf("Files = %+v, want:\n%s", res.Files, want)
	}
}

func TestPlanSeveralImages(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	job := `apiVersion: batch/v1
kind: CronJob
metadata:
  name: api-cleanup
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          initContainers:
            - name: migrate
              image: worker:v1
          containers:
            - name: cleanup
              image: api:v1
`
	testutil.WriteTree(t, root, map[string]string{
		"api/base/kustomization.yaml": kustHeader + "resources:\n  - deployment.yaml\n  - job.yaml\n",
		"api/base/deployment.yaml":    deployment("api", "api:v1", "worker:v1"),
		"api/base/job.yaml":           job,
		// api is renamed by its entry; worker has no entry; metrics is not used at all.
		"api/overlays/prod/kustomization.yaml": kustHeader + "resources:\n  - ../../base\nimages:\n  - name: api\n    newName: registry.example.com/team/api\n    newTag: v1\n",
	})
	repo := &config.Repo{Services: map[string]config.Service{"api": {Images: []string{"registry.example.com/team/api", "worker", "metrics"}}}}
	res, err := plan(t, root, Request{Repo: repo, Version: v("v2", "")})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	wantPrev := []ImageRef{{Name: "registry.example.com/team/api", Tag: "v1"}, {Name: "worker", Tag: "v1"}}
	if !slices.Equal(res.Previous, wantPrev) {
		t.Errorf("Previous = %+v, want %+v", res.Previous, wantPrev)
	}
	if !slices.Contains(res.Notes, "image metrics is not used by api/overlays/prod; left alone") {
		t.Errorf("Notes = %q", res.Notes)
	}
	if len(res.Changes) != 2 || res.Changes[0].Appended || !res.Changes[1].Appended || res.Changes[1].Image != "worker" {
		t.Errorf("Changes = %+v, want the api entry set and a worker entry appended", res.Changes)
	}
	if err := res.Apply(root); err != nil {
		t.Fatal(err)
	}
	got := renderedImages(t, root, "api/overlays/prod")
	slices.Sort(got)
	want := []string{"registry.example.com/team/api:v2", "registry.example.com/team/api:v2", "worker:v2", "worker:v2"}
	if !slices.Equal(got, want) {
		t.Errorf("rendered %v, want %v", got, want)
	}
}

func TestPlanJSON6902Patch(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	patch := `- op: replace
  path: /spec/template/spec/containers/0/image
  value: registry.example.com/team/api:v1-hotfix
`
	testutil.WriteTree(t, root, classic(map[string]string{
		"api/overlays/prod/kustomization.yaml": kustHeader + "resources:\n  - ../../base\npatches:\n  - path: image.yaml\n    target:\n      kind: Deployment\n      name: api\n",
		"api/overlays/prod/image.yaml":         patch,
	}))
	res, err := plan(t, root, Request{Version: v("v2", digestA)})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if len(res.Files) != 1 || res.Files[0].Path != "api/overlays/prod/image.yaml" {
		t.Fatalf("Files = %+v, want the JSON patch edited", res.Files)
	}
	if err := res.Apply(root); err != nil {
		t.Fatal(err)
	}
	if got := renderedImages(t, root, "api/overlays/prod"); !slices.Equal(got, []string{"registry.example.com/team/api:v2@" + digestA}) {
		t.Errorf("rendered %v", got)
	}
}

func TestPlanCreateInEmptyDir(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, classic(map[string]string{
		"api/overlays/prod/kustomization.yaml": prodEntry,
		"api/overlays/dev/README.md":           "dev overlay to come\n",
	}))
	res, err := plan(t, root, Request{Env: "dev", Version: v("v5", ""), Create: true})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if err := res.Apply(root); err != nil {
		t.Fatal(err)
	}
	if got := renderedImages(t, root, "api/overlays/dev"); !slices.Equal(got, []string{"registry.example.com/team/api:v5"}) {
		t.Errorf("rendered %v", got)
	}
	if got := readFile(t, root, "api/overlays/dev/README.md"); got != "dev overlay to come\n" {
		t.Errorf("README changed: %q", got)
	}
}
