// Package kustedit rewrites image references inside kustomization and patch files while
// keeping every other byte: it locates nodes with a YAML parser and splices the original
// bytes at their positions, because re-serialising drops blank lines and re-indents.
//
// Every edit is checked before it is returned: the output is parsed again and must equal
// the input tree with exactly the planned changes, otherwise the edit is refused.
package kustedit

import "errors"

// Target is the image reference a release wants.
type Target struct {
	// Names are the configured image names; an entry or container matches by kustomize's
	// rules against its name (or newName).
	Names  []string
	Tag    string
	Digest string // "sha256:<hex>", or "" to release a plain tag (a stale digest is removed)
}

// Change records one image whose reference was (or would be) rewritten.
type Change struct {
	Image         string // the matched entry's name, or the container image name
	OldTag        string
	OldDigest     string
	NewTag        string
	NewDigest     string
	DigestRemoved bool // a stale digest was dropped because the release names a plain tag
	Appended      bool // the entry did not exist and was added
	Line          int  // 1-based line of the edited node in the output
}

// Entry is one `images:` entry as written in a kustomization.
type Entry struct {
	Name    string
	NewName string
	NewTag  string
	Digest  string
}

// ErrNoMatch is wrapped when no entry or container matches Target.Names.
var ErrNoMatch = errors.New("no matching image")
