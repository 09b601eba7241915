package config

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Guardrails are an environment's freeze windows and promotion gate, as .gito.yaml writes
// them (environments.E.freeze, timezone, promoteFrom, soak). internal/policy evaluates them.
type Guardrails struct {
	Freeze      []string `yaml:"freeze"`
	Timezone    string   `yaml:"timezone"` // IANA zone of dated freeze ranges; default UTC
	PromoteFrom []string `yaml:"promoteFrom"`
	Soak        string   `yaml:"soak"` // Go duration: 2h, 90m
}

// FreezeWindow is one parsed entry of environments.E.freeze: a weekly window in a time zone
// ("Fri 16:00 - Mon 08:00 Europe/Berlin") or a range of whole days in the env's time zone,
// both ends included ("2026-12-20 - 2027-01-04", or one day "2026-12-24").
type FreezeWindow struct {
	Text string
	Key  string // environments.prod.freeze[0]
	Line int
	Zone *time.Location

	Weekly bool
	// Weekly: minutes since Sunday 00:00 local time of the start and the end; the window
	// ends at the first end after its start, so it may wrap over the week's end.
	StartMinute, EndMinute int

	// Dated: the first and the last day, as dates (year, month, day) in Zone.
	FirstDay, LastDay time.Time
}

// Gate is environments.E.promoteFrom and soak: what must hold in the source envs before a
// version enters E.
type Gate struct {
	Env  string
	From []string
	Soak time.Duration
	Line int // of promoteFrom
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

var (
	weeklyWindow = regexp.MustCompile(`^([A-Za-z]{3})\s+(\d{1,2}):(\d{2})\s+-\s+([A-Za-z]{3})\s+(\d{1,2}):(\d{2})(?:\s+(\S+))?$`)
	datedWindow  = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})(?:\s+-\s+(\d{4}-\d{2}-\d{2}))?$`)
)

// EnvZone is the time zone of environments.E.timezone (UTC when unset).
func (r *Repo) EnvZone(env string) (*time.Location, error) {
	name := r.Env(env).Timezone
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, r.keyErrorf("environments."+env+".timezone", "%q is not an IANA time zone (like Europe/Berlin)", name)
	}
	return loc, nil
}

// FreezeWindows parses environments.E.freeze.
func (r *Repo) FreezeWindows(env string) ([]FreezeWindow, error) {
	zone, err := r.EnvZone(env)
	if err != nil {
		return nil, err
	}
	var out []FreezeWindow
	for i, text := range r.Env(env).Freeze {
		key := fmt.Sprintf("environments.%s.freeze[%d]", env, i)
		w, err := parseFreezeWindow(text, zone)
		if err != nil {
			return nil, r.keyErrorf(key, "%q: %v", text, err)
		}
		w.Key, w.Line = key, r.line(key)
		out = append(out, w)
	}
	return out, nil
}

func parseFreezeWindow(text string, zone *time.Location) (FreezeWindow, error) {
	s := strings.Join(strings.Fields(text), " ")
	w := FreezeWindow{Text: s, Zone: zone}
	if m := weeklyWindow.FindStringSubmatch(s); m != nil {
		start, err := weekMinute(m[1], m[2], m[3])
		if err != nil {
			return w, err
		}
		end, err := weekMinute(m[4], m[5], m[6])
		if err != nil {
			return w, err
		}
		if start == end {
			return w, fmt.Errorf("starts where it ends")
		}
		if m[7] != "" {
			loc, err := time.LoadLocation(m[7])
			if err != nil || m[7] == "Local" {
				return w, fmt.Errorf("%q is not an IANA time zone (like Europe/Berlin)", m[7])
			}
			w.Zone = loc
		}
		w.Weekly, w.StartMinute, w.EndMinute = true, start, end
		return w, nil
	}
	if m := datedWindow.FindStringSubmatch(s); m != nil {
		first, err := time.ParseInLocation(time.DateOnly, m[1], zone)
		if err != nil {
			return w, fmt.Errorf("%s is not a date (YYYY-MM-DD)", m[1])
		}
		last := first
		if m[2] != "" {
			if last, err = time.ParseInLocation(time.DateOnly, m[2], zone); err != nil {
				return w, fmt.Errorf("%s is not a date (YYYY-MM-DD)", m[2])
			}
		}
		if last.Before(first) {
			return w, fmt.Errorf("ends before it starts")
		}
		w.FirstDay, w.LastDay = first, last
		return w, nil
	}
	return w, fmt.Errorf(`is neither a weekly window ("Fri 16:00 - Mon 08:00 Europe/Berlin") nor dates ("2026-12-20 - 2027-01-04")`)
}

func weekMinute(day, hh, mm string) (int, error) {
	wd, ok := weekdays[strings.ToLower(day)]
	if !ok {
		return 0, fmt.Errorf("%q is not a weekday (Mon Tue Wed Thu Fri Sat Sun)", day)
	}
	h, _ := strconv.Atoi(hh)
	m, _ := strconv.Atoi(mm)
	if h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%s:%s is not a time of day", hh, mm)
	}
	return int(wd)*24*60 + h*60 + m, nil
}

// PromotionGate is environments.E.promoteFrom and soak, or nil when E has no gate.
func (r *Repo) PromotionGate(env string) *Gate {
	e := r.Env(env)
	if len(e.PromoteFrom) == 0 {
		return nil
	}
	soak, _ := time.ParseDuration(e.Soak) // validated at load
	return &Gate{Env: env, From: slices.Clone(e.PromoteFrom), Soak: soak, Line: r.line("environments." + env + ".promoteFrom")}
}

// CheckPromoteFrom refuses a promoteFrom env that is not an environment of the repo: envs is
// every environment the layout finds in the tree (and the groups .gito.yaml declares).
func (r *Repo) CheckPromoteFrom(env string, envs []string) error {
	for i, from := range r.Env(env).PromoteFrom {
		if !slices.Contains(envs, from) && !r.IsGroup(from) {
			return r.keyErrorf(fmt.Sprintf("environments.%s.promoteFrom[%d]", env, i), "%q is not an environment of this repo (environments: %s)", from, strings.Join(envs, ", "))
		}
	}
	return nil
}

// validateGuardrails checks what can be checked without the tree: time zones, windows,
// soak, promoteFrom names and cycles.
func (r *Repo) validateGuardrails() error {
	names := make([]string, 0, len(r.Environments))
	for name := range r.Environments {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, env := range names {
		e := r.Environments[env]
		if _, err := r.FreezeWindows(env); err != nil {
			return err
		}
		if e.Soak != "" {
			d, err := time.ParseDuration(e.Soak)
			if err != nil || d < 0 {
				return r.keyErrorf("environments."+env+".soak", "%q is not a duration (like 2h or 90m)", e.Soak)
			}
			if len(e.PromoteFrom) == 0 {
				return r.keyErrorf("environments."+env+".soak", "soak needs promoteFrom: the envs a version soaks in first")
			}
		}
		for i, from := range e.PromoteFrom {
			key := fmt.Sprintf("environments.%s.promoteFrom[%d]", env, i)
			if err := ValidateName("environment", from); err != nil {
				return r.keyErrorf(key, "%v", err)
			}
			if from == env {
				return r.keyErrorf(key, "%q cannot promote from itself", env)
			}
		}
		if cycle := r.promoteCycle(env); cycle != nil {
			return r.keyErrorf("environments."+env+".promoteFrom", "promotion cycle %s", strings.Join(cycle, " <- "))
		}
	}
	return nil
}

// promoteCycle returns a chain of promoteFrom edges from env back to env, or nil.
func (r *Repo) promoteCycle(env string) []string {
	var path []string
	seen := map[string]bool{}
	var visit func(e string) bool
	visit = func(e string) bool {
		path = append(path, e)
		if len(path) > 1 && e == env {
			return true
		}
		if seen[e] {
			path = path[:len(path)-1]
			return false
		}
		seen[e] = true
		for _, from := range r.Env(e).PromoteFrom {
			if visit(from) {
				return true
			}
		}
		path = path[:len(path)-1]
		return false
	}
	if visit(env) {
		return path
	}
	return nil
}
