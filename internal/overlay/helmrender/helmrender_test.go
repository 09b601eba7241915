package helmrender

import (
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/repofs"
	"github.com/gito-dev/gito/internal/testutil"
)

func writeChart(t *testing.T, templates map[string]string) *repofs.FS {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"Chart.yaml":  "apiVersion: v2\nname: api\nversion: 0.1.0\n",
		"values.yaml": "image:\n  repository: ghcr.io/acme/api\n  tag: v1\n",
	}
	for k, v := range templates {
		files["templates/"+k] = v
	}
	testutil.WriteTree(t, dir, files)
	return openFS(t, dir)
}

func openFS(t *testing.T, dir string) *repofs.FS {
	t.Helper()
	fsys, err := repofs.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fsys.Close() })
	return fsys
}

const deploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
      containers:
        - name: api
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
`

func TestRender(t *testing.T) {
	t.Parallel()
	fsys := writeChart(t, map[string]string{"deployment.yaml": deploy, "NOTES.txt": "hello {{ .Release.Name }}", "_helpers.tpl": `{{- define "x" }}y{{ end }}`})
	imgs, err := Render(Request{FS: fsys, Chart: ".", Name: "api", Values: []byte("image:\n  tag: v2\n")})
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 2 || imgs[1] != (Image{Resource: "Deployment/api", Container: "api", Ref: "ghcr.io/acme/api:v2"}) {
		t.Fatalf("images = %+v", imgs)
	}
	// The chart's own values.yaml replaced: no repository, the template renders ":v3".
	imgs, err = Render(Request{FS: fsys, Chart: ".", Name: "api", Values: []byte("image:\n  tag: v3\n"), ChartValues: true})
	if err != nil || imgs[0].Ref != ":v3" {
		t.Fatalf("ChartValues: %+v, %v", imgs, err)
	}
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		templates map[string]string
		values    string
		want      string
	}{
		{map[string]string{"d.yaml": `{{ fail "no" }}`}, "", "render: "},
		{map[string]string{"d.yaml": "a: [\n"}, "", "renders invalid YAML in api/templates/d.yaml"},
		{map[string]string{"d.yaml": deploy}, "image: [", "read values"},
	}
	for _, tc := range cases {
		_, err := Render(Request{FS: writeChart(t, tc.templates), Chart: ".", Name: "api", Values: []byte(tc.values)})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("err = %v, want one line with %q", err, tc.want)
		}
	}
	if _, err := Render(Request{FS: openFS(t, t.TempDir()), Chart: ".", Name: "api"}); err == nil || !strings.Contains(err.Error(), "load chart") {
		t.Errorf("no chart: %v", err)
	}
}
