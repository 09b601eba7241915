package status

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/workspace"
)

func kust(image, tag, digest string) string {
	s := "images:\n- name: " + image + "\n  newTag: " + tag + "\n"
	if digest != "" {
		s += "  digest: " + digest + "\n"
	}
	return s
}

// One batched read for every overlay; versions, digests, the open PR and drift per row.
func TestLoad(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"c:overlays/dev/api/kustomization.yaml":     kust("reg/api", "v3", ""),
		"c:overlays/staging/api/kustomization.yaml": kust("reg/api", "v2", "sha256:"+strings.Repeat("a", 64)),
		"c:overlays/prod/api/kustomization.yaml":    kust("reg/api", "v2", "sha256:"+strings.Repeat("a", 64)),
		"c:overlays/prod/web/kustomization.yaml":    "resources: [../../base/web]\n",
		"c:overlays/prod/web/patch.yaml":            "spec:\n  template:\n    spec:\n      containers:\n      - image: reg/web:v9\n",
	}
	reads := 0
	in := Input{
		Config: &config.Repo{}, Commit: "c", Now: time.Now(),
		ReadBlobs: func(_ context.Context, specs []string) (map[string][]byte, error) {
			reads++
			out := map[string][]byte{}
			for _, s := range specs {
				if v, ok := files[s]; ok {
					out[s] = []byte(v)
				}
			}
			return out, nil
		},
		OpenPRs: []*forge.PullRequest{{Number: 4, Head: "gito/dev/api"}},
	}
	for _, o := range []struct{ svc, env string }{{"api", "dev"}, {"api", "prod"}, {"api", "staging"}, {"web", "prod"}} {
		dir := "overlays/" + o.env + "/" + o.svc
		of := workspace.OverlayFiles{Service: o.svc, Env: o.env, Dir: dir, Kustomization: dir + "/kustomization.yaml"}
		if o.svc == "web" {
			of.YAML = []string{dir + "/patch.yaml"}
		}
		in.Overlays = append(in.Overlays, of)
	}
	rows, err := Load(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if reads != 1 {
		t.Errorf("ReadBlobs called %d times, want one batch", reads)
	}
	var got []string
	for _, r := range rows {
		pr := 0
		if r.PR != nil {
			pr = r.PR.Number
		}
		got = append(got, strings.Join([]string{r.Service, r.Env, r.Version, r.Digest[:min(len(r.Digest), 8)], r.Path, map[bool]string{true: "drift"}[r.Drift], string(rune('0' + pr))}, " "))
	}
	want := []string{
		"api dev v3  overlays/dev/api/kustomization.yaml drift 4",
		"api prod v2 sha256:a overlays/prod/api/kustomization.yaml  0",
		"api staging v2 sha256:a overlays/staging/api/kustomization.yaml  0",
		"web prod v9  overlays/prod/web/patch.yaml  0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	in.Service, in.Envs = "api", []string{"prod"}
	rows, _ = Load(context.Background(), in)
	if len(rows) != 1 || rows[0].Env != "prod" {
		t.Errorf("filtered rows = %+v", rows)
	}
}

// With the listing's blob ids, files are read by id and only files that exist are asked
// for: git resolves no path, and no overlay costs a lookup for a signature it lacks.
func TestLoadByBlobID(t *testing.T) {
	t.Parallel()
	ids := map[string]string{
		"overlays/prod/api/kustomization.yaml":     "id-kust",
		"overlays/prod/api/kustomization.yaml.sig": "id-sig",
		"overlays/dev/api/kustomization.yaml":      "id-dev",
	}
	blobs := map[string]string{"id-kust": kust("reg/api", "v2", ""), "id-dev": kust("reg/api", "v3", ""), "id-sig": "not a signature"}
	var asked []string
	in := Input{
		Config: &config.Repo{}, Commit: "c", BlobIDs: ids, Now: time.Now(),
		ReadBlobs: func(_ context.Context, specs []string) (map[string][]byte, error) {
			asked = append(asked, specs...)
			out := map[string][]byte{}
			for _, s := range specs {
				if v, ok := blobs[s]; ok {
					out[s] = []byte(v)
				}
			}
			return out, nil
		},
	}
	for _, env := range []string{"dev", "prod"} {
		dir := "overlays/" + env + "/api"
		in.Overlays = append(in.Overlays, workspace.OverlayFiles{Service: "api", Env: env, Dir: dir, Kustomization: dir + "/kustomization.yaml"})
	}
	rows, err := Load(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(asked, " "), "id-dev id-kust id-sig"; got != want {
		t.Errorf("asked for %q, want %q (ids only, no absent file)", got, want)
	}
	if len(rows) != 2 || rows[0].Version != "v3" || rows[1].Version != "v2" || rows[1].Signed {
		t.Errorf("rows = %+v", rows)
	}
}
