package picker

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/gito-dev/gito/internal/history"
)

// Lines of the list screen that are not list rows: title, blank, column titles, rule under
// the list, notice/filter line and help.
const listChrome = 6

// View draws the current screen within the terminal's width and height.
func (m Model) View() string {
	var lines []string
	switch m.screen {
	case screenLoading:
		lines = m.loadingView()
	case screenList:
		lines = m.listView()
	case screenConfirm:
		lines = m.confirmView()
	case screenMessage:
		lines = m.messageView()
	}
	return m.fit(lines)
}

// fit cuts lines to the terminal: wider lines end in "…", and when there are too many the
// help line (the last) is kept.
func (m Model) fit(lines []string) string {
	if m.height > 0 && len(lines) > m.height {
		lines = append(lines[:m.height-1:m.height-1], lines[len(lines)-1])
	}
	for i, l := range lines {
		l = strings.TrimRight(l, " ")
		lines[i] = l
		if m.width > 0 && ansi.StringWidth(l) > m.width {
			lines[i] = ansi.Truncate(l, m.width, "…")
		}
	}
	return strings.Join(lines, "\n")
}

func (m Model) title() string {
	return m.opts.Styles.Title.Render("Roll back " + m.subject())
}

func (m Model) helpLine(bindings ...key.Binding) string {
	return m.help.ShortHelpView(bindings)
}

func (m Model) loadingView() []string {
	return []string{
		m.title(),
		"",
		m.spinner.View() + "Loading the history of " + m.subject() + "…",
		"",
		m.helpLine(m.opts.KeyMap.Quit),
	}
}

func (m Model) messageView() []string {
	st := m.opts.Styles.Error
	if errors.Is(m.err, ErrNothingToRollBack) {
		st = m.opts.Styles.Notice
	}
	lines := []string{m.title(), ""}
	for _, l := range strings.Split(ansi.Wordwrap(m.message, max(m.width, 20), ""), "\n") {
		lines = append(lines, st.Render(l))
	}
	if m.current >= 0 {
		cols := m.columns()
		lines = append(lines, "", m.headerRow(cols), m.row(cols, m.current, false))
	}
	return append(lines, "", m.helpLine(m.opts.KeyMap.Quit))
}

// listHeight is the number of release rows that fit.
func (m Model) listHeight() int {
	return max(m.height-listChrome-m.detailHeight(), 1)
}

// detailHeight is fixed for a history so that the list does not jump as the cursor moves:
// a summary line, the subject, and one line per image (at most four).
func (m Model) detailHeight() int {
	n := 1
	for _, r := range m.releases {
		n = max(n, len(m.imageChanges(r)))
	}
	return 2 + min(n, 4)
}

func (m Model) listView() []string {
	s := m.opts.Styles
	cols := m.columns()
	lines := []string{m.title(), "", m.headerRow(cols)}

	h := m.listHeight()
	end := min(m.offset+h, len(m.visible))
	for vi := m.offset; vi < end; vi++ {
		lines = append(lines, m.row(cols, m.visible[vi], vi == m.cursor))
	}
	if len(m.visible) == 0 {
		lines = append(lines, s.NoMatches.Render(fmt.Sprintf("  No release matches %q.", m.filter)))
	}
	for len(lines) < 3+h {
		lines = append(lines, "")
	}

	lines = append(lines, s.Faint.Render(strings.Repeat("─", max(m.width, 1))))
	detail := m.detailView()
	for len(detail) < m.detailHeight() {
		detail = append(detail, "")
	}
	lines = append(lines, detail[:m.detailHeight()]...)

	k := m.opts.KeyMap
	switch {
	case m.notice != "":
		lines = append(lines, s.Notice.Render(m.notice))
	case m.filtering:
		lines = append(lines, s.Filter.Render("/"+m.filter+"█"))
	case m.filter != "":
		lines = append(lines, s.Filter.Render(fmt.Sprintf("filter: %s (%d of %d)", m.filter, len(m.visible), len(m.releases))))
	default:
		lines = append(lines, "")
	}
	switch {
	case m.filtering:
		typing := key.NewBinding(key.WithHelp("type", "to filter"))
		lines = append(lines, m.helpLine(typing, k.ApplyFilter, k.ClearFilter))
	case m.filter != "":
		lines = append(lines, m.helpLine(k.Up, k.Down, k.Select, k.ClearFilter, k.Filter, key.NewBinding(key.WithHelp("q", "quit"))))
	default:
		lines = append(lines, m.helpLine(k.Up, k.Down, k.Filter, k.Select, k.Quit))
	}
	return lines
}

// column is one column of the release table.
type column struct {
	title string
	width int
	cell  func(history.Release) string
}

