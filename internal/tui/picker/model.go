// Package picker is the terminal picker of `gito rollback`: it lists an overlay's releases,
// shows what rolling back to one would change, and asks for confirmation. It draws on the
// stream it is given (stderr) and reports the choice to its caller; it never prints data.
package picker

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gito-dev/gito/internal/history"
)

// ErrNothingToRollBack is the outcome of a history with no release other than the deployed
// one (or none at all), after the user has read the message.
var ErrNothingToRollBack = errors.New("nothing to roll back to")

// ReleasesLoadedMsg delivers the history, or the error that prevented loading it.
type ReleasesLoadedMsg struct {
	// Service is the service the history is of when the load resolved it (-s omitted in a
	// repo of one service); "" keeps Options.Service.
	Service  string
	Releases []history.Release
	Err      error
}

// LoadReleases wraps a history loader into the command Options.Load expects.
func LoadReleases(load func() ([]history.Release, error)) tea.Cmd {
	return LoadServiceReleases(func() (string, []history.Release, error) {
		rs, err := load()
		return "", rs, err
	})
}

// LoadServiceReleases is LoadReleases for a loader that also resolves the service.
func LoadServiceReleases(load func() (string, []history.Release, error)) tea.Cmd {
	return func() tea.Msg {
		service, rs, err := load()
		return ReleasesLoadedMsg{Service: service, Releases: rs, Err: err}
	}
}

// Options configures a picker.
type Options struct {
	Service, Env string  // Service may be "" until the load names it
	Load         tea.Cmd // must produce a ReleasesLoadedMsg; nil: send one yourself
	// Describe says what confirming a rollback to a release does; nil leaves it out of the
	// confirmation.
	Describe func(history.Release) Proposal
	Styles   Styles
	KeyMap   KeyMap
	Location *time.Location // for dates; nil is time.Local
}

// Proposal is what confirming a rollback does, as the confirmation screen shows it.
type Proposal struct {
	Branch      string
	PullRequest string // what happens to the pull request, in the words after "push BRANCH and"
	Title       string // the pull request's title; "" when none is opened
}

type screen int

const (
	screenLoading screen = iota
	screenList
	screenConfirm
	screenMessage // empty or one-entry history, or a load error: only quitting is left
)

// Model is the picker's Bubble Tea model. It is a value: Update returns the next one.
type Model struct {
	opts    Options
	spinner spinner.Model
	help    help.Model
	width   int
	height  int

	screen   screen
	releases []history.Release
	current  int   // index of the deployed release in releases, or -1
	visible  []int // indexes into releases that pass the filter
	cursor   int   // index into visible
	offset   int   // first row of visible on screen

	filter    string
	filtering bool // the filter is being typed

	notice    string // one line under the list until the next key
	message   string // the text of screenMessage
	err       error
	chosen    int // index into releases, or -1
	cancelled bool
}

// New returns a picker in its loading state, sized for 80x24 until the terminal says more.
func New(opts Options) Model {
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.KeyMap.Select.Keys() == nil {
		opts.KeyMap = DefaultKeyMap()
	}
	h := help.New()
	h.Styles = opts.Styles.Help
	return Model{
		opts:    opts,
		spinner: spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(opts.Styles.Spinner)),
		help:    h,
		width:   80,
		height:  24,
		current: -1,
		chosen:  -1,
	}
}

// Init starts the spinner and the loading of the history.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.spinner.Tick, m.opts.Load)
}

// Chosen returns the release the user confirmed, if any.
func (m Model) Chosen() (history.Release, bool) {
	if m.chosen < 0 {
		return history.Release{}, false
	}
	return m.releases[m.chosen], true
}

// subject names what is rolled back: "api in prod", or "prod" while the service is unknown.
func (m Model) subject() string {
	if m.opts.Service == "" {
		return m.opts.Env
	}
	return m.opts.Service + " in " + m.opts.Env
}

// Cancelled reports whether the user quit without choosing.
func (m Model) Cancelled() bool { return m.cancelled }

// Err returns why the picker ended without a choice other than cancelling: the load error,
// or ErrNothingToRollBack.
func (m Model) Err() error { return m.err }

// Update handles one message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		m.scrollToCursor()
		return m, nil
	case spinner.TickMsg:
		if m.screen != screenLoading {
			return m, nil // stops the ticking
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case ReleasesLoadedMsg:
		if m.screen == screenLoading {
			m.loaded(msg)
		}
		return m, nil
	case tea.KeyMsg:
		if key.Matches(msg, m.opts.KeyMap.ForceQuit) {
			m.cancelled = true
			return m, tea.Quit
		}
		m.notice = ""
		switch m.screen {
		case screenLoading:
			return m.updateLoading(msg)
		case screenList:
			if m.filtering {
				return m.updateFiltering(msg)
			}
			return m.updateList(msg)
		case screenConfirm:
			return m.updateConfirm(msg)
		case screenMessage:
			return m.updateMessage(msg)
		}
	}
	return m, nil
}

