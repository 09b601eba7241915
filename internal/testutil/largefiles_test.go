package testutil

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestLargeTrackedFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := strings.Repeat("x", 2<<20)
	WriteTree(t, dir, map[string]string{
		"gito":                        big, // a build output at the root
		"small.go":                    "package small\n",
		"internal/app/testdata/big":   big, // fixtures may be large
		"testdata/golden.txt":         big,
		"docs/testdata-notes/big.bin": big, // only a directory named exactly testdata counts
	})
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", args[0], err, out)
		}
	}
	got := LargeTrackedFiles(t, dir, 1<<20)
	want := []string{"docs/testdata-notes/big.bin (2097152 bytes)", "gito (2097152 bytes)"}
	if !slices.Equal(got, want) {
		t.Errorf("LargeTrackedFiles = %q, want %q", got, want)
	}
}
