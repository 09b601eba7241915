package policy

import (
	"time"

	"github.com/gito-dev/gito/internal/config"
)

// Freeze is a freeze window that holds at some instant, and when the freeze ends.
type Freeze struct {
	Window config.FreezeWindow
	// Until is when the env thaws: the end of this window, or later when other windows of
	// the env follow on without a gap.
	Until time.Time
}

// maxChain bounds how many adjoining windows Frozen follows to find the thaw; a list of
// windows that covers every instant (a week of windows end to end) never thaws.
const maxChain = 64

// Frozen reports the window that holds at now, if any. Weekly windows are laid out in their
// zone's wall clock, so a daylight-saving change inside a window moves its end in UTC.
func Frozen(windows []config.FreezeWindow, now time.Time) (Freeze, bool) {
	w, end, ok := activeWindow(windows, now)
	if !ok {
		return Freeze{}, false
	}
	until := end
	for range maxChain {
		_, next, ok := activeWindow(windows, until)
		if !ok || !next.After(until) {
			break
		}
		until = next
	}
	return Freeze{Window: w, Until: until}, true
}

// activeWindow returns the window holding at t that ends last, and that end.
func activeWindow(windows []config.FreezeWindow, t time.Time) (config.FreezeWindow, time.Time, bool) {
	var (
		best    config.FreezeWindow
		bestEnd time.Time
		found   bool
	)
	for _, w := range windows {
		end, ok := windowEnd(w, t)
		if ok && (!found || end.After(bestEnd)) {
			best, bestEnd, found = w, end, true
		}
	}
	return best, bestEnd, found
}

// windowEnd reports whether w holds at t ([start, end)) and when it ends.
func windowEnd(w config.FreezeWindow, t time.Time) (time.Time, bool) {
	if !w.Weekly {
		start := midnight(w.FirstDay, w.Zone, 0)
		end := midnight(w.LastDay, w.Zone, 1) // the last day is included whole
		return end, !t.Before(start) && t.Before(end)
	}
	local := t.In(w.Zone)
	day := midnight(local, w.Zone, 0)
	// The latest start at or before t lies within the last 7 days (8 calendar dates to cover
	// a start later in the day than t on t's weekday).
	for back := 0; back <= 7; back++ {
		d := day.AddDate(0, 0, -back)
		if int(d.Weekday()) != w.StartMinute/(24*60) {
			continue
		}
		start := atMinute(d, w.StartMinute%(24*60), w.Zone)
		if start.After(t) {
			continue
		}
		span := (w.EndMinute - w.StartMinute + 7*24*60) % (7 * 24 * 60)
		endDay := d.AddDate(0, 0, (w.StartMinute%(24*60)+span)/(24*60))
		end := atMinute(endDay, (w.StartMinute%(24*60)+span)%(24*60), w.Zone)
		return end, t.Before(end)
	}
	return time.Time{}, false
}

// midnight is the start of t's date in loc, plus days.
func midnight(t time.Time, loc *time.Location, days int) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d+days, 0, 0, 0, 0, loc)
}

// atMinute is the wall-clock time minute (since midnight) on day's date in loc. time.Date
// settles a wall time that a daylight-saving change skips or repeats.
func atMinute(day time.Time, minute int, loc *time.Location) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, minute/60, minute%60, 0, 0, loc)
}
