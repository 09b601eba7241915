package kustedit

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestZZCorpusProbe(t *testing.T) {
	dir := os.Getenv("PROBE_DIR")
	if dir == "" {
		t.Skip()
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	ok, errs := 0, map[string]int{}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		lines := strings.Split(string(b), "\n")
		src, _ := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		name, _ := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[2], "string("), ")"))
		tag, _ := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[3], "string("), ")"))
		_, _, err := SetKustomizationImages([]byte(src), Target{Names: []string{name}, Tag: tag})
		if err == nil {
			ok++
		} else {
			msg := err.Error()
			if i := strings.Index(msg, ":"); i > 0 && strings.HasPrefix(msg, "line") {
				msg = msg[strings.Index(msg[i+1:], ":")+i+1:]
			}
			if len(msg) > 50 {
				msg = msg[:50]
			}
			errs[msg]++
		}
	}
	t.Logf("ok %d of %d", ok, len(files))
	for k, v := range errs {
		if v > 3 {
			t.Logf("%4d %s", v, k)
		}
	}
	if len(files) == 0 {
		t.Error("no corpus")
	}
}