func (m *Model) loaded(msg ReleasesLoadedMsg) {
	if msg.Service != "" {
		m.opts.Service = msg.Service
	}
	what := m.subject()
	switch {
	case msg.Err != nil:
		m.screen = screenMessage
		m.err = msg.Err
		m.message = "Could not load the history: " + oneLine(msg.Err.Error())
		return
	case len(msg.Releases) == 0:
		m.screen = screenMessage
		m.message = fmt.Sprintf("No releases of %s were found.", what)
		m.err = fmt.Errorf("%w: no releases of %s", ErrNothingToRollBack, what)
		return
	case len(msg.Releases) == 1 && msg.Releases[0].Current:
		r := msg.Releases[0]
		m.screen = screenMessage
		m.releases = msg.Releases
		m.current = 0
		m.message = fmt.Sprintf("Only the deployed release of %s, %s, is in the history: there is nothing to roll back to.", what, versionLabel(r))
		m.err = fmt.Errorf("%w: %s is the only release of %s", ErrNothingToRollBack, versionLabel(r), what)
		return
	}
	m.screen = screenList
	m.releases = msg.Releases
	for i, r := range m.releases {
		if r.Current {
			m.current = i
			break
		}
	}
	m.applyFilter()
	// Start on the newest release that is not deployed: the usual rollback target.
	if m.current == 0 && len(m.visible) > 1 {
		m.cursor = 1
	}
	m.scrollToCursor()
}

func (m Model) updateLoading(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.opts.KeyMap.Quit) {
		m.cancelled = true
		return m, tea.Quit
	}
	return m, nil
}

func (m Model) updateList(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.opts.KeyMap
	switch {
	case m.filter != "" && key.Matches(msg, k.ClearFilter):
		m.filter = ""
		m.applyFilter()
	case key.Matches(msg, k.Quit):
		m.cancelled = true
		return m, tea.Quit
	case key.Matches(msg, k.Filter):
		m.filtering = true
	case key.Matches(msg, k.Select):
		i, ok := m.selected()
		if !ok {
			return m, nil
		}
		if i == m.current {
			m.notice = versionLabel(m.releases[i]) + " is already deployed."
			return m, nil
		}
		m.screen = screenConfirm
	default:
		m.move(msg)
	}
	return m, nil
}

// move handles the cursor keys, shared by the list and the filter prompt.
func (m *Model) move(msg tea.KeyMsg) {
	k := m.opts.KeyMap
	page := max(m.listHeight()-1, 1)
	switch {
	case key.Matches(msg, k.Up):
		m.cursor--
	case key.Matches(msg, k.Down):
		m.cursor++
	case key.Matches(msg, k.Top):
		m.cursor = 0
	case key.Matches(msg, k.Bottom):
		m.cursor = len(m.visible) - 1
	case key.Matches(msg, k.PageUp):
		m.cursor -= page
	case key.Matches(msg, k.PageDown):
		m.cursor += page
	}
	m.cursor = max(min(m.cursor, len(m.visible)-1), 0)
	m.scrollToCursor()
}

func (m Model) updateFiltering(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.opts.KeyMap
	switch {
	case key.Matches(msg, k.ClearFilter):
		m.filtering = false
		m.filter = ""
		m.applyFilter()
	case key.Matches(msg, k.ApplyFilter):
		m.filtering = false
	case msg.Type == tea.KeyBackspace:
		if r := []rune(m.filter); len(r) > 0 {
			m.filter = string(r[:len(r)-1])
			m.applyFilter()
		}
	case msg.Type == tea.KeyCtrlU:
		m.filter = ""
		m.applyFilter()
	case msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace:
		m.filter += string(msg.Runes)
		m.applyFilter()
	case msg.Type == tea.KeyUp || msg.Type == tea.KeyDown || msg.Type == tea.KeyPgUp || msg.Type == tea.KeyPgDown:
		m.move(msg)
	}
	return m, nil
}

func (m Model) updateConfirm(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.opts.KeyMap.Confirm):
		m.chosen, _ = m.selected()
		return m, tea.Quit
	case key.Matches(msg, m.opts.KeyMap.Back):
		m.screen = screenList
	}
	return m, nil
}

func (m Model) updateMessage(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.opts.KeyMap.Quit) || key.Matches(msg, m.opts.KeyMap.Select) {
		return m, tea.Quit
	}
	return m, nil
}

// selected returns the index into releases of the row under the cursor.
func (m Model) selected() (int, bool) {
	if m.cursor < 0 || m.cursor >= len(m.visible) {
		return -1, false
	}
	return m.visible[m.cursor], true
}

// applyFilter keeps the releases whose version, digest, author, PR, commit or subject
// contain the filter, ignoring case, and puts the cursor on the first of them.
func (m *Model) applyFilter() {
	m.visible = m.visible[:0]
	f := strings.ToLower(m.filter)
	for i, r := range m.releases {
		if f == "" || strings.Contains(searchText(r), f) {
			m.visible = append(m.visible, i)
		}
	}
	m.cursor, m.offset = 0, 0
}

func searchText(r history.Release) string {
	parts := []string{r.Version, r.Digest, r.Author, r.Commit, r.Subject}
	if r.PR > 0 {
		parts = append(parts, "#"+strconv.Itoa(r.PR))
	}
	return strings.ToLower(strings.Join(parts, "\n"))
}

func (m *Model) scrollToCursor() {
	h := m.listHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(min(m.offset, len(m.visible)-h), 0)
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
