package kustedit

import (
	"regexp"
	"slices"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

const renderBase = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      initContainers:
      - name: migrate
        image: registry.example.com/team/api:v0
      containers:
      - name: api
        image: api:v0
      - name: web
        image: web:v0
`

var renderedImage = regexp.MustCompile(`(?m)^[\s-]*image: (\S+)$`)

// kustomizeBuild builds /app/overlay with krusty, the way kustomize itself would, and returns the
// container images.
func kustomizeBuild(t *testing.T, files map[string]string) []string {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	files["/app/base/deployment.yaml"] = renderBase
	files["/app/base/kustomization.yaml"] = "resources:\n- deployment.yaml\n"
	for p, content := range files {
		if err := fs.WriteFile(p, []byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, "/app/overlay")
	if err != nil {
		t.Fatalf("kustomize build: %v", err)
	}
	out, err := rm.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	var images []string
	for _, m := range renderedImage.FindAllStringSubmatch(string(out), -1) {
		images = append(images, m[1])
	}
	return images
}

// TestRenderedByKustomize checks edited files with kustomize itself: the overlay renders
// and carries the released image.
func TestRenderedByKustomize(t *testing.T) {
	t.Parallel()
	const overlay = "/app/overlay/kustomization.yaml"
	const patch = "/app/overlay/patch.yaml"
	reg := "registry.example.com/team/api"
	tests := []struct {
		name   string
		files  map[string]string
		edit   string // file the editor rewrites
		op     editOp
		target Target
		want   []string
	}{
		{
			name:   "plain release drops the stale digest",
			files:  map[string]string{overlay: "resources:\n- ../base\nimages:\n- name: api # backend\n  newTag: v1\n  digest: " + oldDigest + "\n"},
			edit:   overlay,
			target: Target{Names: apiNames, Tag: "v2"},
			want:   []string{reg + ":v0", "api:v2", "web:v0"},
		},
		{
			name:   "digest release",
			files:  map[string]string{overlay: "resources: [../base]\nimages: [{name: api, newTag: v1}]\n"},
			edit:   overlay,
			target: Target{Names: apiNames, Tag: "v2", Digest: newDigest},
			want:   []string{reg + ":v0", "api:v2@" + newDigest, "web:v0"},
		},
		{
			name:   "tag that needs quoting",
			files:  map[string]string{overlay: "resources:\n- ../base\nimages:\n- name: api\n  newTag: v1\n"},
			edit:   overlay,
			target: Target{Names: apiNames, Tag: "1.10"},
			want:   []string{reg + ":v0", "api:1.10", "web:v0"},
		},
		{
			name:   "appended entry",
			files:  map[string]string{overlay: "resources:\n  - ../base\n"},
			edit:   overlay,
			op:     opAppend,
			target: Target{Names: []string{reg}, Tag: "0755"},
			want:   []string{reg + ":0755", "api:v0", "web:v0"},
		},
		{
			name:   "matched by newName",
			files:  map[string]string{overlay: "resources:\n- ../base\nimages:\n- name: api\n  newName: " + reg + "\n"},
			edit:   overlay,
			target: Target{Names: []string{reg}, Tag: "v2"},
			want:   []string{reg + ":v0", reg + ":v2", "web:v0"},
		},
		{
			name: "strategic-merge patch",
			files: map[string]string{
				overlay: "resources:\n- ../base\npatches:\n- path: patch.yaml\n",
				patch:   "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: " + reg + ":v1@" + oldDigest + "\n",
			},
			edit:   patch,
			op:     opPatch,
			target: Target{Names: []string{reg}, Tag: "v2"},
			want:   []string{reg + ":v0", reg + ":v2", "web:v0"},
		},
		{
			name: "JSON6902 patch",
			files: map[string]string{
				overlay: "resources:\n- ../base\npatches:\n- path: patch.yaml\n  target: {kind: Deployment, name: api}\n",
				patch:   `[{"op": "replace", "path": "/spec/template/spec/containers/1/image", "value": "` + reg + `:v1"}]` + "\n",
			},
			edit:   patch,
			op:     opPatch,
			target: Target{Names: []string{reg}, Tag: "v2", Digest: newDigest},
			want:   []string{reg + ":v0", "api:v0", reg + ":v2@" + newDigest},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, _, err := runOp(goldenCase{op: tt.op, target: tt.target}, []byte(tt.files[tt.edit]))
			if err != nil {
				t.Fatal(err)
			}
			tt.files[tt.edit] = string(out)
			got := kustomizeBuild(t, tt.files)
			slices.Sort(got)
			slices.Sort(tt.want)
			if !slices.Equal(got, tt.want) {
				t.Errorf("rendered images %q, want %q\nedited file:\n%s", got, tt.want, out)
			}
		})
	}
}
