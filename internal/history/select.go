package history

import (
	"fmt"
	"slices"
	"strings"
)

// Previous returns the release steps releases before the newest one (releases[0], the
// current one), for `rollback --steps N`.
func Previous(releases []Release, steps int) (Release, error) {
	if steps < 1 {
		return Release{}, fmt.Errorf("steps must be at least 1, got %d", steps)
	}
	if steps >= len(releases) {
		earlier := max(len(releases)-1, 0)
		return Release{}, fmt.Errorf("%w: %s back, but only %s in the history", ErrNotFound,
			plural(steps, "step", "steps"), plural(earlier, "earlier release", "earlier releases"))
	}
	return releases[steps], nil
}

// Find returns the newest release of version, for `rollback --to V`. version is a tag, a
// tag@sha256:… or @sha256:…; a bare tag that names releases with different digests or image
// sets is ambiguous and the error lists them.
func Find(releases []Release, version string) (Release, error) {
	tag, digest, pinned := strings.Cut(version, "@")
	var matches []Release
	for _, r := range releases {
		if r.Version == tag && (!pinned || r.Digest == digest) {
			matches = append(matches, r)
		}
	}
	if len(matches) == 0 {
		return Release{}, fmt.Errorf("%w: %s is not among the %d releases in the history", ErrNotFound, version, len(releases))
	}
	var distinct []Release
	for _, m := range matches {
		if !slices.ContainsFunc(distinct, func(d Release) bool { return slices.Equal(d.Images, m.Images) }) {
			distinct = append(distinct, m)
		}
	}
	if len(distinct) > 1 {
		var cands []string
		for _, d := range distinct {
			cands = append(cands, fmt.Sprintf("%s (commit %.7s)", d.Ref(), d.Commit))
		}
		return Release{}, fmt.Errorf("%w: %s matches %s; give the digest as TAG@sha256:…", ErrAmbiguous, version, strings.Join(cands, ", "))
	}
	return matches[0], nil
}

// plural writes a count with its noun: "1 step", "2 steps".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
