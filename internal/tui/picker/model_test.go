package picker

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/gito-dev/gito/internal/history"
)

func TestLoadingThenLoaded(t *testing.T) {
	t.Parallel()
	m := newModel()
	if cmd := m.Init(); cmd == nil {
		t.Fatal("Init returned no command: the spinner would not spin")
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "Loading the history of api in prod") {
		t.Errorf("loading view = %q", v)
	}
	m, _ = update(m, ReleasesLoadedMsg{Releases: fixture()})
	if m.screen != screenList {
		t.Fatalf("screen = %v, want the list", m.screen)
	}
	if got := selectedVersion(m); got != "v1.3.2@"+digest("b") {
		t.Errorf("cursor starts on %q, want the newest release that is not deployed", got)
	}
	// The spinner stops once loaded; a second load is ignored.
	if _, cmd := update(m, spinner.TickMsg{}); cmd != nil {
		t.Error("spinner still ticking after load")
	}
	m2, _ := update(m, ReleasesLoadedMsg{Releases: long(3)})
	if len(m2.releases) != 5 {
		t.Error("a second ReleasesLoadedMsg replaced the history")
	}
}

// TestServiceNamedByTheLoad: with -s omitted in a repo of one service the picker starts
// without a service, and the load names it; no view ever shows an empty service.
func TestServiceNamedByTheLoad(t *testing.T) {
	t.Parallel()
	m := New(Options{Env: "prod", Describe: describe, Styles: NewStyles(false), Location: time.UTC})
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "Roll back prod\n") || !strings.Contains(view, "Loading the history of prod…") || strings.Contains(view, " in prod") {
		t.Errorf("loading view without a service:\n%s", view)
	}
	msg := LoadServiceReleases(func() (string, []history.Release, error) { return "app", fixture(), nil })()
	m, _ = update(m, msg)
	if view := ansi.Strip(m.View()); !strings.HasPrefix(view, "Roll back app in prod\n") {
		t.Errorf("list view after the load named app:\n%s", view)
	}
	m, _ = press(t, m, "enter")
	if view := ansi.Strip(m.View()); !strings.HasPrefix(view, "Roll back app in prod to v1.3.2?\n") {
		t.Errorf("confirm view:\n%s", view)
	}

	empty, _ := update(New(Options{Env: "prod", Styles: NewStyles(false)}), ReleasesLoadedMsg{Service: "app"})
	if view := ansi.Strip(empty.View()); !strings.Contains(view, "No releases of app in prod were found.") {
		t.Errorf("empty view:\n%s", view)
	}
	if err := empty.Err(); err == nil || !strings.Contains(err.Error(), "no releases of app in prod") {
		t.Errorf("Err = %v", err)
	}
	// A load that names no service keeps the one the picker was given.
	kept, _ := update(newModel(), ReleasesLoadedMsg{Releases: fixture()})
	if view := ansi.Strip(kept.View()); !strings.HasPrefix(view, "Roll back api in prod\n") {
		t.Errorf("view with -s api:\n%s", view)
	}
}

func TestLoadReleasesCommand(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	msg := LoadReleases(func() ([]history.Release, error) { return nil, boom })()
	if got, ok := msg.(ReleasesLoadedMsg); !ok || !errors.Is(got.Err, boom) {
		t.Errorf("msg = %#v, want ReleasesLoadedMsg carrying the error", msg)
	}
}

