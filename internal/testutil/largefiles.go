package testutil

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// LargeTrackedFiles lists the files in the git index of the work tree at dir that are larger
// than limit bytes, as "path (N bytes)", leaving out anything under a testdata/ directory:
// a build output or a stray download must never be committed.
func LargeTrackedFiles(tb testing.TB, dir string, limit int64) []string {
	tb.Helper()
	ls := exec.Command("git", "ls-files", "-s", "-z")
	ls.Dir = dir
	out, err := ls.Output()
	if err != nil {
		tb.Fatalf("git ls-files in %s: %v", dir, err)
	}
	// Each entry is "MODE OBJECT STAGE\tPATH"; gitlinks (mode 160000) are not blobs here.
	var oids, paths []string
	for _, entry := range bytes.Split(out, []byte{0}) {
		meta, p, ok := strings.Cut(string(entry), "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) != 3 || fields[0] == "160000" || underTestdata(p) {
			continue
		}
		oids = append(oids, fields[1])
		paths = append(paths, p)
	}
	check := exec.Command("git", "cat-file", "--batch-check=%(objectsize)")
	check.Dir = dir
	check.Stdin = strings.NewReader(strings.Join(oids, "\n") + "\n")
	sizes, err := check.Output()
	if err != nil {
		tb.Fatalf("git cat-file --batch-check in %s: %v", dir, err)
	}
	var large []string
	sc := bufio.NewScanner(bytes.NewReader(sizes))
	for i := 0; sc.Scan() && i < len(paths); i++ {
		n, err := strconv.ParseInt(sc.Text(), 10, 64)
		if err != nil {
			tb.Fatalf("git cat-file: size of %s: %q", paths[i], sc.Text())
		}
		if n > limit {
			large = append(large, fmt.Sprintf("%s (%d bytes)", paths[i], n))
		}
	}
	slices.Sort(large)
	return large
}

func underTestdata(p string) bool {
	return slices.Contains(strings.Split(path.Dir(p), "/"), "testdata")
}
