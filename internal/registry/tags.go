package registry

import (
	"slices"
	"strings"

	"github.com/blang/semver/v4"
)

// Newest orders tags newest first without fetching anything more: registries list tags in
// lexical order and carry no dates, so semantic versions (with or without a leading v) come
// first, highest first, then every other tag in reverse lexical order (dates and build
// numbers sort that way). Mutable names like latest go last.
func Newest(tags []string) []string {
	type tag struct {
		name    string
		version semver.Version
		semver  bool
	}
	parsed := make([]tag, 0, len(tags))
	for _, t := range tags {
		v, err := semver.ParseTolerant(t)
		parsed = append(parsed, tag{name: t, version: v, semver: err == nil && strings.ContainsAny(t, ".")})
	}
	slices.SortStableFunc(parsed, func(a, b tag) int {
		switch {
		case a.semver && b.semver:
			if c := b.version.Compare(a.version); c != 0 {
				return c
			}
			return strings.Compare(b.name, a.name)
		case a.semver != b.semver:
			if a.semver {
				return -1
			}
			return 1
		case mutable(a.name) != mutable(b.name):
			if mutable(b.name) {
				return -1
			}
			return 1
		}
		return strings.Compare(b.name, a.name)
	})
	out := make([]string, len(parsed))
	for i, t := range parsed {
		out[i] = t.name
	}
	return out
}

func mutable(tag string) bool {
	switch tag {
	case "latest", "main", "master", "edge", "nightly", "dev", "stable":
		return true
	}
	return false
}

// ShortDigest is a digest as docker prints it in tables: "sha256:" and 12 hex digits.
func ShortDigest(d string) string {
	algo, hex, ok := strings.Cut(d, ":")
	if !ok || len(hex) <= 12 {
		return d
	}
	return algo + ":" + hex[:12]
}
