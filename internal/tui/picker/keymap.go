package picker

import "github.com/charmbracelet/bubbles/key"

// KeyMap binds the picker's keys. Filtering starts with "/" so that letters stay free for
// j/k/q; while the filter is being typed every printable key goes into it.
type KeyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Filter, ClearFilter, ApplyFilter        key.Binding
	Select, Quit, ForceQuit                 key.Binding
	Confirm, Back                           key.Binding
}

// DefaultKeyMap returns the picker's standard bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:         key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home", "newest")),
		Bottom:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end", "oldest")),
		PageUp:      key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		ApplyFilter: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply filter")),
		Select:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "roll back")),
		Quit:        key.NewBinding(key.WithKeys("q", "esc"), key.WithHelp("q", "quit")),
		ForceQuit:   key.NewBinding(key.WithKeys("ctrl+c")),
		Confirm:     key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", "roll back")),
		Back:        key.NewBinding(key.WithKeys("n", "esc", "q"), key.WithHelp("n/esc", "back")),
	}
}
