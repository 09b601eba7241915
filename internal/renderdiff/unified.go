package renderdiff

import (
	"strings"

	"github.com/aymanbagabas/go-udiff"
	"github.com/aymanbagabas/go-udiff/lcs"
)

// unified is a unified diff (three lines of context) computed line by line: udiff.Unified
// diffs characters, which makes a hunk of two neighbouring one-line changes replace every
// line between them. Each distinct line becomes one symbol for the LCS.
func unified(oldLabel, newLabel, from, to string) string {
	a, b := strings.SplitAfter(from, "\n"), strings.SplitAfter(to, "\n")
	ids := map[string]rune{}
	symbols := func(lines []string) []rune {
		out := make([]rune, len(lines))
		for i, l := range lines {
			id, ok := ids[l]
			if !ok {
				id = rune(len(ids))
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	offsets := make([]int, len(a)+1)
	for i, l := range a {
		offsets[i+1] = offsets[i] + len(l)
	}
	var edits []udiff.Edit
	for _, d := range lcs.DiffRunes(symbols(a), symbols(b)) {
		edits = append(edits, udiff.Edit{Start: offsets[d.Start], End: offsets[d.End], New: strings.Join(b[d.ReplStart:d.ReplEnd], "")})
	}
	out, err := udiff.ToUnified(oldLabel, newLabel, from, edits, udiff.DefaultContextLines)
	if err != nil { // the edits come from the LCS of these very lines
		return udiff.Unified(oldLabel, newLabel, from, to)
	}
	return out
}