func TestMove(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		keys []string
		want string
	}{
		{"down", []string{"down"}, "v1.3.1"},
		{"j", []string{"j", "j"}, "v1.3.0"},
		{"up", []string{"up"}, "v1.4.0"},
		{"k stops at the top", []string{"k", "k", "k"}, "v1.4.0"},
		{"end", []string{"end"}, "@" + digest("a")},
		{"G", []string{"G"}, "@" + digest("a")},
		{"down stops at the bottom", []string{"end", "down", "j"}, "@" + digest("a")},
		{"home", []string{"end", "home"}, "v1.4.0"},
		{"pgdown", []string{"pgdown"}, "@" + digest("a")},
		{"pgup", []string{"end", "pgup"}, "v1.4.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, _ := press(t, loaded(fixture()), tc.keys...)
			if got := selectedVersion(m); got != tc.want {
				t.Errorf("selected %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPagingScrollsTheList(t *testing.T) {
	t.Parallel()
	m := loaded(long(100))
	h := m.listHeight()
	m, _ = press(t, m, "pgdown", "pgdown")
	if want := 1 + 2*(h-1); m.cursor != want {
		t.Errorf("cursor = %d after two pages of %d rows, want %d", m.cursor, h, want)
	}
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "› "+m.releases[m.cursor].Version+" ") {
		t.Errorf("the selected row is not on screen:\n%s", v)
	}
	if strings.Contains(v, "\n  v1.0.100 ") {
		t.Errorf("the first row is still on screen after paging down:\n%s", v)
	}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	m, _ := press(t, loaded(fixture()), "/", "v", "1", ".", "3")
	if !m.filtering || m.filter != "v1.3" || len(m.visible) != 3 {
		t.Fatalf("filtering=%v filter=%q visible=%d, want typing %q with 3 matches", m.filtering, m.filter, len(m.visible), "v1.3")
	}
	// While typing, letters are text, not commands: q does not quit, j does not move.
	m, cmd := press(t, m, "q", "j")
	if isQuit(cmd) || m.filter != "v1.3qj" || len(m.visible) != 0 {
		t.Fatalf("filter = %q (quit %v), want letters typed in", m.filter, isQuit(cmd))
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, `No release matches "v1.3qj".`) {
		t.Errorf("no-match view:\n%s", v)
	}
	m, _ = press(t, m, "backspace", "backspace", "down", "enter")
	if m.filtering || m.filter != "v1.3" || selectedVersion(m) != "v1.3.1" {
		t.Fatalf("after enter: filtering=%v filter=%q selected %q", m.filtering, m.filter, selectedVersion(m))
	}
	// Esc on a filtered list clears the filter rather than quitting.
	m, cmd = press(t, m, "esc")
	if isQuit(cmd) || m.filter != "" || len(m.visible) != 5 {
		t.Errorf("esc: quit=%v filter=%q visible=%d", isQuit(cmd), m.filter, len(m.visible))
	}
	// Filters match authors, PR numbers and digests too.
	for filter, want := range map[string]int{"renovate": 1, "#31": 1, "aaaaaa": 1, "BOB": 1} {
		m, _ := press(t, loaded(fixture()), append([]string{"/"}, strings.Split(filter, "")...)...)
		if len(m.visible) != want {
			t.Errorf("filter %q matches %d releases, want %d", filter, len(m.visible), want)
		}
	}
	// Esc while typing clears, ctrl+u empties.
	m, _ = press(t, loaded(fixture()), "/", "x", "ctrl+u")
	if m.filter != "" || !m.filtering {
		t.Errorf("ctrl+u: filter %q filtering %v", m.filter, m.filtering)
	}
	m, _ = press(t, m, "x", "esc")
	if m.filter != "" || m.filtering {
		t.Errorf("esc while typing: filter %q filtering %v", m.filter, m.filtering)
	}
}

func TestConfirmBackAndChoose(t *testing.T) {
	t.Parallel()
	m, _ := press(t, loaded(fixture()), "down", "enter")
	if m.screen != screenConfirm {
		t.Fatalf("screen = %v after enter, want the confirmation", m.screen)
	}
	v := ansi.Strip(m.View())
	for _, want := range []string{"Roll back api in prod to v1.3.1?", "Confirming will push gito/prod/api and open a pull request:", "title Roll back api in prod from v1.4.0 to v1.3.1",
		"registry.example.com/team/api             v1.4.0 -> v1.3.1", "unsigned"} {
		if !strings.Contains(v, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, v)
		}
	}
	for _, back := range []string{"n", "esc", "q"} {
		b, cmd := press(t, m, back)
		if b.screen != screenList || isQuit(cmd) || b.Cancelled() {
			t.Errorf("%s: screen %v quit %v cancelled %v, want back on the list", back, b.screen, isQuit(cmd), b.Cancelled())
		}
	}
	for _, yes := range []string{"y", "enter"} {
		c, cmd := press(t, m, yes)
		got, ok := c.Chosen()
		if !ok || got.Version != "v1.3.1" || !isQuit(cmd) {
			t.Errorf("%s: chosen %q (%v) quit %v, want v1.3.1 and quit", yes, got.Version, ok, isQuit(cmd))
		}
	}
	// Other keys do nothing on the confirmation.
	if o, cmd := press(t, m, "x"); o.screen != screenConfirm || cmd != nil {
		t.Errorf("x left the confirmation")
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		keys []string
	}{
		{"q on the list", []string{"q"}},
		{"esc on the list", []string{"esc"}},
		{"ctrl+c on the list", []string{"ctrl+c"}},
		{"ctrl+c while filtering", []string{"/", "ctrl+c"}},
		{"ctrl+c on the confirmation", []string{"enter", "ctrl+c"}},
		{"q after clearing a filter with esc", []string{"/", "v", "enter", "esc", "q"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, cmd := press(t, loaded(fixture()), tc.keys...)
			if !m.Cancelled() || !isQuit(cmd) {
				t.Errorf("cancelled %v quit %v, want both", m.Cancelled(), isQuit(cmd))
			}
			if _, ok := m.Chosen(); ok {
				t.Error("a cancelled picker reports a choice")
			}
		})
	}
	m, cmd := press(t, newModel(), "q")
	if !m.Cancelled() || !isQuit(cmd) {
		t.Error("q while loading does not cancel")
	}
}

func TestEnterOnCurrent(t *testing.T) {
	t.Parallel()
	m, cmd := press(t, loaded(fixture()), "home", "enter")
	if m.screen != screenList || cmd != nil {
		t.Fatalf("screen %v, want to stay on the list", m.screen)
	}
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if got := lines[len(lines)-2]; got != "v1.4.0 is already deployed." {
		t.Errorf("notice line = %q", got)
	}
	m, _ = press(t, m, "down")
	if strings.Contains(m.View(), "already deployed") {
		t.Error("the notice outlived the next key")
	}
}

func TestNothingToChoose(t *testing.T) {
	t.Parallel()
	one := fixture()[:1]
	boom := errors.New("git log origin/main: fatal: bad revision\nsecond line")
	for _, tc := range []struct {
		name    string
		msg     ReleasesLoadedMsg
		view    string
		wantErr error
	}{
		{"empty", ReleasesLoadedMsg{}, "No releases of api in prod were found.", ErrNothingToRollBack},
		{"one entry", ReleasesLoadedMsg{Releases: one}, "there is nothing to roll back to", ErrNothingToRollBack},
		{"load error", ReleasesLoadedMsg{Err: boom}, "Could not load the history: git log origin/main: fatal: bad revision", boom},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, _ := update(newModel(), tc.msg)
			v := ansi.Strip(m.View())
			if !strings.Contains(strings.ReplaceAll(v, "\n", " "), tc.view) || !strings.Contains(v, "q quit") {
				t.Errorf("view lacks %q and the quit hint:\n%s", tc.view, v)
			}
			if strings.Contains(v, "second line") {
				t.Errorf("the error's second line is shown:\n%s", v)
			}
			m, cmd := press(t, m, "down", "enter")
			if !isQuit(cmd) || m.Cancelled() || !errors.Is(m.Err(), tc.wantErr) {
				t.Errorf("quit %v cancelled %v err %v, want quit with %v", isQuit(cmd), m.Cancelled(), m.Err(), tc.wantErr)
			}
		})
	}
}

