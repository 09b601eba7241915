package kustedit

import (
	"regexp"
	"strings"
)

// imageMatcher reproduces kustomize's image matching (api/internal/image.IsImageMatched in
// kustomize/api v0.21.2): the name is used as an unescaped regular expression anchored at
// the start, followed by an optional tag and an optional digest of any OCI algorithm. There
// is no registry normalisation: "nginx" does not match "docker.io/library/nginx". A name
// that is not a valid expression matches nothing.
type imageMatcher struct {
	compiled map[string]*regexp.Regexp
}

func newImageMatcher() *imageMatcher {
	return &imageMatcher{compiled: map[string]*regexp.Regexp{}}
}

// matches reports whether the image reference ref matches name as kustomize would match an
// `images:` entry named name against a container image ref.
func (m *imageMatcher) matches(ref, name string) bool {
	if regexp.QuoteMeta(name) == name {
		// A name without metacharacters matches only itself: skip compiling.
		return strings.HasPrefix(ref, name) && tagAndDigest.MatchString(ref[len(name):])
	}
	re, ok := m.compiled[name]
	if !ok {
		re, _ = regexp.Compile("^" + name + tagAndDigestPattern)
		m.compiled[name] = re
	}
	return re != nil && re.MatchString(ref)
}

// tagAndDigestPattern is what kustomize allows after the name: a tag of
// [a-zA-Z0-9_.{}-] and a digest of any OCI algorithm, both optional.
const tagAndDigestPattern = `(:[a-zA-Z0-9_.{}-]*)?(@[a-zA-Z0-9]+([.+_-][a-zA-Z0-9]+)*:[a-zA-Z0-9_.{}-]*)?$`

var tagAndDigest = regexp.MustCompile("^" + tagAndDigestPattern)

// splitImage separates name, tag and digest the way kustomize does: a ':' or '@' before the
// first '/' belongs to a registry host, not to a tag.
func splitImage(ref string) (name, tag, digest string) {
	search := ref
	shift := 0
	if i := strings.Index(ref, "/"); i > 0 {
		search = ref[i:]
		shift = i
	}
	at := strings.Index(search, "@")
	colon := strings.Index(search, ":")
	switch {
	case at < 0 && colon < 0:
		return ref, "", ""
	case at >= 0 && (colon < 0 || at < colon):
		return ref[:at+shift], "", ref[at+shift+1:]
	case at >= 0:
		return ref[:colon+shift], ref[colon+shift+1 : at+shift], ref[at+shift+1:]
	}
	return ref[:colon+shift], ref[colon+shift+1:], ""
}

// joinImage builds name[:tag][@digest].
func joinImage(name, tag, digest string) string {
	if tag != "" {
		name += ":" + tag
	}
	if digest != "" {
		name += "@" + digest
	}
	return name
}
