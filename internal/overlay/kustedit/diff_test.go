package kustedit

import (
	"fmt"
	"strings"
	"testing"
)

// lineOp is one line of a line diff: ' ' kept, '-' removed, '+' added.
type lineOp struct {
	kind byte
	text string
}

// diffLines is a plain LCS line diff; the files under test are small.
func diffLines(a, b []string) []lineOp {
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []lineOp
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, lineOp{' ', a[i]})
			i, j = i+1, j+1
		case j < len(b) && (i == len(a) || lcs[i][j+1] >= lcs[i+1][j]):
			ops = append(ops, lineOp{'+', b[j]})
			j++
		default:
			ops = append(ops, lineOp{'-', a[i]})
			i++
		}
	}
	return ops
}

// splitLines splits at "\n" and drops the final empty line, so that adding a terminator to
// a last line that had none does not count as changing it.
func splitLines(b []byte) []string {
	lines := strings.Split(string(b), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// joinDashDigest undoes the one edit that moves a line: removing the first key of a "- "
// line pulls the next key up, so "- digest: X" + "  name: a" is compared as "- name: a".
func joinDashDigest(removed []string) []string {
	var out []string
	for i := 0; i < len(removed); i++ {
		l := removed[i]
		trimmed := strings.TrimLeft(l, " ")
		if strings.HasPrefix(trimmed, "- digest:") && i+1 < len(removed) {
			l = l[:len(l)-len(trimmed)] + "- " + strings.TrimLeft(removed[i+1], " ")
			i++
		}
		out = append(out, l)
	}
	return out
}

// minimalDiffProblems checks that every changed line holds an edited value: a removed line
// holds an old tag, digest or image, an added line a new one (or the appended entry), and a
// line changed in place differs only inside those values.
func minimalDiffProblems(in, out []byte, changes []Change) []string {
	var oldTokens, newTokens []string
	for _, ch := range changes {
		for _, v := range []string{ch.OldTag, ch.OldDigest, joinImage(ch.Image, ch.OldTag, ch.OldDigest)} {
			if v != "" {
				oldTokens = append(oldTokens, v)
			}
		}
		newTokens = append(newTokens, ch.NewTag, joinImage(ch.Image, ch.NewTag, ch.NewDigest))
		if ch.NewDigest != "" {
			newTokens = append(newTokens, ch.NewDigest)
		}
		if ch.Appended {
			newTokens = append(newTokens, "name: "+ch.Image, "images:")
		}
	}
	within := func(mid string, tokens []string) bool {
		core := strings.Trim(mid, `"' ,`) // a removed pair takes its comma along
		if core == "" {
			return true
		}
		for _, tok := range tokens {
			if strings.Contains(tok, core) || strings.Contains(mid, tok) {
				return true
			}
		}
		return false
	}
	var problems []string
	ops := diffLines(splitLines(in), splitLines(out))
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		var removed, added []string
		for ; i < len(ops) && ops[i].kind != ' '; i++ {
			if ops[i].kind == '-' {
				removed = append(removed, ops[i].text)
			} else {
				added = append(added, ops[i].text)
			}
		}
		removed = joinDashDigest(removed)
		paired := min(len(removed), len(added))
		for k := range paired {
			o, n := removed[k], added[k]
			p := 0
			for p < len(o) && p < len(n) && o[p] == n[p] {
				p++
			}
			s := 0
			for s < len(o)-p && s < len(n)-p && o[len(o)-1-s] == n[len(n)-1-s] {
				s++
			}
			oldMid, newMid := o[p:len(o)-s], n[p:len(n)-s]
			if !within(oldMid, oldTokens) && !strings.Contains(oldMid, "digest") {
				problems = append(problems, fmt.Sprintf("changed line %q: removed text %q is no edited value", o, oldMid))
			}
			if !within(newMid, newTokens) {
				problems = append(problems, fmt.Sprintf("changed line %q: added text %q is no edited value", n, newMid))
			}
		}
		for _, o := range removed[paired:] {
			if !strings.Contains(o, "digest") || !within(o, oldTokens) {
				problems = append(problems, fmt.Sprintf("removed line %q is no stale digest", o))
			}
		}
		for _, n := range added[paired:] {
			if !within(n, newTokens) {
				problems = append(problems, fmt.Sprintf("added line %q holds no edited value", n))
			}
		}
	}
	return problems
}

// The byte-minimal check of the golden tests must itself be able to fail: an edit that
// touches a line holding no edited value is reported.
func TestMinimalDiffProblemsCatchesStrayEdits(t *testing.T) {
	t.Parallel()
	in := []byte("# keep me\nimages:\n  - name: api\n    newTag: v1\n")
	changes := []Change{{Image: "api", OldTag: "v1", NewTag: "v2"}}
	good := []byte("# keep me\nimages:\n  - name: api\n    newTag: v2\n")
	if p := minimalDiffProblems(in, good, changes); len(p) != 0 {
		t.Errorf("a minimal edit was reported: %v", p)
	}
	stray := []byte("# kept me\nimages:\n  - name: api\n    newTag: v2\n")
	if p := minimalDiffProblems(in, stray, changes); len(p) == 0 {
		t.Error("a changed comment was not reported")
	}
	other := []byte("# keep me\nimages:\n  - name: web\n    newTag: v2\n")
	if p := minimalDiffProblems(in, other, changes); len(p) == 0 {
		t.Error("a renamed image was not reported")
	}
}
