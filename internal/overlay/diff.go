package overlay

import (
	"fmt"
	"strings"
)

// contextLines is how many unchanged lines surround a hunk, as in git.
const contextLines = 3

// maxLCSCells bounds the quadratic part of the diff; the edits gito makes touch a few lines,
// so only a pathological input reaches it, and then the changed middle is shown as replaced.
const maxLCSCells = 4 << 20

// unifiedDiff returns a git-style diff of one file; before == nil means a new file.
func unifiedDiff(path string, before, after []byte) string {
	if before != nil && string(before) == string(after) {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "diff --git a/%s b/%s\n", path, path)
	if before == nil {
		b.WriteString("new file mode 100644\n--- /dev/null\n")
	} else {
		fmt.Fprintf(&b, "--- a/%s\n", path)
	}
	fmt.Fprintf(&b, "+++ b/%s\n", path)
	a, z := splitLines(before), splitLines(after)
	ops := lineOps(a, z)
	for _, h := range hunks(ops) {
		writeHunk(&b, h, ops)
	}
	return b.String()
}

// splitLines keeps each line's newline so a missing final newline is visible.
func splitLines(data []byte) []string {
	var out []string
	s := string(data)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

type opKind byte

const (
	opEqual opKind = ' '
	opDel   opKind = '-'
	opIns   opKind = '+'
)

type lineOp struct {
	kind opKind
	text string // with its newline, if it had one
	a, b int    // 0-based line numbers in before and after at this op
}

// lineOps is a shortest-ish edit script: common prefix and suffix, then an LCS of the rest.
func lineOps(a, b []string) []lineOp {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []lineOp
	for i := 0; i < pre; i++ {
		ops = append(ops, lineOp{opEqual, a[i], i, i})
	}
	ops = append(ops, lcsOps(a[pre:len(a)-suf], b[pre:len(b)-suf], pre, pre)...)
	for k := 0; k < suf; k++ {
		i, j := len(a)-suf+k, len(b)-suf+k
		ops = append(ops, lineOp{opEqual, a[i], i, j})
	}
	return ops
}

func lcsOps(a, b []string, offA, offB int) []lineOp {
	var ops []lineOp
	if len(a)*len(b) > maxLCSCells {
		for i, l := range a {
			ops = append(ops, lineOp{opDel, l, offA + i, offB})
		}
		for j, l := range b {
			ops = append(ops, lineOp{opIns, l, offA + len(a), offB + j})
		}
		return ops
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	w := len(b) + 1
	lcs := make([]int32, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, lineOp{opEqual, a[i], offA + i, offB + j})
			i++
			j++
		case j == len(b) || (i < len(a) && lcs[(i+1)*w+j] >= lcs[i*w+j+1]):
			ops = append(ops, lineOp{opDel, a[i], offA + i, offB + j})
			i++
		default:
			ops = append(ops, lineOp{opIns, b[j], offA + i, offB + j})
			j++
		}
	}
	return ops
}

// hunk is a range of ops [from, to) to print.
type hunk struct{ from, to int }

func hunks(ops []lineOp) []hunk {
	var out []hunk
	for i, op := range ops {
		if op.kind == opEqual {
			continue
		}
		from, to := max(0, i-contextLines), min(len(ops), i+1+contextLines)
		if n := len(out); n > 0 && from <= out[n-1].to {
			out[n-1].to = to
			continue
		}
		out = append(out, hunk{from, to})
	}
	return out
}

func writeHunk(b *strings.Builder, h hunk, ops []lineOp) {
	startA, startB := ops[h.from].a, ops[h.from].b
	countA, countB := 0, 0
	for _, op := range ops[h.from:h.to] {
		if op.kind != opIns {
			countA++
		}
		if op.kind != opDel {
			countB++
		}
	}
	fmt.Fprintf(b, "@@ -%s +%s @@\n", hunkRange(startA, countA), hunkRange(startB, countB))
	for _, op := range ops[h.from:h.to] {
		b.WriteByte(byte(op.kind))
		b.WriteString(op.text)
		if !strings.HasSuffix(op.text, "\n") {
			b.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange prints a 0-based start and a count the way unified diffs do: 1-based, and an
// empty range names the line before it.
func hunkRange(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	default:
		return fmt.Sprintf("%d,%d", start+1, count)
	}
}