func TestResize(t *testing.T) {
	t.Parallel()
	m, _ := press(t, loaded(long(30)), "end")
	for _, size := range []tea.WindowSizeMsg{{Width: 80, Height: 24}, {Width: 60, Height: 12}, {Width: 40, Height: 10}, {Width: 120, Height: 40}, {Width: 20, Height: 5}} {
		m, _ = update(m, size)
		v := ansi.Strip(m.View())
		checkFits(t, v, size.Width, size.Height)
		if size.Height >= 12 && !strings.Contains(v, "› v1.0.1 ") {
			t.Errorf("%dx%d: the selected row scrolled off:\n%s", size.Width, size.Height, v)
		}
	}
}

func TestColor(t *testing.T) {
	t.Parallel()
	plain := loaded(fixture()).View()
	if strings.Contains(plain, "\x1b[") {
		t.Errorf("NO_COLOR view has escape sequences: %q", plain)
	}
	m := New(Options{Service: "api", Env: "prod", Styles: NewStyles(true)})
	m, _ = update(m, ReleasesLoadedMsg{Releases: fixture()})
	colored := m.View()
	if !strings.Contains(colored, "\x1b[") {
		t.Error("colour view has no escape sequences")
	}
	checkFits(t, colored, 80, 24)
}

// checkFits fails when view is wider or taller than the terminal.
func checkFits(t *testing.T, view string, width, height int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > height {
		t.Errorf("%dx%d: view has %d lines", width, height, len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("%dx%d: line %d is %d wide: %q", width, height, i+1, w, ansi.Strip(l))
		}
	}
}
