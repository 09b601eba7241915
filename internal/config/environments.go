package config

import (
	"fmt"
	"slices"
	"sort"
)

// IsGroup reports whether env is an environment group (environments.E.group).
func (r *Repo) IsGroup(env string) bool { return len(r.Environments[env].Group) > 0 }

// Members returns the environments a release to env edits: the group's members in the
// order .gito.yaml lists them, or env itself.
func (r *Repo) Members(env string) []string {
	if g := r.Environments[env].Group; len(g) > 0 {
		return slices.Clone(g)
	}
	return []string{env}
}

// Groups lists the names of the environment groups, sorted.
func (r *Repo) Groups() []string {
	var out []string
	for name, e := range r.Environments {
		if len(e.Group) > 0 {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// validateGroups: members are valid, distinct names that are not groups themselves (a group
// of groups would hide which overlays one PR edits). Whether a member has an overlay is only
// known once the tree is read; CheckGroupMembers does that.
func (r *Repo) validateGroups() error {
	for _, name := range r.Groups() {
		seen := map[string]bool{}
		for i, m := range r.Environments[name].Group {
			key := fmt.Sprintf("key environments.%s.group[%d]", name, i)
			if err := ValidateName("environment", m); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			switch {
			case m == name:
				return fmt.Errorf("%s: a group cannot contain itself", key)
			case r.IsGroup(m):
				return fmt.Errorf("%s: %q is a group; list its members instead", key, m)
			case seen[m]:
				return fmt.Errorf("%s: %q is listed twice", key, m)
			}
			seen[m] = true
		}
	}
	return nil
}

// CheckGroupMembers refuses a group member that is not an environment of the repo: envs is
// every environment the layout finds in the tree.
func (r *Repo) CheckGroupMembers(group string, envs []string) error {
	for i, m := range r.Environments[group].Group {
		if !slices.Contains(envs, m) {
			return fmt.Errorf("%s key environments.%s.group[%d]: %q is not an environment of this repo (environments: %v)", FileName, group, i, m, envs)
		}
	}
	return nil
}