// columns is the one layout of the release table, for the terminal's width: every column
// is as wide as its widest cell in the history (a version at most 24), the author takes
// what is left up to its widest name, and when too little is left the digest, then the time
// of day, then the author are dropped.
func (m Model) columns() []column {
	loc := m.opts.Location
	versionW, prW, authorW := 7, 5, 6
	for _, r := range m.releases {
		versionW = max(versionW, min(ansi.StringWidth(versionLabel(r)), 24))
		prW = max(prW, ansi.StringWidth(prLabel(r)))
		authorW = max(authorW, ansi.StringWidth(r.Author))
	}
	version := column{"VERSION", versionW, versionLabel}
	digest := column{"DIGEST", 12, func(r history.Release) string { return orDash(shortDigest(r.Digest)) }}
	date := column{"DATE", 16, func(r history.Release) string { return r.Date.In(loc).Format("2006-01-02 15:04") }}
	day := column{"DATE", 10, func(r history.Release) string { return r.Date.In(loc).Format("2006-01-02") }}
	author := column{"AUTHOR", 0, func(r history.Release) string { return r.Author }}
	pr := column{"PR", prW, prLabel}
	sig := column{"SIG", 3, nil} // drawn by row: its mark has its own style
	state := column{"", 7, nil}  // "current"
	const cursorW, minAuthor = 2, 6

	layouts := [][]column{
		{version, digest, date, author, pr, sig, state},
		{version, date, author, pr, sig, state},
		{version, day, author, pr, sig, state},
	}
	for _, layout := range layouts {
		used := cursorW
		authorAt := -1
		for i, c := range layout {
			used += c.width + 1
			if c.title == "AUTHOR" {
				authorAt = i
			}
		}
		if free := m.width - used; free >= minAuthor {
			layout[authorAt].width = min(free, authorW)
			return layout
		}
	}
	return []column{version, day, pr, sig, state}
}

func prLabel(r history.Release) string {
	if r.PR == 0 {
		return "-"
	}
	return "#" + strconv.Itoa(r.PR)
}

func (m Model) headerRow(cols []column) string {
	var b strings.Builder
	b.WriteString("  ")
	for _, c := range cols {
		b.WriteString(pad(c.title, c.width) + " ")
	}
	return m.opts.Styles.Header.Render(strings.TrimRight(b.String(), " "))
}

// row draws release i; the selected row is drawn plain and then highlighted as a whole, as
// styles nested inside it would end its highlight early.
func (m Model) row(cols []column, i int, selected bool) string {
	s := m.opts.Styles
	r := m.releases[i]
	var b strings.Builder
	if selected {
		b.WriteString("› ")
	} else {
		b.WriteString("  ")
	}
	for _, c := range cols {
		switch {
		case c.title == "SIG":
			mark, st := "✗", s.Unsigned
			if r.Signed {
				mark, st = "✓", s.Signed
			}
			if !selected {
				mark = st.Render(mark)
			}
			b.WriteString(" " + mark + "  ")
		case c.cell == nil: // state
			if i == m.current {
				label := "current"
				if !selected {
					label = s.Current.Render(label)
				}
				b.WriteString(label)
			}
		default:
			b.WriteString(pad(c.cell(r), c.width) + " ")
		}
	}
	line := strings.TrimRight(b.String(), " ")
	if selected {
		// Fill the width so that a highlight is a bar; without escapes there is none to fill.
		if styled := s.Selected.Render(pad(line, max(m.width, ansi.StringWidth(line)))); styled != ansi.Strip(styled) {
			line = styled
		}
	}
	return line
}

// detailView describes the selected release against the deployed one.
func (m Model) detailView() []string {
	i, ok := m.selected()
	if !ok {
		return nil
	}
	r := m.releases[i]
	lines := []string{m.summary(r), "  " + m.signature(r) + m.opts.Styles.Faint.Render(" · "+r.Subject)}
	return append(lines, m.imageLines(r, 4)...)
}

// summary is one line about where a release comes from.
func (m Model) summary(r history.Release) string {
	s := m.opts.Styles
	parts := []string{
		s.Title.Render(versionLabel(r)),
		"commit " + short(r.Commit, 7),
		r.Author,
		r.Date.In(m.opts.Location).Format("2006-01-02 15:04"),
	}
	if r.PR > 0 {
		parts = append(parts, "PR #"+strconv.Itoa(r.PR))
	}
	return strings.Join(parts, s.Faint.Render(" · "))
}

