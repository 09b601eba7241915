package status

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/inventory"
)

func kust(image, tag, digest string) string {
	s := "images:\n- name: " + image + "\n  newTag: " + tag + "\n"
	if digest != "" {
		s += "  digest: " + digest + "\n"
	}
	return s
}

// commit is a listing whose blob ids are "id-" + path.
type commit map[string]string

func (c commit) Files(context.Context) (map[string]string, error) {
	out := map[string]string{}
	for p := range c {
		out[p] = "id-" + p
	}
	return out, nil
}

func (c commit) Read(_ context.Context, keys []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, k := range keys {
		if v, ok := c[strings.TrimPrefix(k, "id-")]; ok {
			out[k] = []byte(v)
		}
	}
	return out, nil
}

func inventoryOf(t *testing.T, c commit, cfg *config.Repo) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.Build(context.Background(), c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// Versions, digests, the open PR and drift per row; an unknown version is no drift.
func TestLoad(t *testing.T) {
	t.Parallel()
	files := commit{
		"overlays/dev/api/kustomization.yaml":     kust("reg/api", "v3", ""),
		"overlays/staging/api/kustomization.yaml": kust("reg/api", "v2", "sha256:"+strings.Repeat("a", 64)),
		"overlays/prod/api/kustomization.yaml":    kust("reg/api", "v2", "sha256:"+strings.Repeat("a", 64)),
		"overlays/qa/api/kustomization.yaml":      "resources: [https://example.com/base]\n",
		"overlays/prod/web/kustomization.yaml":    "resources: [../../../base/web]\npatches:\n- path: patch.yaml\n",
		"overlays/prod/web/patch.yaml":            "spec:\n  template:\n    spec:\n      containers:\n      - image: reg/web:v9\n",
		"base/web/kustomization.yaml":             "resources: [d.yaml]\n",
		"base/web/d.yaml":                         "kind: Deployment\nspec:\n  containers:\n  - image: reg/web:v1\n",
	}
	cfg := &config.Repo{Layout: "overlays/{env}/{service}"}
	reads := 0
	in := Input{
		Config: cfg, Inventory: inventoryOf(t, files, cfg), Now: time.Now(),
		ReadBlobs: func(ctx context.Context, specs []string) (map[string][]byte, error) {
			reads++
			return files.Read(ctx, specs)
		},
		OpenPRs: []*forge.PullRequest{{Number: 4, Head: "gito/dev/api"}},
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
		v := r.Version
		if r.Unknown != "" {
			v = "unknown(" + r.Unknown + ")"
		}
		got = append(got, strings.Join([]string{r.Service, r.Env, v, r.Digest[:min(len(r.Digest), 8)], r.Path, map[bool]string{true: "drift"}[r.Drift], string(rune('0' + pr))}, " "))
	}
	want := []string{
		"api dev v3  overlays/dev/api/kustomization.yaml drift 4",
		"api prod v2 sha256:a overlays/prod/api/kustomization.yaml  0",
		"api qa unknown(remote base https://example.com/base in overlays/qa/api/kustomization.yaml)  overlays/qa/api/kustomization.yaml  0",
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

// Signatures are read by blob id and only when they exist: git resolves no path, and no
// overlay costs a lookup for a signature it lacks.
func TestLoadByBlobID(t *testing.T) {
	t.Parallel()
	files := commit{
		"overlays/prod/api/kustomization.yaml":     kust("reg/api", "v2", ""),
		"overlays/prod/api/kustomization.yaml.sig": "not a signature",
		"overlays/dev/api/kustomization.yaml":      kust("reg/api", "v3", ""),
	}
	var asked []string
	in := Input{
		Config: &config.Repo{}, Inventory: inventoryOf(t, files, &config.Repo{}), Now: time.Now(),
		ReadBlobs: func(ctx context.Context, specs []string) (map[string][]byte, error) {
			asked = append(asked, specs...)
			return files.Read(ctx, specs)
		},
	}
	rows, err := Load(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(asked, " "), "id-overlays/prod/api/kustomization.yaml.sig"; got != want {
		t.Errorf("asked for %q, want %q (ids only, no absent file)", got, want)
	}
	if len(rows) != 2 || rows[0].Version != "v3" || rows[1].Version != "v2" || rows[1].Signed {
		t.Errorf("rows = %+v", rows)
	}
}
