package history

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Group is the history of an environment group (environments.E.group): one history per
// member, in the group's order. A rollback of the group writes one version into every
// member, so it chooses among the versions all of them have run.
type Group struct {
	Name     string
	Members  []string
	Releases [][]Release // Releases[i] is Members[i]'s history, newest first
}

// Common lists the releases (by tag and digest) that every member's history holds, newest
// first in the first member's order, each with the first member's commit, date and PR. A
// release is Current only when every member runs it now. A member's own hotfix, which the
// others never ran, is not a version the whole group can go back to, so it is left out.
func (g Group) Common() []Release {
	if len(g.Releases) == 0 {
		return nil
	}
	current := g.current()
	var out []Release
	for _, r := range g.Releases[0] {
		if !g.allHave(r.Ref()) {
			continue
		}
		r.Current = current != "" && r.Ref() == current
		out = append(out, r)
	}
	return out
}

// Find is history.Find over the common releases. A version some member never ran is an
// error naming that member.
func (g Group) Find(version string) (Release, error) {
	r, err := Find(g.Common(), version)
	if !errors.Is(err, ErrNotFound) {
		return r, err
	}
	var refs []string
	for i, m := range g.Members {
		found, err := Find(g.Releases[i], version)
		if err != nil {
			return Release{}, fmt.Errorf("member %s: %w", m, err)
		}
		refs = append(refs, m+" "+found.Ref())
	}
	// Every member ran a release of that tag, but not the same image reference.
	return Release{}, fmt.Errorf("%w: the members of %s ran different images as %s (%s); roll them back one at a time",
		ErrNotFound, g.Name, version, strings.Join(refs, ", "))
}

// Previous is history.Previous over the common releases: steps back from the version every
// member runs now. Members that run different versions have no common "current" to count
// from, so --steps is refused with what each runs.
func (g Group) Previous(steps int) (Release, error) {
	if g.current() == "" {
		var runs []string
		for i, m := range g.Members {
			v := "no release"
			if len(g.Releases[i]) > 0 && g.Releases[i][0].Current {
				v = g.Releases[i][0].Ref()
			}
			runs = append(runs, m+" "+v)
		}
		return Release{}, fmt.Errorf("%w: the members of %s do not run one version (%s), so there is no current release to count steps from; give --to",
			ErrNotFound, g.Name, strings.Join(runs, ", "))
	}
	return Previous(g.Common(), steps)
}

// Running is what the members run now, as a release to the group titles its "from": the one
// version, or each distinct one in member order joined by ", "; "" when none runs a release.
func (g Group) Running() string {
	var refs []string
	for _, rs := range g.Releases {
		if len(rs) > 0 && rs[0].Current && !slices.Contains(refs, rs[0].Ref()) {
			refs = append(refs, rs[0].Ref())
		}
	}
	return strings.Join(refs, ", ")
}

// current is the version every member runs now, or "" when they differ (or one has none).
func (g Group) current() string {
	cur := ""
	for i, rs := range g.Releases {
		if len(rs) == 0 || !rs[0].Current || (i > 0 && rs[0].Ref() != cur) {
			return ""
		}
		cur = rs[0].Ref()
	}
	return cur
}

func (g Group) allHave(ref string) bool {
	for _, rs := range g.Releases {
		if !slices.ContainsFunc(rs, func(r Release) bool { return r.Ref() == ref }) {
			return false
		}
	}
	return true
}
