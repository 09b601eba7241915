package docgen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

func testRoot() *cobra.Command {
	root := &cobra.Command{Use: "gito", Short: "Ship versions"}
	root.AddCommand(&cobra.Command{Use: "version", Short: "Print the version", Run: func(*cobra.Command, []string) {}})
	root.AddCommand(&cobra.Command{Use: "secret", Hidden: true, Run: func(*cobra.Command, []string) {}})
	root.AddCommand(&cobra.Command{Use: "exit-codes", Hidden: true, Long: "  0  ok\n.2  a line that looks like a roff request\nC:\\path\n",
		Run: func(*cobra.Command, []string) {}})
	return root
}

func TestManDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		epoch   string
		want    time.Time
		wantErr string
	}{
		{epoch: "", want: defaultManDate()},
		{epoch: "1767225600", want: time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)},
		{epoch: "1700000000", want: time.Date(2023, time.November, 14, 22, 13, 20, 0, time.UTC)},
		{epoch: "yesterday", wantErr: `parse SOURCE_DATE_EPOCH "yesterday"`},
	}
	for _, tt := range tests {
		got, err := ManDate(func(k string) string {
			if k == "SOURCE_DATE_EPOCH" {
				return tt.epoch
			}
			return ""
		})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ManDate(%q) error = %v, want %q", tt.epoch, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ManDate(%q) = %v, %v; want %v", tt.epoch, got, err, tt.want)
		}
	}
}

func TestWriteManIsDeterministicAndPrunes(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	dir := filepath.Join(out, ManDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "gito-removed.1")
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	date := time.Date(2026, time.March, 5, 0, 0, 0, 0, time.UTC)
	if err := WriteMan(testRoot(), out, date); err != nil {
		t.Fatal(err)
	}
	first := readDir(t, dir)
	if err := WriteMan(testRoot(), out, date); err != nil {
		t.Fatal(err)
	}
	second := readDir(t, dir)

	if _, ok := first["gito-removed.1"]; ok {
		t.Error("a page of a command that no longer exists was kept")
	}
	if _, ok := first["gito-secret.1"]; ok {
		t.Error("hidden command got a man page")
	}
	for _, name := range []string{"gito.1", "gito-version.1"} {
		page, ok := first[name]
		if !ok {
			t.Fatalf("%s not written; have %v", name, keys(first))
		}
		if page != second[name] {
			t.Errorf("%s differs between two runs", name)
		}
		if !strings.Contains(page, `"Mar 2026" "gito" "gito manual"`) {
			t.Errorf("%s header lacks the fixed date and source:\n%s", name, page)
		}
		if strings.Contains(page, "Auto generated") {
			t.Errorf("%s carries cobra's dated auto-generated footer", name)
		}
	}
}

func TestWriteManAddsHelpTopics(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	if err := WriteMan(testRoot(), out, defaultManDate()); err != nil {
		t.Fatal(err)
	}
	page := readDir(t, filepath.Join(out, ManDir))["gito.1"]
	want := ".SH EXIT STATUS\n.PP\n.nf\n  0  ok\n\\&.2  a line that looks like a roff request\nC:\\epath\n.fi\n"
	if !strings.HasSuffix(page, want) {
		t.Errorf("gito.1 ends with:\n%s\nwant it to end with:\n%s", page[max(0, len(page)-200):], want)
	}
	if strings.Contains(page, "ENVIRONMENT") {
		t.Error("ENVIRONMENT section written without an environment topic")
	}
}

func TestWriteCompletions(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	if err := WriteCompletions(testRoot(), out); err != nil {
		t.Fatal(err)
	}
	files := readDir(t, filepath.Join(out, CompletionDir))
	if len(files) != len(CompletionFiles()) {
		t.Errorf("wrote %v, want one file per shell", keys(files))
	}
	for _, cf := range CompletionFiles() {
		if !strings.Contains(files[cf.Name], "gito") {
			t.Errorf("%s (%s) is empty or does not complete gito", cf.Name, cf.Shell)
		}
	}
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	return files
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
