package targetedit

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const newDigest = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

type goldenCase struct {
	file  string // input under testdata/golden; the output is <file>.golden
	expr  string
	value string
	opts  Options
}

func set(v string) func(string) string { return func(string) string { return v } }

func goldenCases() []goldenCase {
	create := Options{Create: true, One: true}
	return []goldenCase{
		{"helm-values.yaml", ".image.tag", "1.5.0", create},
		{"quoted-double.yaml", ".image.tag", "1.11", create},
		{"quoted-single.yaml", ".image.tag", "v2", create},
		{"crlf.yaml", ".image.tag", "v2", create},
		{"flow-map.yaml", ".image.tag", "v2", create},
		{"digest.yaml", ".image.digest", newDigest, create},
		{"missing-tag.yaml", ".image.tag", "v2", create},
		{"missing-image.yaml", ".image.tag", "v2", create},
		{"empty.yaml", ".image.tag", "v2", create},
		{"comments-only.yaml", ".image.tag", "v2", create},
		{"image-null.yaml", ".image.tag", "v2", create},
		{"image-tilde.yaml", ".image.tag", "v2", create},
		{"flow-missing.yaml", ".image.tag", "v2", create},
		{"no-final-newline.yaml", ".image.tag", "v2", create},
		{"four-space-missing.yaml", ".image.tag", "v2", create},
		{"argocd-valuesobject.yaml", ".spec.source.helm.valuesObject.image.tag", "v2", Options{}},
		{"argocd-parameters.yaml", `.spec.source.helm.parameters[] | select(.name == "image.tag") | .value`, "v2", Options{One: true}},
		{"argocd-kustomize-images.yaml", `.spec.source.kustomize.images[] | select(test("^ghcr.io/acme/api:"))`, "ghcr.io/acme/api:v2", Options{}},
		{"deployment.yaml", `.spec.template.spec.containers[] | select(.name == "api") | .image`, "ghcr.io/acme/api:v2", Options{}},
		{"multi-doc.yaml", `select(.kind == "Deployment") | .spec.template.spec.containers[0].image`, "ghcr.io/acme/api:v2", Options{}},
		{"multi-doc-two.yaml", `.. | select(has("image") and .name == "api") | .image`, "ghcr.io/acme/api:v2@" + newDigest, Options{OneValue: true}},
		{"anchor-unused.yaml", ".image.tag", "v2", Options{}},
		{"directive.yaml", ".image.tag", "v2", Options{}},
		{"umbrella.yaml", ".api.image.tag", "v2", Options{}},
		{"bom.yaml", ".image.tag", "v2", Options{}},
		{"values.json", ".image.tag", "v2", Options{}},
		{"flux-marker.yaml", ".image.tag", "v2", Options{}},
		{"plain-number.yaml", ".image.tag", "1.11", Options{}},
		{"tagged-str.yaml", ".image.tag", "1.11", Options{}},
		{"root-missing-nested.yaml", ".image.tag", "v2", create},
		{"multibyte.yaml", ".image.tag", "v2", Options{}},
		{"deep-create.yaml", ".api.image.tag", "1.0", create},
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range goldenCases() {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			in, err := os.ReadFile(filepath.Join("testdata", "golden", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			out, changes, err := Set(in, tc.expr, set(tc.value), tc.opts)
			if err != nil {
				t.Fatalf("Set: %v", err)
			}
			golden := filepath.Join("testdata", "golden", tc.file+".golden")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(out, want) {
				t.Fatalf("output differs from %s\n--- got ---\n%s\n--- want ---\n%s", golden, out, want)
			}
			assertOnlyChangedLines(t, in, out, changes)
			got, err := Select(out, tc.expr)
			if err != nil {
				t.Fatalf("Select on the output: %v", err)
			}
			for _, v := range got {
				if v != tc.value {
					t.Fatalf("Select on the output = %q, want every value %q", got, tc.value)
				}
			}
			if len(got) != len(changes) {
				t.Fatalf("Select finds %d scalars, Set changed %d", len(got), len(changes))
			}
		})
	}
}

// assertOnlyChangedLines checks that the lines the changes report are the only lines that
// differ; a created path may add lines (and replace an empty value's line).
func assertOnlyChangedLines(t *testing.T, in, out []byte, changes []Change) {
	t.Helper()
	inLines, outLines := splitLines(in), splitLines(out)
	changed := map[int]bool{}
	created := false
	for _, c := range changes {
		changed[c.Line] = true
		created = created || c.Created
		if c.Line < 1 || c.Line > len(outLines) {
			t.Fatalf("change line %d outside the output (%d lines)", c.Line, len(outLines))
		}
		if !strings.Contains(outLines[c.Line-1], strings.Trim(jsonQuote(c.New), `"`)) && !strings.Contains(outLines[c.Line-1], c.New) {
			t.Fatalf("line %d %q does not hold the new value %q", c.Line, outLines[c.Line-1], c.New)
		}
	}
	if created {
		// Every input line must appear in the output in order, at most one of them edited.
		j, edited := 0, 0
		for _, l := range inLines {
			k := j
			for k < len(outLines) && outLines[k] != l && outLines[k] != l+"\n" && outLines[k] != l+"\r\n" {
				k++
			}
			if k == len(outLines) {
				edited++
				continue
			}
			j = k + 1
		}
		if edited > 1 || len(outLines)-len(inLines) > 4 {
			t.Fatalf("creating the path moved %d lines and added %d", edited, len(outLines)-len(inLines))
		}
		return
	}
	if len(inLines) != len(outLines) {
		t.Fatalf("line count changed from %d to %d", len(inLines), len(outLines))
	}
	for i := range inLines {
		if inLines[i] != outLines[i] && !changed[i+1] {
			t.Fatalf("line %d changed but holds no changed scalar:\n- %q\n+ %q", i+1, inLines[i], outLines[i])
		}
	}
}

func splitLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	return strings.SplitAfter(string(b), "\n")
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