// signature says who signed the release's files, or that nobody did.
func (m Model) signature(r history.Release) string {
	s := m.opts.Styles
	switch {
	case !r.Signed:
		return s.Unsigned.Render("unsigned")
	case r.Signer == "":
		return s.Signed.Render("signed")
	}
	return s.Signed.Render("signed by " + r.Signer)
}

// imageChange is one image as deployed now and as the release would set it.
type imageChange struct {
	label    string // the repository, or the kustomize name when the repository changes
	from, to string // "" when the image is not set on that side
}

// imageChanges pairs r's images with the deployed release's, by name. When the repository
// stays, only tag and digest are shown, so that a line fits in 80 columns.
func (m Model) imageChanges(r history.Release) []imageChange {
	var deployed []history.ImageRef
	if m.current >= 0 {
		deployed = m.releases[m.current].Images
	}
	var out []imageChange
	seen := map[string]bool{}
	for _, img := range r.Images {
		seen[img.Name] = true
		c := imageChange{label: img.Repository(), to: version(img)}
		for _, d := range deployed {
			if d.Name != img.Name {
				continue
			}
			c.from = version(d)
			if d.Repository() != img.Repository() {
				c = imageChange{label: img.Name, from: shortRef(d), to: shortRef(img)}
			}
		}
		out = append(out, c)
	}
	for _, d := range deployed {
		if !seen[d.Name] {
			out = append(out, imageChange{label: d.Repository(), from: version(d)})
		}
	}
	return out
}

// imageLines shows, per image, what a rollback to r changes: "image  old -> new".
func (m Model) imageLines(r history.Release, limit int) []string {
	s := m.opts.Styles
	changes := m.imageChanges(r)
	labelW := 0
	for _, c := range changes {
		labelW = max(labelW, ansi.StringWidth(c.label))
	}
	labelW = min(labelW, max(m.width/2, 10))
	var lines []string
	for n, c := range changes {
		if n == limit-1 && len(changes) > limit {
			lines = append(lines, s.Faint.Render(fmt.Sprintf("  … and %d more images", len(changes)-n)))
			break
		}
		var text string
		switch {
		case c.from == c.to:
			text = s.Faint.Render(c.to + " (deployed)")
		case c.from == "":
			text = s.Faint.Render("(not set) -> ") + s.Changed.Render(c.to)
		case c.to == "":
			text = c.from + s.Faint.Render(" -> (not set)")
		default:
			text = c.from + s.Faint.Render(" -> ") + s.Changed.Render(c.to)
		}
		lines = append(lines, "  "+pad(c.label, labelW)+"  "+text)
	}
	return lines
}

func (m Model) confirmView() []string {
	s := m.opts.Styles
	i, _ := m.selected()
	r := m.releases[i]
	lines := []string{
		s.Title.Render(fmt.Sprintf("Roll back %s to %s?", m.subject(), versionLabel(r))),
		"",
	}
	lines = append(lines, m.imageLines(r, max(m.height-12, 1))...)
	lines = append(lines, "", "  from "+m.summary(r), "  "+m.signature(r))
	if m.opts.Describe != nil {
		p := m.opts.Describe(r)
		does := fmt.Sprintf("Confirming will push %s and %s", p.Branch, p.PullRequest)
		if p.Title == "" {
			does += "."
		} else {
			does += ":"
		}
		lines = append(lines, "")
		lines = append(lines, strings.Split(ansi.Wordwrap(does, max(m.width, 20), ""), "\n")...)
		if p.Title != "" {
			lines = append(lines, "  "+s.Faint.Render("title ")+p.Title)
		}
	}
	lines = append(lines, "")
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	return append(lines, m.helpLine(m.opts.KeyMap.Confirm, m.opts.KeyMap.Back))
}

func versionLabel(r history.Release) string {
	if r.Version == "" {
		return "@" + shortDigest(r.Digest)
	}
	return r.Version
}

// shortDigest keeps 12 hex digits of a sha256 digest, as docker does.
func shortDigest(d string) string {
	return short(strings.TrimPrefix(d, "sha256:"), 12)
}

// version is the tag and short digest of an image: "v1.2.0", "v1.2.0@sha256:…", "@sha256:…".
func version(img history.ImageRef) string {
	v := img.Tag
	if img.Digest != "" {
		v += "@sha256:" + shortDigest(img.Digest)
	}
	if v == "" {
		return "(no tag)"
	}
	return v
}

func shortRef(img history.ImageRef) string {
	if img.Digest != "" {
		img.Digest = "sha256:" + shortDigest(img.Digest)
	}
	return img.String()
}

func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// pad truncates s to w cells and fills it up to w with spaces.
func pad(s string, w int) string {
	if ansi.StringWidth(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", max(w-ansi.StringWidth(s), 0))
}
