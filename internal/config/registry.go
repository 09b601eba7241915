package config

import (
	"fmt"
	"slices"
)

// Registry is .gito.yaml's registry key.
type Registry struct {
	// Check makes every release look the tag up in the registry before anything is written.
	// Off by default, so offline use keeps working.
	Check bool `yaml:"check"`
}

// Policy is .gito.yaml's policy key.
type Policy struct {
	// ForbidTags are tags a release refuses (mutable tags). nil means DefaultForbidTags; an
	// explicit empty list allows every tag.
	ForbidTags []string `yaml:"forbidTags"`
	// AllowOverride lets --override REASON pass a lock or a freeze window, in a signed commit.
	AllowOverride bool `yaml:"allowOverride"`
}

// DefaultForbidTags is policy.forbidTags when .gito.yaml does not set it.
var DefaultForbidTags = []string{"latest"}

// ForbiddenTags returns policy.forbidTags with its default.
func (r *Repo) ForbiddenTags() []string {
	if r.Policy.ForbidTags == nil {
		return DefaultForbidTags
	}
	return r.Policy.ForbidTags
}

// CheckTag refuses a tag that policy.forbidTags lists, naming the key.
func (r *Repo) CheckTag(tag string) error {
	if slices.Contains(r.ForbiddenTags(), tag) {
		return fmt.Errorf("tag %q is refused by policy.forbidTags in %s (%v): release an immutable tag or a digest", tag, FileName, r.ForbiddenTags())
	}
	return nil
}

// PinDigest says whether releases to env resolve and write the tag's digest.
func (r *Repo) PinDigest(env string) bool { return r.Env(env).PinDigest }

func (p Policy) validate() error {
	for i, t := range p.ForbidTags {
		if v, err := ParseVersion("tag", t); err != nil || v.Digest != "" {
			return fmt.Errorf("key policy.forbidTags[%d]: %q is not an image tag", i, t)
		}
	}
	return nil
}
