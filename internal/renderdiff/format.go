package renderdiff

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text prints the sections whole for a terminal or a file: per source, the workloads table
// and every object's diff.
func Text(sections []Section) string {
	var b strings.Builder
	for _, s := range sections {
		if len(s.Objects) == 0 {
			continue
		}
		fmt.Fprintf(&b, "# rendered changes of %s: %s\n", s.Source, summary(s))
		for _, w := range s.Workloads {
			fmt.Fprintf(&b, "#   %s\t%s\t%s -> %s\n", w.ID, orDash(w.Container), orDash(w.From), orDash(w.To))
		}
		for _, o := range s.Objects {
			b.WriteString(o.Diff)
		}
	}
	return b.String()
}

// summary counts the objects by change: "1 changed, 1 added".
func summary(s Section) string {
	n := map[string]int{}
	for _, o := range s.Objects {
		n[o.Change]++
	}
	var parts []string
	for _, c := range []string{Changed, Added, Removed} {
		if n[c] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[c], c))
		}
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// TruncationNote ends a Markdown diff that was cut to the budget.
const TruncationNote = "_The rendered diff was cut to fit the pull request's size limit; `--diff-out FILE` writes it whole._\n"

// Markdown prints the sections for a pull request body in at most budget characters (0: no
// limit). When they do not fit, every section gets a fair share (a section that needs less
// than its share leaves the rest to the others); a cut section says how many lines and
// objects it leaves out, and the text ends with TruncationNote. It reports whether it cut.
func Markdown(sections []Section, budget int) (string, bool) {
	var parts []string
	var sizes []int
	for _, s := range sections {
		if len(s.Objects) == 0 {
			continue
		}
		full := markdownSection(s, -1)
		parts = append(parts, full)
		sizes = append(sizes, runes(full))
	}
	total := 0
	for _, n := range sizes {
		total += n
	}
	if budget <= 0 || total <= budget {
		return strings.Join(parts, ""), false
	}
	avail := budget - runes(TruncationNote)
	if avail <= 0 {
		return "", true
	}
	var b strings.Builder
	shares := fairShares(sizes, avail)
	i := 0
	for _, s := range sections {
		if len(s.Objects) == 0 {
			continue
		}
		if sizes[i] <= shares[i] {
			b.WriteString(parts[i])
		} else {
			b.WriteString(markdownSection(s, shares[i]))
		}
		i++
	}
	b.WriteString(TruncationNote)
	return b.String(), true
}

// fairShares splits avail between the sizes max-min fairly: the smallest first get what they
// need, the rest share what is left equally.
func fairShares(sizes []int, avail int) []int {
	order := make([]int, len(sizes))
	for i := range order {
		order[i] = i
	}
	// insertion sort by size: a handful of sections
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && sizes[order[j]] < sizes[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	shares := make([]int, len(sizes))
	left := avail
	for k, i := range order {
		share := left / (len(order) - k)
		shares[i] = min(sizes[i], share)
		left -= shares[i]
	}
	return shares
}

// markdownSection prints one section; with limit >= 0 it adds workload rows and diff lines
// only while the next one (plus the closing fence and the line that says what was left out)
// stays within limit.
func markdownSection(s Section, limit int) string {
	title := fmt.Sprintf("#### Rendered changes of `%s`: %s\n\n", s.Source, summary(s))
	const tableHead = "| workload | container | image before | image after |\n|---|---|---|---|\n"
	var rows []string
	for _, w := range s.Workloads {
		rows = append(rows, fmt.Sprintf("| `%s` | %s | %s | %s |\n", w.ID, code(w.Container), code(w.From), code(w.To)))
	}
	fence := fenceFor(s)
	open, closing := fence+"diff\n", fence+"\n\n"
	var lines []string
	for _, o := range s.Objects {
		lines = append(lines, strings.SplitAfter(strings.TrimSuffix(o.Diff, "\n")+"\n", "\n")...)
		lines = lines[:len(lines)-1] // SplitAfter's empty tail
	}
	if limit < 0 {
		var b strings.Builder
		b.WriteString(title)
		if len(rows) > 0 {
			b.WriteString(tableHead + strings.Join(rows, "") + "\n")
		}
		b.WriteString(open + strings.Join(lines, "") + closing)
		return b.String()
	}
	reserve := runes(omitted(len(lines), len(s.Objects), len(rows), s)) + runes(open) + runes(closing)
	used := runes(title)
	if used+reserve > limit {
		return ""
	}
	var b strings.Builder
	b.WriteString(title)
	shownRows := 0
	if len(rows) > 0 && used+runes(tableHead)+1+reserve <= limit {
		used += runes(tableHead) + 1
		for _, r := range rows {
			if used+runes(r)+reserve > limit {
				break
			}
			used += runes(r)
			shownRows++
		}
		if shownRows > 0 {
			b.WriteString(tableHead + strings.Join(rows[:shownRows], "") + "\n")
		}
	}
	shown := 0
	for _, l := range lines {
		if used+runes(l)+reserve > limit {
			break
		}
		used += runes(l)
		shown++
	}
	// A cut that would end on an object's or a hunk's header shows that header with the rest.
	for shown > 0 && isHeader(lines[shown-1]) {
		shown--
	}
	if shown > 0 {
		b.WriteString(open + strings.Join(lines[:shown], "") + fence + "\n")
	}
	b.WriteString(omitted(len(lines)-shown, objectsLeft(s, shown), len(rows)-shownRows, s))
	b.WriteString("\n")
	return b.String()
}

func isHeader(line string) bool {
	return strings.HasPrefix(line, "--- ") || strings.HasPrefix(line, "+++ ") || strings.HasPrefix(line, "@@ ")
}

// objectsLeft counts the objects whose diff starts after the first shown lines.
func objectsLeft(s Section, shown int) int {
	left := len(s.Objects)
	n := 0
	for _, o := range s.Objects {
		n += strings.Count(o.Diff, "\n")
		if n > shown {
			break
		}
		left--
	}
	return left
}

func omitted(lines, objects, rows int, s Section) string {
	text := fmt.Sprintf("_%s: %d more diff lines (%d of %d objects not shown in full)", s.Source, lines, objects, len(s.Objects))
	if rows > 0 {
		text += fmt.Sprintf("; %d more workload rows", rows)
	}
	return text + "._\n"
}

// fenceFor returns a code fence longer than any run of backticks in the diffs, so a
// manifest cannot close it.
func fenceFor(s Section) string {
	longest := 0
	for _, o := range s.Objects {
		run := 0
		for _, r := range o.Diff {
			if r == '`' {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

func code(s string) string {
	if s == "" {
		return "–"
	}
	return "`" + s + "`"
}

func runes(s string) int { return utf8.RuneCountInString(s) }
