package history

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/iostreams"
)

var sample = []history.Release{
	{Version: "v2.4.1", Commit: "3333333333333333333333333333333333333333", Date: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), Author: "Alice", PR: 13, Signed: true, Current: true},
	{Version: "v2.3.1", Digest: "sha256:" + strings.Repeat("1", 64), Commit: "1111111111111111111111111111111111111111", Date: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), Author: "renovate[bot]"},
}

func TestNewCmdHistory(t *testing.T) {
	t.Parallel()
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Getenv: func(k string) string { return map[string]string{"GITO_REPO": "/srv/infra"}[k] }}
	var got *HistoryOptions
	cmd := NewCmdHistory(f, func(o *HistoryOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-s", "api", "-e", "prod", "--limit", "5", "--json"})
	cmd.SetErr(&bytes.Buffer{})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Service != "api" || got.Env != "prod" || got.Limit != 5 || !got.JSON || got.Repo != "/srv/infra" {
		t.Errorf("options = %+v", got)
	}
	for _, args := range [][]string{{"-s", "api"}, {"-s", "api", "-e", "prod", "--limit", "-1"}, {"-s", "a/b", "-e", "prod"}} {
		cmd := NewCmdHistory(f, func(*HistoryOptions) error { return nil })
		cmd.SetArgs(args)
		cmd.SetErr(&bytes.Buffer{})
		if err := cmd.Execute(); err == nil {
			t.Errorf("history %q: want a usage error", args)
		}
	}
}

// The JSON field names are a contract (design.md): pin them.
func TestPrintJSON(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := printJSON(&buf, sample); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range rows[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if want := []string{"author", "commit", "current", "date", "digest", "pr", "signed", "version"}; !slices.Equal(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
	if rows[0]["pr"] != float64(13) || rows[1]["pr"] != nil || rows[0]["date"] != "2026-11-20T10:00:00Z" || rows[0]["current"] != true {
		t.Errorf("rows = %v", rows)
	}
	buf.Reset()
	if err := printJSON(&buf, nil); err != nil || strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("empty history = %q, want []", buf.String())
	}
}

func TestPrintTSVAndTable(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := printTSV(&buf, sample); err != nil {
		t.Fatal(err)
	}
	want := "v2.4.1\t\t3333333333333333333333333333333333333333\t2026-11-20T10:00:00Z\tAlice\t#13\tsigned\tcurrent\n" +
		"v2.3.1\tsha256:" + strings.Repeat("1", 64) + "\t1111111111111111111111111111111111111111\t2026-11-01T09:00:00Z\trenovate[bot]\t\tunsigned\t\n"
	if buf.String() != want {
		t.Errorf("TSV =\n%q\nwant\n%q", buf.String(), want)
	}
	buf.Reset()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	if err := printTable(&buf, sample, now); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "VERSION") || !strings.HasPrefix(lines[1], "*") ||
		!strings.Contains(lines[1], "3 days ago") || !strings.Contains(lines[2], "22 days ago") || !strings.Contains(lines[2], "sha256:111111111111…") {
		t.Errorf("table =\n%s", buf.String())
	}
}
