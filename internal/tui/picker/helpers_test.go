package picker

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gito-dev/gito/internal/history"
)

func digest(c string) string { return "sha256:" + strings.Repeat(c, 64) }

func day(d, h int) time.Time { return time.Date(2026, 11, d, h, 30, 0, 0, time.UTC) }

func images(tag, dig string) []history.ImageRef {
	return []history.ImageRef{
		{Name: "api", NewName: "registry.example.com/team/api", Tag: tag, Digest: dig},
		{Name: "api-migrations", NewName: "registry.example.com/team/api-migrations", Tag: "v1.3.0"},
	}
}

// fixture is a history of five releases, the newest deployed.
func fixture() []history.Release {
	return []history.Release{
		{Version: "v1.4.0", Images: images("v1.4.0", ""), Commit: "4444444444444444444444444444444444444444", Date: day(20, 10), Author: "Alice Example", PR: 42, Signed: true, Signer: "alice@example.com", Current: true, Subject: "Release api v1.4.0 to prod (#42)"},
		{Version: "v1.3.2", Digest: digest("b"), Images: images("v1.3.2", digest("b")), Commit: "3333333333333333333333333333333333333333", Date: day(18, 9), Author: "Bob", PR: 40, Signed: true, Signer: "bob@example.com", Subject: "Release api v1.3.2 to prod (#40)"},
		{Version: "v1.3.1", Images: images("v1.3.1", ""), Commit: "2222222222222222222222222222222222222222", Date: day(15, 16), Author: "renovate[bot]", Subject: "Update api to v1.3.1"},
		{Version: "v1.3.0", Images: images("v1.3.0", "")[:1], Commit: "1111111111111111111111111111111111111111", Date: day(10, 8), Author: "Carol", PR: 31, Signed: true, Signer: "carol@example.com", Subject: "Merge pull request #31 from acme/gito/prod/api"},
		{Version: "", Digest: digest("a"), Images: images("", digest("a"))[:1], Commit: "0000000000000000000000000000000000000000", Date: day(1, 12), Author: "Dave", Subject: "Pin api by digest"},
	}
}

// busy is fixture() in a large repository: five-digit PR numbers and long author names.
func busy() []history.Release {
	rs := fixture()
	for i, author := range []string{"Alice Example-Longname", "Bob", "renovate[bot] for platform-team", "Carol", "dependabot-preview-maintainers"} {
		rs[i].Author = author
		if rs[i].PR != 0 {
			rs[i].PR += 17600
		}
	}
	return rs
}

// long is a history of n releases, the newest deployed.
func long(n int) []history.Release {
	var rs []history.Release
	for i := n; i > 0; i-- {
		v := fmt.Sprintf("v1.0.%d", i)
		rs = append(rs, history.Release{Version: v, Images: images(v, "")[:1], Commit: fmt.Sprintf("%040d", i), Date: day(1, 0).Add(time.Duration(i) * time.Hour), Author: "Bot", PR: i})
	}
	rs[0].Current = true
	return rs
}

func describe(r history.Release) Proposal {
	return Proposal{Branch: "gito/prod/api", PullRequest: "open a pull request", Title: "Roll back api in prod from v1.4.0 to " + r.Ref()}
}

// noForge says what a rollback does on a remote without a forge.
func noForge(history.Release) Proposal {
	return Proposal{Branch: "gito/prod/api", PullRequest: "open no pull request (no forge is configured)"}
}

func newModel() Model {
	return New(Options{Service: "api", Env: "prod", Describe: describe, Styles: NewStyles(false), Location: time.UTC})
}

func loaded(rs []history.Release) Model {
	m, _ := update(newModel(), ReleasesLoadedMsg{Releases: rs})
	return m
}

// keyMsg turns a key name as bubbletea prints it into a message; anything else is typed.
func keyMsg(name string) tea.KeyMsg {
	for t, n := range map[tea.KeyType]string{
		tea.KeyUp: "up", tea.KeyDown: "down", tea.KeyHome: "home", tea.KeyEnd: "end",
		tea.KeyPgUp: "pgup", tea.KeyPgDown: "pgdown", tea.KeyEnter: "enter", tea.KeyEsc: "esc",
		tea.KeyCtrlC: "ctrl+c", tea.KeyBackspace: "backspace", tea.KeyCtrlU: "ctrl+u",
	} {
		if n == name {
			return tea.KeyMsg{Type: t}
		}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name)}
}

func update(m Model, msgs ...tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	for _, msg := range msgs {
		var tm tea.Model
		tm, cmd = m.Update(msg)
		m = tm.(Model)
	}
	return m, cmd
}

func press(t *testing.T, m Model, keys ...string) (Model, tea.Cmd) {
	t.Helper()
	var msgs []tea.Msg
	for _, k := range keys {
		msgs = append(msgs, keyMsg(k))
	}
	return update(m, msgs...)
}

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

func selectedVersion(m Model) string {
	i, ok := m.selected()
	if !ok {
		return ""
	}
	return m.releases[i].Ref()
}

// keyMsg must produce the keys bubbletea itself would report, or the tests drive nothing.
func TestKeyMsgMatchesBubbleteaNames(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"up", "down", "home", "end", "pgup", "pgdown", "enter", "esc", "ctrl+c", "backspace", "ctrl+u", "q", "/", "y"} {
		if got := keyMsg(name).String(); got != name {
			t.Errorf("keyMsg(%q).String() = %q", name, got)
		}
	}
}
