package integrations

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/plugingen"
	"github.com/gito-dev/gito/internal/testutil"
)

type cmpPlugin struct {
	Kind     string
	Metadata struct{ Name string }
	Spec     struct {
		Version  string
		Discover struct {
			Find struct{ Command []string }
		}
		Generate struct{ Command []string }
	}
}

func readPlugin(t *testing.T) cmpPlugin {
	t.Helper()
	data, err := os.ReadFile("argocd/plugin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var p cmpPlugin
	if err := yaml.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestArgoCDPlugin runs plugin.yaml's own discover and generate commands the way the
// argocd-cmp-server runs them: in the application's directory of a repository sent without
// .git, with only gito on PATH.
func TestArgoCDPlugin(t *testing.T) {
	t.Parallel()
	testutil.RequireTool(t, "kubectl", "apt-get install kubectl")
	p := readPlugin(t)
	if p.Kind != "ConfigManagementPlugin" || p.Metadata.Name != "gito" || p.Spec.Version == "" {
		t.Fatalf("unexpected plugin %+v", p)
	}
	gen, disc := p.Spec.Generate.Command, p.Spec.Discover.Find.Command
	if !slices.Equal(gen, []string{"gito", "generate"}) || !slices.Equal(disc, []string{"gito", "generate", "--discover"}) {
		t.Fatalf("generate %q, discover %q: the image holds gito only", gen, disc)
	}

	e := newEnv(t)
	aliceKey, alicePub := e.key("alice")
	repo := newInfraRepo(e, aliceKey, alicePub)
	if err := os.RemoveAll(filepath.Join(repo, ".git")); err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(repo, "overlays/prod/api")
	signWith(t, repo, "overlays/prod/api/configmap.yaml", aliceKey)
	// The allowed signers are pinned in the sidecar (repo-server-patch.yaml), not read from
	// the repository the plugin renders.
	pinned := filepath.Join(t.TempDir(), "allowed_signers")
	testutil.WriteFile(t, filepath.Dir(pinned), "allowed_signers", "alice@example.com "+alicePub+"\n")
	e.vars = append(e.vars, "GITO_ALLOWED_SIGNERS="+pinned, "ARGOCD_APP_NAME=api-prod")

	// exec resolves the name on the test's own PATH: use the path the sidecar's PATH gives.
	disc, gen = append([]string{e.gito}, disc[1:]...), append([]string{e.gito}, gen[1:]...)
	if out, _, err := runSplit(e, app, disc[0], disc[1:]...); err != nil || strings.TrimSpace(out) == "" {
		t.Errorf("discover did not claim a signed overlay: %q %v", out, err)
	}
	other := t.TempDir()
	if out, _, err := runSplit(e, other, disc[0], disc[1:]...); err != nil || out != "" {
		t.Errorf("discover claimed a directory outside any gito repo: %q %v", out, err)
	}

	stdout, stderr, err := runSplit(e, app, gen[0], gen[1:]...)
	if err != nil {
		t.Fatalf("signed overlay refused: %v\n%s", err, stderr)
	}
	want, _, err := runSplit(e, app, "kubectl", "kustomize", ".")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(docs(t, stdout), docs(t, want)) || stderr != "" {
		t.Errorf("generate = %q (stderr %q), want kubectl kustomize's %q", stdout, stderr, want)
	}

	testutil.WriteFile(t, repo, "overlays/prod/api/configmap.yaml", cm+"  extra: evil\n")
	stdout, stderr, err = runSplit(e, app, gen[0], gen[1:]...)
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != exitcode.Verify {
		t.Fatalf("tampered resource: err=%v, want exit 3\n%s", err, stderr)
	}
	if stdout != "" || !strings.Contains(stderr, "app api-prod: FAIL overlays/prod/api/configmap.yaml  tampered") {
		t.Errorf("tampered resource rendered: stdout %q stderr %q", stdout, stderr)
	}
}

func docs(t *testing.T, s string) []any {
	t.Helper()
	var out []any
	dec := yaml.NewDecoder(strings.NewReader(s))
	for {
		var d any
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatalf("%v in %q", err, s)
		}
		out = append(out, d)
	}
}

var pinnedImage = regexp.MustCompile(`^[^\s@]+:[^\s@]+@sha256:[0-9a-f]{64}$`)

// TestArgoCDDockerfile checks the Dockerfile statically (docker cannot run here): multi-stage,
// every base pinned by digest, a static binary, uid 999, and the cmp image holding gito and
// plugin.yaml only.
func TestArgoCDDockerfile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("argocd/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	args := map[string]string{}
	stages := map[string][]string{} // stage -> its instructions
	var stage string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		switch strings.ToUpper(f[0]) {
		case "ARG":
			if k, v, ok := strings.Cut(f[1], "="); ok && stage == "" {
				args[k] = v
			}
		case "FROM":
			image := os.Expand(f[1], func(k string) string { return args[k] })
			if !pinnedImage.MatchString(image) {
				t.Errorf("FROM %s (%s) is not pinned by tag and digest", f[1], image)
			}
			if len(f) != 4 || !strings.EqualFold(f[2], "AS") {
				t.Fatalf("unnamed stage: %s", line)
			}
			stage = f[3]
		}
		if stage != "" {
			stages[stage] = append(stages[stage], line)
		}
	}
	if len(stages) < 3 {
		t.Fatalf("stages %v, want build, cmp and serve", stages)
	}
	has := func(stage, substr string) bool {
		return slices.ContainsFunc(stages[stage], func(l string) bool { return strings.Contains(l, substr) })
	}
	for _, c := range []struct{ stage, want string }{
		{"build", "CGO_ENABLED=0"},
		{"build", "GOOS=linux"},
		{"cmp", "USER 999"},
		{"cmp", "COPY plugin.yaml /home/argocd/cmp-server/config/plugin.yaml"},
		{"cmp", "COPY --from=build /out/gito /usr/local/bin/gito"},
		{"serve", "USER 999"},
		{"serve", "apk add --no-cache git"},
		{"serve", "/var/run/argo/token"},
	} {
		if !has(c.stage, c.want) {
			t.Errorf("stage %s lacks %q", c.stage, c.want)
		}
	}
	for _, line := range stages["cmp"] {
		if strings.HasPrefix(line, "RUN") || strings.Contains(line, "kustomize") {
			t.Errorf("the cmp image must hold gito only: %s", line)
		}
	}
}

