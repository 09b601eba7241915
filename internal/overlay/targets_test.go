package overlay

import (
	"context"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/testutil"
)

const chartYAML = "apiVersion: v2\nname: api\nversion: 0.1.0\n"

const chartDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    spec:
      containers:
        - name: api
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
`

// strictTemplate refuses tags that do not start with v, like a chart with a policy would.
const strictTemplate = `{{- if not (hasPrefix "v" (toString .Values.image.tag)) }}{{ fail "image.tag must start with v" }}{{ end }}
`

func helmRepo(extra map[string]string) map[string]string {
	return merge(map[string]string{
		"charts/api/Chart.yaml":                chartYAML,
		"charts/api/values.yaml":               "image:\n  repository: ghcr.io/acme/api\n  tag: v1\n",
		"charts/api/templates/deployment.yaml": chartDeployment,
	}, extra)
}

func planIn(t *testing.T, files map[string]string, repo *config.Repo, env, version string) (*Result, error, string) {
	t.Helper()
	root := t.TempDir()
	testutil.WriteTree(t, root, files)
	before := hashTree(t, root)
	ver, err := config.ParseVersion("--version", version)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Plan(context.Background(), Request{Root: root, Repo: repo, Service: "api", Env: env, Version: ver})
	if after := hashTree(t, root); after != before {
		t.Fatal("Plan changed the tree")
	}
	return res, err, root
}

func TestHelmValuesDefaultWithChartInDir(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"apps/api/prod/Chart.yaml":                chartYAML,
		"apps/api/prod/values.yaml":               "# prod values\nimage:\n  repository: ghcr.io/acme/api\n  tag: v1 # current\n",
		"apps/api/prod/templates/deployment.yaml": chartDeployment,
		"apps/api/staging/kustomization.yaml":     kustHeader,
	}
	res, err, _ := planIn(t, files, &config.Repo{Layout: "apps/{service}/{env}"}, "prod", "v2")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || string(res.Files[0].After) != "# prod values\nimage:\n  repository: ghcr.io/acme/api\n  tag: v2 # current\n" {
		t.Fatalf("files = %+v", res.Files)
	}
	if len(res.Previous) != 1 || res.Previous[0].Tag != "v1" || res.Previous[0].Name != "ghcr.io/acme/api" {
		t.Fatalf("previous = %+v", res.Previous)
	}
	for _, n := range res.Notes {
		if strings.Contains(n, "parse-checked") {
			t.Fatalf("a chart in the repo is rendered, yet the notes say %q", n)
		}
	}
}

func TestHelmTargetRefusedWhenTheChartBreaks(t *testing.T) {
	t.Parallel()
	files := helmRepo(map[string]string{"charts/api/templates/policy.yaml": strictTemplate})
	repo := &config.Repo{Services: map[string]config.Service{"api": {Targets: []config.Target{{File: "charts/api/values.yaml", Path: ".image.tag", Value: "{tag}", Line: 5}}}}}
	if _, err, _ := planIn(t, files, repo, "prod", "v2"); err != nil {
		t.Fatalf("v2 passes the chart's policy: %v", err)
	}
	_, err, _ := planIn(t, files, repo, "prod", "2.0")
	if err == nil || !strings.Contains(err.Error(), "image.tag must start with v") || !strings.Contains(err.Error(), "nothing written") {
		t.Fatalf("err = %v, want the chart's failure", err)
	}
}

func TestHelmTargetRefusedWhenTheChartIgnoresTheValue(t *testing.T) {
	t.Parallel()
	files := helmRepo(map[string]string{"charts/api/templates/deployment.yaml": strings.ReplaceAll(chartDeployment, "{{ .Values.image.tag }}", "v1")})
	repo := &config.Repo{Services: map[string]config.Service{"api": {Targets: []config.Target{{File: "charts/api/values.yaml", Path: ".image.tag"}}}}}
	_, err, _ := planIn(t, files, repo, "prod", "v2")
	if err == nil || !strings.Contains(err.Error(), "no workload of chart charts/api renders version v2") {
		t.Fatalf("err = %v", err)
	}
}

func TestRemoteChartIsParseCheckedOnly(t *testing.T) {
	t.Parallel()
	files := map[string]string{"envs/prod/values.yaml": "replicaCount: 2\n"}
	res, err, _ := planIn(t, files, &config.Repo{Layout: "envs/{env}"}, "prod", "v2@"+digestA)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res.Files[0].After); got != "replicaCount: 2\nimage:\n  tag: v2@"+digestA+"\n" {
		t.Fatalf("after = %q", got)
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "parse-checked only") {
		t.Fatalf("notes = %q", res.Notes)
	}
}

func TestApplicationAndManifestTargets(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"argocd/api-prod.yaml":    "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  source:\n    helm:\n      parameters:\n      - name: image.tag\n        value: v1\n",
		"manifests/prod/api.yaml": deployment("api", "ghcr.io/acme/api:v1", "envoy:1.0"),
	}
	repo := &config.Repo{Services: map[string]config.Service{"api": {Targets: []config.Target{
		{File: "argocd/{service}-{env}.yaml", Path: `.spec.source.helm.parameters[] | select(.name == "image.tag") | .value`},
		{File: "manifests/{env}/{service}.yaml", Path: `.spec.template.spec.containers[] | select(.name == "api") | .image`, Value: "{image}:{tag}"},
	}}}}
	res, err, _ := planIn(t, files, repo, "prod", "v2")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 2 || !strings.Contains(string(res.Files[0].After), "value: v2") || !strings.Contains(string(res.Files[1].After), "image: ghcr.io/acme/api:v2\n") || !strings.Contains(string(res.Files[1].After), "envoy:1.0") {
		t.Fatalf("files = %s / %s", res.Files[0].After, res.Files[1].After)
	}
	if !strings.Contains(res.Diff, "+        value: v2") {
		t.Fatalf("diff = %s", res.Diff)
	}
	again, err, _ := planIn(t, map[string]string{"argocd/api-prod.yaml": string(res.Files[0].After), "manifests/prod/api.yaml": string(res.Files[1].After)}, repo, "prod", "v2")
	if err != nil || !again.Noop {
		t.Fatalf("second plan = %+v, %v; want a noop", again, err)
	}
}

func TestTargetBadInputsChangeNothing(t *testing.T) {
	t.Parallel()
	files := map[string]string{"values/prod.yaml": "image:\n  tag: v1\n", "values/bin.yaml": "\x00\x01\xff", "values/bare.yaml": "replicaCount: 1\n",
		"values/three.yaml": "api:\n  tag: v1\nweb:\n  tag: v3\nworker:\n  tag: v7\n"}
	cases := []struct{ file, path, value, want string }{
		{"values/{env}.yaml", ".image", "", "values/prod.yaml: expression .image: selects a map"},
		{"values/{env}.yaml", ".image.tag |", "", "values/prod.yaml: expression .image.tag |:"},
		{"values/{env}.yaml", `.image | select(.x) | .tag`, "", "selects nothing"},
		{"values/missing-{env}.yaml", ".image.tag", "", "values/missing-prod.yaml: the file does not exist"},
		{"values/bin.yaml", ".image.tag", "", "values/bin.yaml: expression .image.tag: the file is not YAML"},
		{"values/bare.yaml", ".image.tag", "{image}:{tag}", "values/bare.yaml: .image.tag: {image} needs services.api.images"},
		{"values/three.yaml", ".[].tag", "", `values/three.yaml: expression .[].tag: selects 3 scalars (lines 2, 4, 6) where one is expected: they hold different values ("v1", "v3", "v7")`},
	}
	for _, tc := range cases {
		repo := &config.Repo{Services: map[string]config.Service{"api": {Targets: []config.Target{{File: tc.file, Path: tc.path, Value: tc.value}}}}}
		if tc.value == "" {
			repo.Services["api"].Targets[0].Value = "{tag}"
		}
		res, err, _ := planIn(t, files, repo, "prod", "v2")
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s %s: err = %v (res %+v), want one line with %q", tc.file, tc.path, err, res, tc.want)
		}
	}
}

func TestImageDiscoveredWithoutConfig(t *testing.T) {
	t.Parallel()
	files := merge(baseFiles("base", "api", "ghcr.io/acme/api:v1"), map[string]string{
		"overlays/prod/api/kustomization.yaml": kustHeader + "resources:\n  - ../../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: v1\n",
	})
	res, err, _ := planIn(t, files, &config.Repo{}, "prod", "v2")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || !strings.Contains(string(res.Files[0].After), "newTag: v2") {
		t.Fatalf("files = %+v", res.Files)
	}

	two := merge(map[string]string{
		"base/kustomization.yaml":              kustHeader + "resources:\n  - deployment.yaml\n",
		"base/deployment.yaml":                 deployment("web", "ghcr.io/acme/frontend:v1", "ghcr.io/acme/backend:v1"),
		"overlays/prod/api/kustomization.yaml": kustHeader + "resources:\n  - ../../../base\n",
	})
	_, err, _ = planIn(t, two, &config.Repo{}, "prod", "v2")
	if err == nil || !strings.Contains(err.Error(), "ghcr.io/acme/backend:v1, ghcr.io/acme/frontend:v1") || !strings.Contains(err.Error(), "services: {api: {images: [ghcr.io/acme/backend]}}") {
		t.Fatalf("err = %v", err)
	}
}

func TestOneAppLayoutAndDeprecatedNote(t *testing.T) {
	t.Parallel()
	files := merge(baseFiles("base", "app", "ghcr.io/acme/api:v1"), map[string]string{
		"envs/prod/kustomization.yaml":     kustHeader + "resources:\n  - ../../base\npatchesStrategicMerge:\n  - version.yaml\n",
		"envs/prod/version.yaml":           "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/acme/api:v1\n",
		"envs/qa/kustomization.yaml":       kustHeader + "resources:\n  - ../../base\n",
		"variants/prod/kustomization.yaml": kustHeader,
	})
	res, err, _ := planIn(t, files, &config.Repo{}, "prod", "v2")
	if err != nil {
		t.Fatal(err)
	}
	if res.Overlay.Layout != "envs/{env}" || len(res.Files) != 1 || res.Files[0].Path != "envs/prod/version.yaml" {
		t.Fatalf("overlay %+v files %+v", res.Overlay, res.Files)
	}
	notes := strings.Join(res.Notes, "|")
	if strings.Count(notes, "deprecated") != 1 || !strings.Contains(notes, "overlays use deprecated patchesStrategicMerge; kustomize edit fix updates them") {
		t.Fatalf("notes = %q", res.Notes)
	}
	root := t.TempDir()
	testutil.WriteTree(t, root, files)
	envs, err := Envs(root, &config.Repo{}, "api")
	if err != nil || strings.Join(envs, ",") != "prod,qa" {
		t.Fatalf("Envs = %v, %v", envs, err)
	}
}
