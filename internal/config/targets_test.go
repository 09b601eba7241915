package config

import (
	"strings"
	"testing"
)

func TestParseTargets(t *testing.T) {
	t.Parallel()
	r, err := ParseRepo([]byte(`services:
  api:
    targets:
      - file: "charts/api/values-{env}.yaml"
        path: .image.tag
      - file: apps/{service}-{env}.yaml
        path: '.spec.source.helm.parameters[] | select(.name == "image.tag") | .value'
        value: "{image}:{tag}"
        chart: charts/api
`))
	if err != nil {
		t.Fatal(err)
	}
	ts := r.TargetsFor("api")
	if len(ts) != 2 || ts[0].Line != 4 || ts[1].Line != 6 || ts[0].ValueTemplate() != "{tag}" || ts[1].Chart != "charts/api" {
		t.Fatalf("targets = %+v", ts)
	}
	f, err := ts[1].TargetFile("api", "prod")
	if err != nil || f != "apps/api-prod.yaml" {
		t.Fatalf("TargetFile = %q, %v", f, err)
	}
	v := Version{Tag: "v2", Digest: "sha256:" + strings.Repeat("a", 64)}
	if got := TargetValue("{ref}", "ghcr.io/acme/api", v); got != "ghcr.io/acme/api:v2@"+v.Digest {
		t.Fatalf("TargetValue = %q", got)
	}
}

func TestParseTargetsErrors(t *testing.T) {
	t.Parallel()
	head := "services:\n  api:\n    targets:\n"
	tests := []struct{ yaml, want string }{
		{"      - file: ../other/values.yaml\n        path: .image.tag\n", ".gito.yaml:4: key services.api.targets[0]: file \"../other/values.yaml\" must be a path inside the repo, without .."},
		{"      - file: /etc/values.yaml\n        path: .image.tag\n", ".gito.yaml:4: key services.api.targets[0]: file \"/etc/values.yaml\" must be a path inside the repo, not absolute"},
		{"      - file: charts/{app}/values.yaml\n        path: .image.tag\n", "unknown placeholder {app}"},
		{"      - file: values.yaml\n        path: .image.tag |\n", ".gito.yaml:4: key services.api.targets[0]: path: expression .image.tag |"},
		{"      - file: values.yaml\n", "path: expression : is empty"},
		{"      - file: values.yaml\n        path: .image.tag\n        value: \"{version}\"\n", "unknown placeholder {version}"},
		{"      - file: values.yaml\n        path: .image.tag\n        chart: ../charts/api\n", "chart \"../charts/api\""},
		{"      - file: values.yaml\n        paht: .image.tag\n", ".gito.yaml:5: field paht not found"},
		{"      - values.yaml\n", ".gito.yaml:4: a target is a map"},
		{"      - file: \"\"\n        path: .a\n", "file is empty"},
	}
	for _, tt := range tests {
		_, err := ParseRepo([]byte(head + tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), FileName) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseRepo(%q) error = %v, want one line starting with %s containing %q", tt.yaml, err, FileName, tt.want)
		}
	}
}

func TestTargetFileEscapes(t *testing.T) {
	t.Parallel()
	tgt := Target{File: "{env}/values.yaml"}
	if _, err := tgt.TargetFile("api", "/"); err == nil {
		t.Fatal("TargetFile with an env of / succeeded")
	}
}