type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string
	Metadata   struct {
		Name, Namespace string
		Labels          map[string]string
	}
	Data       map[string]string
	StringData map[string]string `yaml:"stringData"`
	Spec       struct {
		Template struct {
			Spec podSpec
		}
		Ports []struct {
			Port       int
			TargetPort string `yaml:"targetPort"`
		}
		Selector map[string]any
	}
}

type podSpec struct {
	SecurityContext struct {
		RunAsUser int `yaml:"runAsUser"`
	} `yaml:"securityContext"`
	Containers []struct {
		Name, Image     string
		Command, Args   []string
		Env             []struct{ Name, Value string }
		SecurityContext struct {
			RunAsUser              int  `yaml:"runAsUser"`
			ReadOnlyRootFilesystem bool `yaml:"readOnlyRootFilesystem"`
		} `yaml:"securityContext"`
		Ports          []struct{ Name string }
		ReadinessProbe struct {
			HTTPGet struct{ Path, Port string } `yaml:"httpGet"`
		} `yaml:"readinessProbe"`
		LivenessProbe struct {
			HTTPGet struct{ Path string } `yaml:"httpGet"`
		} `yaml:"livenessProbe"`
		VolumeMounts []struct {
			Name      string
			MountPath string `yaml:"mountPath"`
		} `yaml:"volumeMounts"`
	}
	Volumes []struct {
		Name   string
		Secret struct {
			SecretName string `yaml:"secretName"`
		}
		ConfigMap struct{ Name string } `yaml:"configMap"`
	}
}

