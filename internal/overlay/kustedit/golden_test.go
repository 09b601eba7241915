package kustedit

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

var (
	oldDigest = "sha256:" + strings.Repeat("0123456789abcdef", 4)
	newDigest = "sha256:" + strings.Repeat("a", 64)
	apiNames  = []string{"api"}
	regNames  = []string{"registry.example.com/team/api"}
)

type editOp int

const (
	opSet editOp = iota
	opAppend
	opPatch
)

type goldenCase struct {
	file   string // input under testdata/golden; the output is <file>.golden
	op     editOp
	target Target
}

func goldenCases() []goldenCase {
	tag := func(names []string, tag, digest string) Target {
		return Target{Names: names, Tag: tag, Digest: digest}
	}
	return []goldenCase{
		{"comments-everywhere.yaml", opSet, tag(apiNames, "v2", "")},
		{"blank-lines.yaml", opSet, tag(apiNames, "v2", "")},
		{"indent-zero.yaml", opSet, tag(apiNames, "v2", "")},
		{"indent-four.yaml", opSet, tag(apiNames, "v2", "")},
		{"indent-odd.yaml", opSet, tag(apiNames, "v2", newDigest)},
		{"flow-entries.yaml", opSet, tag(apiNames, "v2", newDigest)},
		{"flow-sequence.yaml", opSet, tag(apiNames, "v2", "")},
		{"flow-multiline.yaml", opSet, tag(apiNames, "v2", newDigest)},
		{"quoted-double.yaml", opSet, tag([]string{"redis"}, "7.2", "")},
		{"quoted-single.yaml", opSet, tag(apiNames, "v2", "")},
		{"plain-needs-quote.yaml", opSet, tag(apiNames, "1.10", "")},
		{"doc-start.yaml", opSet, tag(apiNames, "v2", "")},
		{"yaml-directive.yaml", opSet, tag(apiNames, "v2", "")},
		{"crlf.yaml", opSet, tag(regNames, "v2", newDigest)},
		{"kustomization.yml", opSet, tag(apiNames, "v2", "")},
		{"several-images.yaml", opSet, tag(apiNames, "v2", "")},
		{"two-matching.yaml", opSet, tag(apiNames, "v2", "")},
		{"digest-update.yaml", opSet, tag(apiNames, "v2", newDigest)},
		{"digest-removed.yaml", opSet, tag(apiNames, "v2", "")},
		{"digest-added.yaml", opSet, tag(apiNames, "v2", newDigest)},
		{"newname-only.yaml", opSet, tag(regNames, "v2", "")},
		{"newtag-absent.yaml", opSet, tag(apiNames, "v2", "")},
		{"newtag-empty.yaml", opSet, tag(apiNames, "v2", "")},
		{"eof-no-newline.yaml", opSet, tag(apiNames, "1e3", "")},
		{"tagged-str.yaml", opSet, tag(apiNames, "1.10", "")},
		{"components.yaml", opSet, tag(apiNames, "v2", "")},
		{"registry-port.yaml", opSet, tag([]string{"registry.example.com:5000/team/api"}, "v2", "")},
		{"docker-io.yaml", opSet, tag([]string{"nginx"}, "1.27", "")},
		{"multibyte-comments.yaml", opSet, tag([]string{"api", "café-api"}, "v2", "")},
		{"digest-first-key.yaml", opSet, tag(apiNames, "v2", "")},
		{"flow-digest-removed.yaml", opSet, tag(apiNames, "v2", "")},
		{"flow-digest-comments.yaml", opSet, tag(apiNames, "v2", "")},
		{"json-style.yaml", opSet, tag(apiNames, "v2", newDigest)},
		{"append-document-end.yaml", opAppend, tag(apiNames, "v2", "")},
		{"no-images.yaml", opAppend, tag(apiNames, "v2", "")},
		{"no-images-no-newline.yaml", opAppend, tag(regNames, "v2", newDigest)},
		{"append-comments-after.yaml", opAppend, tag(apiNames, "v2", "")},
		{"append-flow-sequence.yaml", opAppend, tag(apiNames, "v2", "")},
		{"append-empty-images.yaml", opAppend, tag(apiNames, "1.10", "")},
		{"append-empty-flow.yaml", opAppend, tag(apiNames, "v2", "")},
		{"append-four-space.yaml", opAppend, tag(apiNames, "v2", newDigest)},
		{"append-crlf.yaml", opAppend, tag(apiNames, "true", "")},
		{"patch-smp-multidoc.yaml", opPatch, tag(regNames, "v2", "")},
		{"patch-json6902.yaml", opPatch, tag(regNames, "v2", newDigest)},
		{"patch-json6902.json", opPatch, tag(regNames, "v2", "")},
		{"patch-pod-flow.yaml", opPatch, tag(regNames, "1.10", "")},
	}
}

func runOp(c goldenCase, src []byte) ([]byte, []Change, error) {
	switch c.op {
	case opAppend:
		out, ch, err := AppendKustomizationImage(src, c.target.Names[0], c.target)
		return out, []Change{ch}, err
	case opPatch:
		return SetPatchImages(src, c.target)
	}
	return SetKustomizationImages(src, c.target)
}

func TestGolden(t *testing.T) {
	t.Parallel()
	cases := goldenCases()
	if len(cases) < 25 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			inPath := filepath.Join("testdata", "golden", c.file)
			src, err := os.ReadFile(inPath)
			if err != nil {
				t.Fatal(err)
			}
			out, changes, err := runOp(c, src)
			if err != nil {
				t.Fatalf("edit %s: %v", c.file, err)
			}
			changesJSON, err := json.MarshalIndent(changes, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			changesJSON = append(changesJSON, '\n')
			checkGolden(t, inPath+".golden", out)
			checkGolden(t, inPath+".changes.golden", changesJSON)
			if problems := minimalDiffProblems(src, out, changes); len(problems) > 0 {
				t.Errorf("edit of %s is not byte-minimal:\n%s", c.file, strings.Join(problems, "\n"))
			}
			// Applying the same release again changes nothing.
			if c.op != opAppend {
				again, _, err := runOp(c, out)
				if err != nil {
					t.Fatalf("second edit: %v", err)
				}
				if !bytes.Equal(again, out) {
					t.Errorf("second edit is not idempotent:\n%s", again)
				}
			}
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update to accept):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}
