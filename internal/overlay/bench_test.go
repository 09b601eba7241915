package overlay

import (
	"context"
	"fmt"
	"testing"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/testutil"
)

// BenchmarkPlanIn2000Overlays plans a release in a repo of 1,000 services x 2 envs whose
// bases share a common base, to show that planning touches one overlay, not the repo.
func BenchmarkPlanIn2000Overlays(b *testing.B) {
	root := b.TempDir()
	files := map[string]string{
		"base/_shared/kustomization.yaml": kustHeader + "resources:\n  - limits.yaml\n",
		"base/_shared/limits.yaml":        "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: limits\nspec:\n  limits:\n    - type: Container\n      default:\n        cpu: 500m\n",
	}
	for i := range 1000 {
		svc := fmt.Sprintf("svc-%04d", i)
		files["base/"+svc+"/kustomization.yaml"] = kustHeader + "resources:\n  - ../_shared\n  - deployment.yaml\n"
		files["base/"+svc+"/deployment.yaml"] = deployment(svc, "registry.example.com/"+svc+":v1")
		for _, env := range []string{"prod", "staging"} {
			files["overlays/"+env+"/"+svc+"/kustomization.yaml"] = kustHeader +
				"resources:\n  - ../../../base/" + svc + "\nimages:\n  - name: registry.example.com/" + svc + "\n    newTag: v1\n"
		}
	}
	testutil.WriteTree(b, root, files)
	repo := &config.Repo{}
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		svc, env := fmt.Sprintf("svc-%04d", i%1000), []string{"prod", "staging"}[i%2]
		if _, err := Locate(root, repo, svc, env); err != nil {
			b.Fatal(err)
		}
		res, err := Plan(ctx, Request{Root: root, Repo: repo, Service: svc, Env: env,
			Version: config.Version{Tag: "v2"}, Images: []string{"registry.example.com/" + svc}})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Files) != 1 {
			b.Fatalf("planned %d files, want 1", len(res.Files))
		}
	}
}
