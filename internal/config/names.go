package config

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	nameRe   = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$`)
	tagRe    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	digestRe = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
)

// ValidateName checks a service or environment name; what names it in errors ("--service").
func ValidateName(what, name string) error {
	if name == "" {
		return fmt.Errorf("%s is empty", what)
	}
	if !nameRe.MatchString(name) || strings.Contains(name, "..") {
		return fmt.Errorf("%s %q is not a valid name: use lower-case letters, digits, '.', '_' and '-' (at most 63, starting and ending with a letter or digit)", what, name)
	}
	return nil
}

// Version is an OCI tag, optionally pinned to a digest.
type Version struct {
	Tag    string // "v2.3.1"
	Digest string // "sha256:…" or ""
}

// String renders the version as the user writes it: tag[@digest].
func (v Version) String() string {
	if v.Digest == "" {
		return v.Tag
	}
	return v.Tag + "@" + v.Digest
}

// ParseVersion validates "TAG" or "TAG@sha256:HEX"; what names the flag in errors.
func ParseVersion(what, s string) (Version, error) {
	tag, digest, hasDigest := strings.Cut(s, "@")
	if !tagRe.MatchString(tag) {
		return Version{}, fmt.Errorf("%s %q is not a valid image tag: up to 128 of A-Z a-z 0-9 _ . - not starting with . or -", what, s)
	}
	if hasDigest && !digestRe.MatchString(digest) {
		return Version{}, fmt.Errorf("%s %q has an invalid digest: want @sha256: and 64 lower-case hex digits", what, s)
	}
	return Version{Tag: tag, Digest: digest}, nil
}

// ValidateBranch refuses branch names git would refuse or that could be read as options or
// refspecs ("main:refs/heads/evil"); what names the flag or key in errors.
func ValidateBranch(what, name string) error {
	bad := name == "" || strings.HasPrefix(name, "-") || strings.HasPrefix(name, "/") ||
		strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".lock") || strings.Contains(name, "..") ||
		strings.Contains(name, "@{") || strings.ContainsAny(name, " ~^:?*[\\\t\n\r\x7f")
	if bad {
		return fmt.Errorf("%s %q is not a valid branch name", what, name)
	}
	return nil
}

var (
	// A user (GitHub, GitLab, Gitea) or, on GitHub, an org/team slug.
	reviewerRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,254}(/[A-Za-z0-9][A-Za-z0-9._-]{0,254})?$`)
)

// maxLabelLen is GitLab's limit; GitHub's own (50) is reported by GitHub.
const maxLabelLen = 255

// ValidateReviewer checks a reviewer: a user name or org/team, nothing a URL path could
// misread ("a/b/c", "../../admin"); what names the flag or key.
func ValidateReviewer(what, r string) error {
	if !reviewerRe.MatchString(r) || strings.Contains(r, "..") {
		return fmt.Errorf("%s %q is not a user name or org/team", what, r)
	}
	return nil
}

// ValidateLabel checks a pull request label: printable, no comma (GitLab separates labels with
// commas), at most 255 characters.
func ValidateLabel(what, l string) error {
	switch {
	case strings.TrimSpace(l) == "":
		return fmt.Errorf("%s is empty", what)
	case len(l) > maxLabelLen:
		return fmt.Errorf("%s is %d characters long, more than %d", what, len(l), maxLabelLen)
	case strings.ContainsAny(l, ","):
		return fmt.Errorf("%s %q holds a comma", what, l)
	}
	for _, r := range l {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%s %q holds a control character", what, l)
		}
	}
	return nil
}
