package picker

import (
	"io"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Styles is the picker's look. Build it with NewStyles; the zero value draws plain text.
type Styles struct {
	Title     lipgloss.Style
	Header    lipgloss.Style // column titles
	Selected  lipgloss.Style // the row under the cursor
	Current   lipgloss.Style // the "current" mark
	Signed    lipgloss.Style
	Unsigned  lipgloss.Style
	Faint     lipgloss.Style // labels, rules, unchanged images
	Changed   lipgloss.Style // the image reference a rollback would deploy
	Notice    lipgloss.Style
	Error     lipgloss.Style
	Spinner   lipgloss.Style
	Filter    lipgloss.Style
	Help      help.Styles
	NoMatches lipgloss.Style
}

// NewStyles returns the picker's styles in colour, or without any escape sequences when color
// is false (NO_COLOR, or a terminal that cannot show colour). The styles do not probe the
// terminal: the caller decides.
func NewStyles(color bool) Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetHasDarkBackground(true)
	if color {
		r.SetColorProfile(termenv.ANSI)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	fg := func(c string) lipgloss.Style { return r.NewStyle().Foreground(lipgloss.Color(c)) }
	faint := fg("8")
	return Styles{
		Title:     r.NewStyle().Bold(true),
		Header:    faint.Bold(true),
		Selected:  r.NewStyle().Reverse(true),
		Current:   fg("2").Bold(true),
		Signed:    fg("2"),
		Unsigned:  fg("1"),
		Faint:     faint,
		Changed:   fg("3"),
		Notice:    fg("3"),
		Error:     fg("1").Bold(true),
		Spinner:   fg("5"),
		Filter:    fg("6"),
		NoMatches: faint.Italic(true),
		Help: help.Styles{
			ShortKey:       r.NewStyle(),
			ShortDesc:      faint,
			ShortSeparator: faint,
			Ellipsis:       faint,
			FullKey:        r.NewStyle(),
			FullDesc:       faint,
			FullSeparator:  faint,
		},
	}
}
