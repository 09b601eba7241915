package overlay

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gito-dev/gito/internal/testutil"
)

func TestUnifiedDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		before, after string
		newFile       bool
		want          string
	}{
		{name: "same", before: "a\n", after: "a\n", want: ""},
		{name: "one line in the middle",
			before: "1\n2\n3\n4\n5\n6\n7\n8\n9\n", after: "1\n2\n3\n4\nV\n6\n7\n8\n9\n",
			want: "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+V\n 6\n 7\n 8\n"},
		{name: "two hunks",
			before: "a\n1\n2\n3\n4\n5\n6\n7\n8\nz\n", after: "A\n1\n2\n3\n4\n5\n6\n7\n8\nZ\n",
			want: "@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n@@ -7,4 +7,4 @@\n 6\n 7\n 8\n-z\n+Z\n"},
		{name: "lines added at the end",
			before: "a\nb\n", after: "a\nb\nc\nd\n",
			want: "@@ -1,2 +1,4 @@\n a\n b\n+c\n+d\n"},
		{name: "no newline at end",
			before: "a\nb", after: "a\nc",
			want: "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
		{name: "new file", newFile: true, after: "x\ny\n",
			want: "@@ -0,0 +1,2 @@\n+x\n+y\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := []byte(tt.before)
			if tt.newFile {
				before = nil
			}
			got := unifiedDiff("d/f.yaml", before, []byte(tt.after))
			if tt.want == "" {
				if got != "" {
					t.Errorf("diff of equal files = %q", got)
				}
				return
			}
			header := "diff --git a/d/f.yaml b/d/f.yaml\n--- a/d/f.yaml\n+++ b/d/f.yaml\n"
			if tt.newFile {
				header = "diff --git a/d/f.yaml b/d/f.yaml\nnew file mode 100644\n--- /dev/null\n+++ b/d/f.yaml\n"
			}
			if got != header+tt.want {
				t.Errorf("diff:\n%s\nwant:\n%s", got, header+tt.want)
			}
		})
	}
}

// TestUnifiedDiffAppliesWithGit uses git as the referee: the diff must turn before into after.
func TestUnifiedDiffAppliesWithGit(t *testing.T) {
	t.Parallel()
	testutil.RequireTools(t, "git")
	var before, after strings.Builder
	for i := range 200 {
		line := strings.Repeat("x", i%7) + "\n"
		before.WriteString(line)
		switch {
		case i%37 == 0:
			after.WriteString("changed " + line)
		case i%53 == 0:
		case i%61 == 0:
			after.WriteString(line + "inserted\n")
		default:
			after.WriteString(line)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f.yaml"), []byte(before.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	patch := unifiedDiff("f.yaml", []byte(before.String()), []byte(after.String()))
	if err := os.WriteFile(filepath.Join(dir, "p.diff"), []byte(patch), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "apply", "--unsafe-paths", "p.diff")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s\n%s", err, out, patch)
	}
	got, err := os.ReadFile(filepath.Join(dir, "f.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != after.String() {
		t.Errorf("git apply of our diff gave a different file")
	}
}
