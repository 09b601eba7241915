package inventory

import (
	"context"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/gito-dev/gito/internal/config"
)

// memLister is a commit held in memory: ids are the paths.
type memLister map[string][]byte

func (m memLister) Files(context.Context) (map[string]string, error) {
	out := map[string]string{}
	for p := range m {
		out[p] = "id:" + p
	}
	return out, nil
}

func (m memLister) Read(_ context.Context, keys []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, k := range keys {
		if d, ok := m[strings.TrimPrefix(k, "id:")]; ok {
			out[k] = d
		}
	}
	return out, nil
}

// build makes the inventory of a txtar archive; a .gito.yaml in it is the config.
func build(t *testing.T, archive string) *Inventory {
	t.Helper()
	m := memLister{}
	for _, f := range txtar.Parse([]byte(archive)).Files {
		m[f.Name] = f.Data
	}
	cfg := &config.Repo{}
	if data, ok := m[config.FileName]; ok {
		var err error
		if cfg, err = config.ParseRepo(data); err != nil {
			t.Fatal(err)
		}
	}
	inv, err := Build(context.Background(), m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// summary is "service env version rule dir" per entry, one a line.
func summary(inv *Inventory) string {
	var b strings.Builder
	for _, e := range inv.Entries {
		v := e.Ref()
		if v == "" {
			v = "unknown(" + e.Unknown + ")"
		}
		b.WriteString(e.Service + " " + e.Env + " " + v + " " + e.Rule + " " + e.Dir + "\n")
	}
	return b.String()
}

func wantSummary(t *testing.T, inv *Inventory, want string) {
	t.Helper()
	if got := summary(inv); strings.TrimSpace(got) != strings.TrimSpace(want) {
		t.Errorf("inventory:\n%s\nwant:\n%s\nskipped: %v", got, want, inv.Skipped)
	}
}
