package overlay

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/testutil"
)

// pinTransformer rewrites the image after kustomize's image transformer has run, so no
// edit of the overlay's images can show up in the output.
const pinTransformer = `apiVersion: builtin
kind: PatchTransformer
metadata:
  name: pin
target:
  kind: Deployment
patch: '[{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.example.com/team/api:v1"}]'
`

// TestPlanRefuses feeds bad input and broken overlays; each must fail with one line that
// names the flag or file, and leave the tree byte-identical.
func TestPlanRefuses(t *testing.T) {
	t.Parallel()
	good := classic(map[string]string{"api/overlays/prod/kustomization.yaml": prodEntry})
	tests := []struct {
		name  string
		files map[string]string // replaces good when set
		extra map[string]string // added to the tree
		req   Request
		want  []string // substrings of the error
	}{
		{name: "service traversal", req: Request{Service: "../x"}, want: []string{`--service "../x" is not a valid name`}},
		{name: "service with slash", req: Request{Service: "a/b"}, want: []string{`--service "a/b"`}},
		{name: "service upper case", req: Request{Service: "A"}, want: []string{`--service "A"`}},
		{name: "service with space", req: Request{Service: "a b"}, want: []string{`--service "a b"`}},
		{name: "service with newline", req: Request{Service: "x\n"}, want: []string{`--service "x\n"`}},
		{name: "env traversal", req: Request{Env: "../../etc"}, want: []string{`--env "../../etc"`}},
		{name: "env dotdot", req: Request{Env: ".."}, want: []string{`--env ".."`}},
		{name: "empty version", req: Request{Version: v("", "")}, want: []string{`--version ""`}},
		{name: "bad tag", req: Request{Version: v("v 2", "")}, want: []string{`--version "v 2"`}},
		{name: "bad digest", req: Request{Version: v("v2", "sha256:123")}, want: []string{`--version "v2@sha256:123" has an invalid digest`}},
		{name: "image with tag", req: Request{Images: []string{"api:v1"}}, want: []string{`image "api:v1"`, config.FileName}},
		{name: "unknown service", req: Request{Service: "apj"}, want: []string{`unknown service "apj"`, `did you mean "api"?`}},
		{name: "unknown env", req: Request{Env: "prdo"}, want: []string{`unknown env "prdo"`, `did you mean "prod"?`, "--create"}},
		{name: "bad layout", req: Request{Repo: &config.Repo{Layout: "/abs/{service}/{env}"}}, want: []string{config.FileName + " key layout"}},
		{name: "image not used", req: Request{Images: []string{"nginx"}},
			want: []string{"no container in api/overlays/prod uses image nginx", "images there: registry.example.com/team/api:v1"}},
		{name: "missing resource", files: classic(map[string]string{
			"api/overlays/prod/kustomization.yaml": kustHeader + "resources:\n  - ../../base\n  - missing.yaml\n"}),
			want: []string{"api/overlays/prod/kustomization.yaml: resources entry missing.yaml does not exist"}},
		{name: "missing base, named as written", files: classic(map[string]string{
			"api/overlays/prod/kustomization.yaml": kustHeader + "resources:\n  - ../../basee\n"}),
			want: []string{"api/overlays/prod/kustomization.yaml: resources entry ../../basee does not exist"}},
		{name: "invalid yaml", files: classic(map[string]string{
			"api/overlays/prod/kustomization.yaml": kustHeader + "resources: [../../base\n"}),
			want: []string{"api/overlays/prod/kustomization.yaml:2: did not find expected ',' or ']'"}},
		{name: "invalid yaml, line named", files: classic(map[string]string{
			"api/overlays/prod/kustomization.yaml": kustHeader + "resources:\n  - ../../base\n images: x\n"}),
			want: []string{"api/overlays/prod/kustomization.yaml:4: "}},
		{name: "unknown field", files: classic(map[string]string{
			"api/overlays/prod/kustomization.yaml": kustHeader + "resourcez:\n  - ../../base\n"}),
			want: []string{"api/overlays/prod does not render before the edit", "resourcez"}},
		{name: "missing patch file", files: classic(map[string]string{
			"api/overlays/prod/kustomization.yaml": kustHeader + "resources:\n  - ../../base\npatches:\n  - path: gone.yaml\n"}),
			want: []string{"api/overlays/prod does not render before the edit", "gone.yaml"}},
		{name: "base outside the overlay root", files: classic(map[string]string{
			"api/overlays/prod/kustomization.yaml": kustHeader + "resources:\n  - ../../base/deployment.yaml\n"}),
			want: []string{"api/overlays/prod does not render before the edit", "security"}},
		{name: "pinned after the image transformer", files: classic(map[string]string{
			"api/overlays/prod/kustomization.yaml": prodEntry + "transformers:\n  - pin.yaml\n",
			"api/overlays/prod/pin.yaml":           pinTransformer}),
			want: []string{"after the edit Deployment/api container api renders registry.example.com/team/api:v1 in api/overlays/prod, want v2", "nothing written"}},
		{name: "two kustomization files", extra: map[string]string{"api/overlays/prod/Kustomization": kustHeader},
			want: []string{"api/overlays/prod holds more than one kustomization file"}},
		{name: "create without a base", files: map[string]string{
			"api/overlays/prod/kustomization.yaml": kustHeader + "resources:\n  - deployment.yaml\n",
			"api/overlays/prod/deployment.yaml":    deployment("api", "registry.example.com/team/api:v1")},
			req:  Request{Env: "dev", Create: true},
			want: []string{"create api/overlays/dev: no base for service \"api\"", "api/base nor base/api"}},
		{name: "create from a broken base", files: merge(classic(map[string]string{"api/overlays/prod/kustomization.yaml": prodEntry}),
			map[string]string{"api/base/kustomization.yaml": kustHeader + "resources:\n  - nope.yaml\n"}),
			req:  Request{Env: "dev", Create: true},
			want: []string{"create api/overlays/dev: the generated overlay (base api/base) does not render", "nope.yaml"}},
		{name: "missing root", req: Request{Root: "/nonexistent/gito-test-root"}, want: []string{"repo root /nonexistent/gito-test-root"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root, before := tt.req.Root, ""
			if root == "" {
				root = t.TempDir()
				files := good
				if tt.files != nil {
					files = tt.files
				}
				testutil.WriteTree(t, root, merge(files, tt.extra))
				before = hashTree(t, root)
			}
			req := tt.req
			req.Root = ""
			if req.Version == (config.Version{}) && tt.name != "empty version" {
				req.Version = v("v2", "")
			}
			res, err := plan(t, root, req)
			if err == nil {
				t.Fatalf("Plan succeeded: %+v", res)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if tt.req.Root == "" && hashTree(t, root) != before {
				t.Error("the tree changed")
			}
		})
	}
}

func TestPlanRefusesSymlinkedKustomization(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, classic(map[string]string{"shared/kustomization.yaml": prodEntry}))
	if err := os.MkdirAll(filepath.Join(root, "api/overlays/prod"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../shared/kustomization.yaml", filepath.Join(root, "api/overlays/prod/kustomization.yaml")); err != nil {
		t.Fatal(err)
	}
	before := hashTree(t, root)
	_, err := plan(t, root, Request{Version: v("v2", "")})
	if err == nil || !strings.Contains(err.Error(), "read api/overlays/prod/kustomization.yaml: not a regular file") {
		t.Errorf("Plan = %v, want a refusal to edit through a symlink", err)
	}
	if hashTree(t, root) != before {
		t.Error("the tree changed")
	}
}

func TestPlanCancelled(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, classic(map[string]string{"api/overlays/prod/kustomization.yaml": prodEntry}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Plan(ctx, Request{Root: root, Repo: &config.Repo{}, Service: "api", Env: "prod", Version: v("v2", "")})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Plan with a cancelled context = %v, want context.Canceled", err)
	}
}

// S1: an overlay directory that is a symlink to a directory outside the repo is refused
// before anything there is read or written; the outside files stay untouched.
func TestPlanRefusesSymlinkedDirectoryLeavingTheRepo(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	testutil.WriteTree(t, outside, map[string]string{"kustomization.yaml": prodEntry})
	outsideBefore := hashTree(t, outside)
	root := t.TempDir()
	testutil.WriteTree(t, root, classic(map[string]string{"api/overlays/staging/kustomization.yaml": prodEntry}))
	if err := os.MkdirAll(filepath.Join(root, "api/overlays"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "api/overlays/prod")); err != nil {
		t.Fatal(err)
	}
	_, err := plan(t, root, Request{Version: v("v2", "")})
	if err == nil || !strings.Contains(err.Error(), "api/overlays/prod leaves the repository (through a symbolic link)") {
		t.Errorf("Plan = %v, want a refusal naming the symlinked directory", err)
	}
	if hashTree(t, outside) != outsideBefore {
		t.Error("the directory outside the repo changed")
	}
}

// S1/S10: a base reached through "../.." out of the repo, or through a symlinked directory, is
// not read; the error names the path as the overlay wrote it, not an internal cache path.
func TestRenderStaysInTheRepo(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	testutil.WriteTree(t, outside, map[string]string{"kustomization.yaml": kustHeader + "resources:\n  - deployment.yaml\n",
		"deployment.yaml": deployment("api", "registry.example.com/team/api:v1")})
	root := t.TempDir()
	testutil.WriteTree(t, root, classic(map[string]string{
		"api/overlays/prod/kustomization.yaml": kustHeader + "resources:\n  - ../../../../../../../../../../../../etc\n",
		"api/overlays/dev/kustomization.yaml":  kustHeader + "resources:\n  - ../../linked\n",
	}))
	if err := os.Symlink(outside, filepath.Join(root, "api/linked")); err != nil {
		t.Fatal(err)
	}
	for env, want := range map[string]string{"prod": "leaves the repository", "dev": "api/linked leaves the repository (through a symbolic link)"} {
		_, err := plan(t, root, Request{Env: env, Version: v("v2", "")})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: Plan = %v, want %q", env, err, want)
			continue
		}
		if strings.Contains(err.Error(), root) {
			t.Errorf("%s: error shows the absolute repo path: %v", env, err)
		}
	}
}
