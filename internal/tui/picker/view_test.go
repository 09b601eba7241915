package picker

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/google/go-cmp/cmp"
)

// updating reports whether -update was given. The flag itself is registered by
// charmbracelet/x/exp/golden, which teatest imports into this test binary.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func TestViewGolden(t *testing.T) {
	t.Parallel()
	size := func(w, h int) tea.Msg { return tea.WindowSizeMsg{Width: w, Height: h} }
	for _, tc := range []struct {
		name string
		m    Model
		keys []string
	}{
		{"loading", newModel(), nil},
		{"list", loaded(fixture()), nil},
		{"list-current-selected", loaded(fixture()), []string{"home"}},
		{"list-notice", loaded(fixture()), []string{"home", "enter"}},
		{"list-filtering", loaded(fixture()), []string{"/", "v", "1", ".", "3"}},
		{"list-filtered", loaded(fixture()), []string{"/", "b", "o", "t", "enter"}},
		{"list-no-match", loaded(fixture()), []string{"/", "z", "z"}},
		{"list-scrolled", loaded(long(40)), []string{"pgdown", "down"}},
		{"list-narrow", with(loaded(fixture()), size(52, 16)), []string{"end"}},
		{"list-wide", with(loaded(fixture()), size(120, 18)), nil},
		{"list-120-busy", with(loaded(busy()), size(120, 18)), nil},
		{"confirm", loaded(fixture()), []string{"enter"}},
		{"confirm-digest-only", loaded(fixture()), []string{"end", "enter"}},
		{"confirm-no-forge", with(New(Options{Service: "api", Env: "prod", Describe: noForge, Styles: NewStyles(false), Location: time.UTC}), ReleasesLoadedMsg{Releases: fixture()}), []string{"enter"}},
		{"empty", with(newModel(), ReleasesLoadedMsg{}), nil},
		{"one-entry", with(newModel(), ReleasesLoadedMsg{Releases: fixture()[:1]}), nil},
		{"load-error", with(newModel(), ReleasesLoadedMsg{Err: errors.New("history of overlays/prod/api/kustomization.yaml: git log origin/main: fatal: bad revision 'origin/main'")}), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, _ := press(t, tc.m, tc.keys...)
			view := m.View()
			checkFits(t, view, m.width, m.height)
			golden(t, ansi.Strip(view)+"\n")
		})
	}
}

// TestWideTerminalShowsWholeCells: at 120 columns there is room for five-digit PR numbers
// and long authors, so none is cut.
func TestWideTerminalShowsWholeCells(t *testing.T) {
	t.Parallel()
	m := with(loaded(busy()), tea.WindowSizeMsg{Width: 120, Height: 18})
	view := ansi.Strip(m.View())
	for _, r := range busy() {
		for _, want := range []string{r.Author + " ", prLabel(r) + " "} {
			if !strings.Contains(view, want) {
				t.Errorf("120-column list lacks %q:\n%s", want, view)
			}
		}
	}
}

func with(m Model, msgs ...tea.Msg) Model {
	m, _ = update(m, msgs...)
	return m
}

// golden compares got with testdata/<test name>.golden, or rewrites it under -update.
func golden(t *testing.T, got string) {
	t.Helper()
	path := filepath.Join("testdata", filepath.Base(t.Name())+".golden")
	if updating() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}