func kustomize(t *testing.T, dir string) []k8sObject {
	t.Helper()
	cmd := exec.Command("kubectl", "kustomize", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl kustomize %s: %v\n%s", dir, err, stderr.String())
	}
	var objs []k8sObject
	dec := yaml.NewDecoder(bytes.NewReader(out))
	for {
		var o k8sObject
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			return objs
		} else if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
}

func byKind(t *testing.T, objs []k8sObject, kind string) k8sObject {
	t.Helper()
	for _, o := range objs {
		if o.Kind == kind {
			return o
		}
	}
	t.Fatalf("no %s in %+v", kind, objs)
	return k8sObject{}
}

// TestRepoServerPatch applies the sidecar patch to a stub of Argo CD's repo-server, as an
// install kustomization would, and checks the sidecar it yields.
func TestRepoServerPatch(t *testing.T) {
	t.Parallel()
	testutil.RequireTool(t, "kubectl", "apt-get install kubectl")
	dir := t.TempDir()
	patch, err := os.ReadFile("argocd/repo-server-patch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteTree(t, dir, map[string]string{
		"repo-server-patch.yaml": string(patch),
		"kustomization.yaml":     "resources: [repo-server.yaml]\npatches:\n  - path: repo-server-patch.yaml\n",
		"repo-server.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: argocd-repo-server
  namespace: argocd
spec:
  template:
    spec:
      containers:
        - name: argocd-repo-server
          image: quay.io/argoproj/argocd:v3.0.0
      volumes:
        - name: var-files
          emptyDir: {}
        - name: plugins
          emptyDir: {}
`,
	})
	d := byKind(t, kustomize(t, dir), "Deployment")
	spec := d.Spec.Template.Spec
	names := []string{}
	for _, c := range spec.Containers {
		names = append(names, c.Name)
	}
	if len(names) != 2 || !slices.Contains(names, "argocd-repo-server") {
		t.Fatalf("patch replaced the repo-server's containers: %q", names)
	}
	c := spec.Containers[slices.Index(names, "gito")]
	if c.Name != "gito" || !slices.Equal(c.Command, []string{"/var/run/argocd/argocd-cmp-server"}) || c.SecurityContext.RunAsUser != 999 || !c.SecurityContext.ReadOnlyRootFilesystem {
		t.Errorf("sidecar %+v", c)
	}
	volumes := map[string]bool{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = true
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = m.Name
		if !volumes[m.Name] {
			t.Errorf("mount %s names no volume %s", m.MountPath, m.Name)
		}
	}
	for path, name := range map[string]string{"/var/run/argocd": "var-files", "/home/argocd/cmp-server/plugins": "plugins", "/tmp": "gito-tmp"} {
		if mounts[path] != name {
			t.Errorf("%s mounts %q, want %q", path, mounts[path], name)
		}
	}
	signers := ""
	for _, e := range c.Env {
		if e.Name == "GITO_ALLOWED_SIGNERS" {
			signers = e.Value
		}
	}
	if signers == "" || mounts[filepath.Dir(signers)] != "gito-allowed-signers" {
		t.Errorf("GITO_ALLOWED_SIGNERS=%q is not on the allowed-signers ConfigMap mount", signers)
	}
}

// TestPluginGeneratorManifests renders the plugin generator's manifests and checks that the
// pieces Argo CD and gito serve must agree on do agree.
func TestPluginGeneratorManifests(t *testing.T) {
	t.Parallel()
	testutil.RequireTool(t, "kubectl", "apt-get install kubectl")
	objs := kustomize(t, "argocd/plugin-generator")
	for _, o := range objs {
		if o.Metadata.Namespace != "argocd" {
			t.Errorf("%s/%s is in namespace %q, want argocd", o.Kind, o.Metadata.Name, o.Metadata.Namespace)
		}
	}
	secret, cm, dep, svc := byKind(t, objs, "Secret"), byKind(t, objs, "ConfigMap"), byKind(t, objs, "Deployment"), byKind(t, objs, "Service")
	if secret.Metadata.Labels["app.kubernetes.io/part-of"] != "argocd" || secret.StringData["token"] == "" {
		t.Errorf("Secret %+v: Argo CD resolves only part-of=argocd Secrets", secret.Metadata)
	}
	if cm.Data["token"] != "$"+secret.Metadata.Name+":token" {
		t.Errorf("ConfigMap token %q does not name the Secret %s", cm.Data["token"], secret.Metadata.Name)
	}
	if want := "http://" + svc.Metadata.Name + ".argocd.svc.cluster.local:4355"; cm.Data["baseUrl"] != want || svc.Spec.Ports[0].Port != 4355 {
		t.Errorf("baseUrl %q, want %q", cm.Data["baseUrl"], want)
	}
	spec := dep.Spec.Template.Spec
	c := spec.Containers[0]
	if spec.SecurityContext.RunAsUser != 999 || !c.SecurityContext.ReadOnlyRootFilesystem {
		t.Errorf("pod security %+v %+v", spec.SecurityContext, c.SecurityContext)
	}
	if !slices.Contains(c.Args, "--token-file=/var/run/argo/token") || !slices.Contains(c.Args, "--listen=:4355") {
		t.Errorf("args %q", c.Args)
	}
	if c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe.HTTPGet.Path != "/healthz" || c.Ports[0].Name != svc.Spec.Ports[0].TargetPort {
		t.Errorf("probes or ports %+v", c)
	}
	tokenVolume := ""
	for _, m := range c.VolumeMounts {
		if m.MountPath == "/var/run/argo" {
			tokenVolume = m.Name
		}
	}
	found := false
	for _, v := range spec.Volumes {
		if v.Name == tokenVolume && v.Secret.SecretName == secret.Metadata.Name {
			found = true
		}
	}
	if !found {
		t.Errorf("/var/run/argo is not the Secret %s", secret.Metadata.Name)
	}
}

// TestApplicationSetExample checks the example uses the plugin generator's ConfigMap, the
// CMP's name, and only parameters gito serve returns.
func TestApplicationSetExample(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("argocd/applicationset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var appset struct {
		Kind string
		Spec struct {
			GoTemplate bool `yaml:"goTemplate"`
			Generators []struct {
				Plugin struct {
					ConfigMapRef struct{ Name string } `yaml:"configMapRef"`
				}
			}
			Template struct {
				Spec struct {
					Source struct {
						Plugin struct{ Name string }
					}
				}
			}
		}
	}
	if err := yaml.Unmarshal(data, &appset); err != nil {
		t.Fatal(err)
	}
	p := readPlugin(t)
	if appset.Kind != "ApplicationSet" || !appset.Spec.GoTemplate || appset.Spec.Generators[0].Plugin.ConfigMapRef.Name != "gito-plugin-generator" {
		t.Errorf("appset %+v", appset)
	}
	if got, want := appset.Spec.Template.Spec.Source.Plugin.Name, p.Metadata.Name+"-"+p.Spec.Version; got != want {
		t.Errorf("source plugin %q, want %q (plugin.yaml's name-version)", got, want)
	}
	known := map[string]bool{}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[plugingen.Param]()) {
		known[strings.Split(f.Tag.Get("json"), ",")[0]] = true
	}
	used := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`).FindAllStringSubmatch(string(data), -1)
	if len(used) == 0 {
		t.Fatal("the example uses no parameters")
	}
	for _, m := range used {
		if !known[m[1]] {
			t.Errorf("{{.%s}} is not a parameter gito serve returns", m[1])
		}
	}
}
