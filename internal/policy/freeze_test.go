package policy

import (
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/config"
)

func windowsOf(t *testing.T, yaml, env string) []config.FreezeWindow {
	t.Helper()
	repo, err := config.ParseRepo([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	ws, err := repo.FreezeWindows(env)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestFrozen(t *testing.T) {
	t.Parallel()
	const weekend = "environments:\n  prod:\n    freeze: [\"Fri 16:00 - Mon 08:00 Europe/Berlin\"]\n"
	const night = "environments:\n  prod:\n    freeze: [\"Sat 22:00 - Sun 08:00 Europe/Berlin\"]\n"
	const dated = "environments:\n  prod:\n    timezone: America/New_York\n    freeze: [\"2026-12-20 - 2027-01-04\"]\n"
	const chained = "environments:\n  prod:\n    freeze: [\"Fri 16:00 - Mon 08:00 UTC\", \"2026-12-21\", \"Tue 00:00 - Tue 06:00 UTC\"]\n"
	const wrapWeek = "environments:\n  prod:\n    freeze: [\"Wed 12:00 - Wed 10:00 UTC\"]\n"
	tests := []struct {
		name, yaml, now string
		frozen          bool
		until           string
	}{
		{"before the weekend", weekend, "2026-12-04T14:59:00Z", false, ""}, // Fri 15:59 CET
		{"weekend starts", weekend, "2026-12-04T15:00:00Z", true, "2026-12-07T07:00:00Z"},
		{"sunday", weekend, "2026-12-06T12:00:00Z", true, "2026-12-07T07:00:00Z"},
		{"monday before 8", weekend, "2026-12-07T06:59:00Z", true, "2026-12-07T07:00:00Z"},
		{"monday 8 ends it", weekend, "2026-12-07T07:00:00Z", false, ""},
		{"wednesday", weekend, "2026-12-09T12:00:00Z", false, ""},
		{"summer time weekend", weekend, "2026-07-03T14:00:00Z", true, "2026-07-06T06:00:00Z"}, // Fri 16:00 CEST
		// Last Sunday of March 2026: 02:00 CET jumps to 03:00 CEST. The window ends at 08:00
		// CEST = 06:00 UTC, not 22:00 CET + 10h = 07:00 UTC.
		{"march change, still frozen", night, "2026-03-29T05:59:00Z", true, "2026-03-29T06:00:00Z"},
		{"march change, thawed at 08:00 CEST", night, "2026-03-29T06:30:00Z", false, ""},
		// Last Sunday of October 2026: 03:00 CEST falls back to 02:00 CET. 08:00 CET = 07:00 UTC.
		{"october change, frozen at 07:30 CET", night, "2026-10-25T06:30:00Z", true, "2026-10-25T07:00:00Z"},
		{"october change, thawed", night, "2026-10-25T07:00:00Z", false, ""},
		{"october change, started 22:00 CEST", night, "2026-10-24T20:00:00Z", true, "2026-10-25T07:00:00Z"},
		{"october change, before start", night, "2026-10-24T19:59:00Z", false, ""},
		{"dated, day before", dated, "2026-12-20T04:59:00Z", false, ""}, // 23:59 in New York
		{"dated, first day", dated, "2026-12-20T05:00:00Z", true, "2027-01-05T05:00:00Z"},
		{"dated, last day included", dated, "2027-01-05T04:59:00Z", true, "2027-01-05T05:00:00Z"},
		{"dated, after", dated, "2027-01-05T05:00:00Z", false, ""},
		// The weekend freeze runs into a dated Monday and a Tuesday window: the thaw is
		// Tuesday 06:00, not Monday 08:00.
		{"chained windows", chained, "2026-12-19T10:00:00Z", true, "2026-12-22T06:00:00Z"},
		{"window wrapping the week", wrapWeek, "2026-12-09T11:00:00Z", false, ""}, // Wed 11:00
		{"window wrapping the week, frozen", wrapWeek, "2026-12-10T11:00:00Z", true, "2026-12-16T10:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, ok := Frozen(windowsOf(t, tt.yaml, "prod"), utc(tt.now))
			if ok != tt.frozen {
				t.Fatalf("frozen = %v, want %v (%+v)", ok, tt.frozen, f)
			}
			if ok && !f.Until.Equal(utc(tt.until)) {
				t.Errorf("until = %s, want %s", f.Until.UTC().Format(time.RFC3339), tt.until)
			}
		})
	}
}

func TestFrozenNeverThaws(t *testing.T) {
	t.Parallel()
	ws := windowsOf(t, "environments:\n  prod:\n    freeze: [\"Mon 00:00 - Thu 00:00 UTC\", \"Thu 00:00 - Mon 00:00 UTC\"]\n", "prod")
	if _, ok := Frozen(ws, utc("2026-12-09T12:00:00Z")); !ok {
		t.Fatal("want frozen")
	}
}
