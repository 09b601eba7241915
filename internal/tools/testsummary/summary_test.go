package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A stream as go test -json writes it: a pass, a skip with its reason, a failing subtest
// under a failing parent, and a package that fails to build.
const stream = `{"Action":"start","Package":"ex/a"}
{"Action":"run","Package":"ex/a","Test":"TestOK"}
{"Action":"output","Package":"ex/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"ex/a","Test":"TestOK","Output":"--- PASS: TestOK (0.00s)\n"}
{"Action":"pass","Package":"ex/a","Test":"TestOK"}
{"Action":"run","Package":"ex/a","Test":"TestTool"}
{"Action":"output","Package":"ex/a","Test":"TestTool","Output":"=== RUN   TestTool\n"}
{"Action":"output","Package":"ex/a","Test":"TestTool","Output":"    tool_test.go:9: kubectl is not installed\n"}
{"Action":"output","Package":"ex/a","Test":"TestTool","Output":"--- SKIP: TestTool (0.00s)\n"}
{"Action":"skip","Package":"ex/a","Test":"TestTool"}
{"Action":"run","Package":"ex/a","Test":"TestBad"}
{"Action":"output","Package":"ex/a","Test":"TestBad","Output":"=== RUN   TestBad\n"}
{"Action":"output","Package":"ex/a","Test":"TestBad","Output":"=== PAUSE TestBad\n"}
{"Action":"run","Package":"ex/a","Test":"TestBad/sub"}
{"Action":"output","Package":"ex/a","Test":"TestBad/sub","Output":"    bad_test.go:12: got 1, want 2\n"}
{"Action":"output","Package":"ex/a","Test":"TestBad/sub","Output":"    --- FAIL: TestBad/sub (0.00s)\n"}
{"Action":"fail","Package":"ex/a","Test":"TestBad/sub"}
{"Action":"output","Package":"ex/a","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}
{"Action":"fail","Package":"ex/a","Test":"TestBad"}
{"Action":"output","Package":"ex/a","Output":"FAIL\n"}
{"Action":"output","Package":"ex/a","Output":"FAIL\tex/a\t0.01s\n"}
{"Action":"fail","Package":"ex/a"}
{"ImportPath":"ex/b","Action":"build-output","Output":"b/b.go:3:1: syntax error\n"}
{"ImportPath":"ex/b","Action":"build-fail"}
{"Action":"output","Package":"ex/b","Output":"FAIL\tex/b [build failed]\n"}
{"Action":"fail","Package":"ex/b"}
{"Action":"output","Package":"ex/c","Output":"ok  \tex/c\t0.01s\n"}
{"Action":"pass","Package":"ex/c"}
`

func TestSummary(t *testing.T) {
	var out strings.Builder
	s := newSummary(&out)
	if err := s.Read(strings.NewReader(stream)); err != nil {
		t.Fatal(err)
	}
	s.Print(&out)
	want := `    bad_test.go:12: got 1, want 2
    --- FAIL: TestBad/sub (0.00s)
=== RUN   TestBad
--- FAIL: TestBad (0.00s)
FAIL	ex/a	0.01s
b/b.go:3:1: syntax error
FAIL	ex/b [build failed]
ok  	ex/c	0.01s

FAIL ex/b: the package failed outside any test (build, TestMain or a crash; see above)
Skipped tests:
  ex/a TestTool: tool_test.go:9: kubectl is not installed
1 passed, 3 failed, 1 skipped
`
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

// TestRunKeepsExitStatus runs a real go test on a module with a failing test: the status is
// go test's, the failure's text is shown, and the count closes the output.
func TestRunKeepsExitStatus(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"go.mod":     "module ex\n\ngo 1.22\n",
		"ex_test.go": "package ex\n\nimport \"testing\"\n\nfunc TestPass(t *testing.T) {}\n\nfunc TestSkip(t *testing.T) { t.Skip(\"no referee\") }\n\nfunc TestFail(t *testing.T) { t.Error(\"broken on purpose\") }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GOTOOLCHAIN", "local")
	t.Setenv("GOFLAGS", "")
	var stdout, stderr strings.Builder
	code := run(dir, []string{"-count=1", "./..."}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit status %d, want 1\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	out := stdout.String()
	for _, want := range []string{"ex_test.go:9: broken on purpose", "--- FAIL: TestFail", "ex TestSkip: ex_test.go:7: no referee", "1 passed, 1 failed, 1 skipped\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.HasSuffix(out, "1 passed, 1 failed, 1 skipped\n") {
		t.Errorf("the count is not the last line:\n%s", out)
	}
}
