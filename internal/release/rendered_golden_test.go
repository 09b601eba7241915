package release

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/renderdiff"
	"github.com/gito-dev/gito/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/rendered")

// TestRenderedDiffGolden plans a release of every repo in testdata/rendered/*.txtar (the
// archive's comment says `version:`, optionally `env:` and `limit:`, the body limit) and
// compares the PR body, rendered diff included, with <name>.golden.
func TestRenderedDiffGolden(t *testing.T) {
	archives, err := filepath.Glob("testdata/rendered/*.txtar")
	if err != nil || len(archives) == 0 {
		t.Fatalf("no archives: %v", err)
	}
	for _, path := range archives {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			root := t.TempDir()
			for _, f := range ar.Files {
				p := filepath.Join(root, filepath.FromSlash(f.Name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := archiveArgs(string(ar.Comment))
			version, err := config.ParseVersion("version", args["version"])
			if err != nil {
				t.Fatal(err)
			}
			repo, err := config.LoadRepo(root)
			if err != nil {
				t.Fatal(err)
			}
			env := args["env"]
			if env == "" {
				env = "prod"
			}
			limit, _ := strconv.Atoi(args["limit"])
			p, err := MakeGroupPlan(context.Background(), Input{Root: root, Repo: repo, Service: "api", Env: env,
				Version: version, Base: "main", Templates: templates.Set{}, BodyLimit: limit})
			if err != nil {
				t.Fatal(err)
			}
			if limit > 0 {
				if n := utf8.RuneCountInString(p.Body); n > limit {
					t.Errorf("body has %d characters, over the limit of %d", n, limit)
				}
				if !strings.Contains(p.Body, strings.TrimSpace(renderdiff.TruncationNote)) {
					t.Errorf("body over the limit lacks the truncation note")
				}
			}
			checkGolden(t, filepath.Join("testdata", "rendered", name+".golden"), []byte(p.Body))
		})
	}
}

func archiveArgs(comment string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(comment, "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok && !strings.Contains(k, " ") {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
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
