package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type testID struct{ pkg, test string }

type skip struct {
	id     testID
	reason string
}

// summary echoes package results and failing tests' output as events arrive, and counts.
type summary struct {
	out            io.Writer
	buffered       map[testID][]string // output of a test still running
	passed, failed int
	skips          []skip
	testFailed     map[string]bool // packages in which a test failed
	brokenPkgs     []string        // packages that failed with no failing test (build, TestMain)
}

func newSummary(out io.Writer) *summary {
	return &summary{out: out, buffered: map[testID][]string{}, testFailed: map[string]bool{}}
}

// Read consumes the event stream; a line that is not JSON is printed as it is.
func (s *summary) Read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			fmt.Fprintln(s.out, sc.Text())
			continue
		}
		s.add(e)
	}
	return sc.Err()
}

func (s *summary) add(e event) {
	id := testID{e.Package, e.Test}
	switch {
	case e.Action == "build-output":
		fmt.Fprint(s.out, e.Output)
	case e.Test == "":
		s.addPackage(e)
	case e.Action == "output":
		s.buffered[id] = append(s.buffered[id], e.Output)
	case e.Action == "pass":
		s.passed++
		delete(s.buffered, id)
	case e.Action == "fail":
		s.failed++
		s.testFailed[e.Package] = true
		for _, line := range s.buffered[id] {
			if !isProgress(line) {
				fmt.Fprint(s.out, line)
			}
		}
		delete(s.buffered, id)
	case e.Action == "skip":
		s.skips = append(s.skips, skip{id, skipReason(s.buffered[id])})
		delete(s.buffered, id)
	}
}

// addPackage prints a package's own lines (ok, FAIL, a crash outside any test) but not the
// bare PASS/FAIL that precede its result line.
func (s *summary) addPackage(e event) {
	switch e.Action {
	case "output":
		if line := strings.TrimSpace(e.Output); line != "PASS" && line != "FAIL" {
			fmt.Fprint(s.out, e.Output)
		}
	case "fail":
		if !s.testFailed[e.Package] {
			s.brokenPkgs = append(s.brokenPkgs, e.Package)
		}
	}
}

// isProgress tells the lines that only trace scheduling, noise in a failure report.
func isProgress(line string) bool {
	for _, p := range []string{"=== PAUSE ", "=== CONT ", "=== NAME "} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// skipReason is what the test logged, without the framework's own lines.
func skipReason(lines []string) string {
	var parts []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- SKIP") {
			continue
		}
		parts = append(parts, l)
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	return strings.Join(parts, " / ")
}

// Failed counts failed tests, and packages that failed without a failing test.
func (s *summary) Failed() int { return s.failed + len(s.brokenPkgs) }

// Print writes the closing report; its last line is the count.
func (s *summary) Print(w io.Writer) {
	fmt.Fprintln(w)
	for _, pkg := range s.brokenPkgs {
		fmt.Fprintf(w, "FAIL %s: the package failed outside any test (build, TestMain or a crash; see above)\n", pkg)
	}
	skips := slices.Clone(s.skips)
	slices.SortFunc(skips, func(a, b skip) int {
		return strings.Compare(a.id.pkg+" "+a.id.test, b.id.pkg+" "+b.id.test)
	})
	if len(skips) > 0 {
		fmt.Fprintf(w, "Skipped tests:\n")
		for _, sk := range skips {
			fmt.Fprintf(w, "  %s %s: %s\n", sk.id.pkg, sk.id.test, sk.reason)
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", s.passed, s.Failed(), len(s.skips))
}
