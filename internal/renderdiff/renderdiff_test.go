package renderdiff

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

const (
	pwOld  = "hunter2-old-password"
	pwNew  = "hunter2-new-password"
	apiKey = "ak_live_0123456789"
	token  = "tok-unchanged-value"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// secretForms are the ways a value may leak: as written and base64-encoded.
func secretForms(values ...string) []string {
	var out []string
	for _, v := range values {
		out = append(out, v, b64(v))
	}
	return out
}

func TestComputeRedactsSecrets(t *testing.T) {
	t.Parallel()
	before := fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: prod
data:
  password: %s
  token: %s
stringData:
  apiKey: %s
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Secret
    metadata: {name: listed}
    data: %s
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"kind":"Secret","data":{"password":"%s"}}'
spec:
  template:
    spec:
      containers: [{name: api, image: "ghcr.io/acme/api:v1"}]
---
apiVersion: v1
kind: Secret
metadata: {name: same}
stringData: {k: %s}
`, b64(pwOld), b64(token), apiKey, b64(pwOld), b64(pwOld), token)
	after := strings.NewReplacer(b64(pwOld), b64(pwNew), "api:v1", "api:v2").Replace(before)
	after = strings.Replace(after, "  token: "+b64(token)+"\n", "  token: "+b64(token)+"\n  added: "+b64(pwNew)+"\n", 1)

	sec, err := Compute("overlays/prod/api", []byte(before), []byte(after))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, o := range sec.Objects {
		all.WriteString(o.ID.String() + " " + o.Change + "\n" + o.Diff)
	}
	text := all.String()
	for _, leak := range secretForms(pwOld, pwNew, apiKey, token) {
		if strings.Contains(text, leak) {
			t.Errorf("diff shows secret value %q:\n%s", leak, text)
		}
	}
	for _, want := range []string{
		"Secret/prod/db changed",
		"-  password: <redacted>\n+  password: <redacted, changed>\n",
		"+  added: <redacted>\n",
		"   token: <redacted>\n", // unchanged: context, not a change
		"Secret/listed changed",
		"\n-data: <redacted>\n+data: <redacted, changed>\n",
		"Deployment/api changed",
		"kubectl.kubernetes.io/last-applied-configuration: <redacted, changed>",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("diff lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Secret/same") {
		t.Errorf("an unchanged Secret is listed:\n%s", text)
	}
	if len(sec.Workloads) != 1 || sec.Workloads[0].From != "ghcr.io/acme/api:v1" || sec.Workloads[0].To != "ghcr.io/acme/api:v2" {
		t.Errorf("workloads = %+v", sec.Workloads)
	}
}

func TestComputeAddedRemovedAndOrder(t *testing.T) {
	t.Parallel()
	before := `kind: Deployment
apiVersion: apps/v1
metadata: {name: old}
spec: {template: {spec: {containers: [{name: c, image: "img:1"}]}}}
---
kind: ConfigMap
apiVersion: v1
metadata: {name: same}
data: {a: b}
`
	after := `kind: ConfigMap
apiVersion: v1
metadata: {name: same}
data: {a: b}
---
kind: StatefulSet
apiVersion: apps/v1
metadata: {name: new, namespace: ns}
spec: {template: {spec: {containers: [{name: c, image: "img:2"}]}}}
`
	sec, err := Compute("src", []byte(before), []byte(after))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range sec.Objects {
		got = append(got, o.ID.String()+" "+o.Change)
	}
	if want := "Deployment/old removed,StatefulSet/ns/new added"; strings.Join(got, ",") != want {
		t.Errorf("objects = %v, want %s", got, want)
	}
	if !strings.HasPrefix(sec.Objects[0].Diff, "--- a/Deployment/old\n+++ /dev/null\n") ||
		!strings.HasPrefix(sec.Objects[1].Diff, "--- /dev/null\n+++ b/StatefulSet/ns/new\n") {
		t.Errorf("diff labels:\n%s%s", sec.Objects[0].Diff, sec.Objects[1].Diff)
	}
	want := []Workload{
		{ID: ID{Group: "apps", Kind: "Deployment", Name: "old"}, Container: "c", From: "img:1"},
		{ID: ID{Group: "apps", Kind: "StatefulSet", Namespace: "ns", Name: "new"}, Container: "c", To: "img:2"},
	}
	if fmt.Sprint(sec.Workloads) != fmt.Sprint(want) {
		t.Errorf("workloads = %+v, want %+v", sec.Workloads, want)
	}
}

// A parse error must not quote the manifest: the line it would quote may be a secret.
func TestComputeErrorShowsNoContent(t *testing.T) {
	t.Parallel()
	bad := "kind: Secret\ndata:\n  password: " + pwOld + "\n   broken: [\n"
	_, err := Compute("overlays/prod/api", []byte(bad), nil)
	if err == nil {
		t.Fatal("no error for broken YAML")
	}
	if strings.Contains(err.Error(), pwOld) || strings.Contains(err.Error(), "broken") {
		t.Errorf("error quotes the manifest: %v", err)
	}
}

func TestMaskSecretValuesInText(t *testing.T) {
	t.Parallel()
	manifests := []byte(fmt.Sprintf("kind: Secret\nmetadata: {name: s}\ndata: {p: %s, tiny: %s, short: %s}\nstringData: {k: %q}\n",
		b64(pwOld), b64("ab"), b64("prod"), "line-one-of-key\nline-two-of-key"))
	values := SecretValues(manifests)
	text := " literals:\n - password=" + pwOld + "\n - encoded=" + b64(pwOld) + "\n   line-two-of-key\n" +
		"+  user: prod\n-  - PASS=\"prod\" # old\n replicas: ab\n namespace: production\n name: api-prod-x\n"
	got := Mask(text, values)
	for _, leak := range []string{pwOld, b64(pwOld), "line-two-of-key", "user: prod\n", "\"prod\""} {
		if strings.Contains(got, leak) {
			t.Errorf("Mask left %q in:\n%s", leak, got)
		}
	}
	for _, kept := range []string{"replicas: ab", "namespace: production", "name: api-prod-x", "-  - PASS=\"<redacted>\" # old"} {
		if !strings.Contains(got, kept) {
			t.Errorf("Mask changed %q:\n%s", kept, got)
		}
	}
}

func TestMarkdownFitsEveryBudget(t *testing.T) {
	t.Parallel()
	var sections []Section
	for s := range 3 {
		sec := Section{Source: fmt.Sprintf("overlays/m%d/api", s)}
		for i := range 4 + 3*s {
			id := ID{Kind: "Deployment", Name: fmt.Sprintf("w%02d", i)}
			sec.Objects = append(sec.Objects, Object{ID: id, Change: Changed,
				Diff: fmt.Sprintf("--- a/%s\n+++ b/%s\n@@ -1,3 +1,3 @@\n a: ü\n-image: x:1\n+image: x:2\n b: ß\n", id, id)})
			sec.Workloads = append(sec.Workloads, Workload{ID: id, Container: "c", From: "x:1", To: "x:2"})
		}
		sections = append(sections, sec)
	}
	full, cut := Markdown(sections, 0)
	if cut || strings.Contains(full, TruncationNote) {
		t.Fatal("Markdown without a budget cut")
	}
	size := utf8.RuneCountInString(full)
	if again, cut := Markdown(sections, size); cut || again != full {
		t.Errorf("Markdown at exactly its size cut the text")
	}
	for budget := 1; budget < size; budget += 37 {
		got, cut := Markdown(sections, budget)
		if n := utf8.RuneCountInString(got); n > budget {
			t.Fatalf("budget %d: %d characters", budget, n)
		}
		if !cut {
			t.Fatalf("budget %d: not reported as cut", budget)
		}
		if got != "" && !strings.HasSuffix(got, TruncationNote) {
			t.Fatalf("budget %d: no truncation note:\n%s", budget, got)
		}
		if strings.Count(got, "```diff") != strings.Count(got, "```\n") {
			t.Fatalf("budget %d: unbalanced fences:\n%s", budget, got)
		}
	}
	// With room for a bit of every section, each shows its title: no member starves.
	got, _ := Markdown(sections, size/2)
	for _, s := range sections {
		if !strings.Contains(got, "`"+s.Source+"`") {
			t.Errorf("half the budget leaves %s out:\n%s", s.Source, got)
		}
	}
}

func TestFairShares(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		sizes []int
		avail int
		want  string
	}{
		{[]int{10, 100, 100}, 110, "[10 50 50]"},
		{[]int{100, 10, 30}, 90, "[50 10 30]"},
		{[]int{100, 100}, 51, "[25 26]"},
	} {
		if got := fmt.Sprint(fairShares(tt.sizes, tt.avail)); got != tt.want {
			t.Errorf("fairShares(%v, %d) = %s, want %s", tt.sizes, tt.avail, got, tt.want)
		}
	}
}

// A manifest holding a code fence cannot close the diff's fence early.
func TestFenceLongerThanContent(t *testing.T) {
	t.Parallel()
	sec := Section{Source: "s", Objects: []Object{{ID: ID{Kind: "ConfigMap", Name: "docs"}, Change: Added,
		Diff: "--- /dev/null\n+++ b/ConfigMap/docs\n@@ -0,0 +1 @@\n+readme: \"````sh\"\n"}}}
	got, _ := Markdown([]Section{sec}, 0)
	if !strings.Contains(got, "`````diff\n") {
		t.Errorf("fence not longer than the content's:\n%s", got)
	}
}
