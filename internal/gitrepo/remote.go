package gitrepo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
)

// remote is a parsed --repo value.
type remote struct {
	url    string // what git gets as origin
	scheme string // http, https, ssh, git, file
	host   string // host[:port] for network remotes
	name   string // the cache directory name
}

var scpLike = regexp.MustCompile(`^(?:[^@/]+@)?([^:/]+):(.*)$`)

// parseRemote accepts https/http/ssh/git URLs, scp-like ssh (git@host:path), file:// URLs and
// local paths (relative ones are made absolute).
func parseRemote(s string) (remote, error) {
	if strings.TrimSpace(s) == "" {
		return remote{}, fmt.Errorf("empty repository URL")
	}
	if strings.HasPrefix(s, "-") {
		return remote{}, fmt.Errorf("invalid repository URL %q", s)
	}
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return remote{}, fmt.Errorf("invalid repository URL: %w", err)
		}
		if _, hasPassword := u.User.Password(); hasPassword {
			return remote{}, fmt.Errorf("repository URL must not hold a password: pass a token through the environment")
		}
		if u.User != nil && (u.Scheme == "http" || u.Scheme == "https") {
			// Over http a lone user name is often a token (https://TOKEN@host/...), and git
			// would keep it in the cache's config: gito hands git tokens only through its
			// credential helper.
			return remote{}, fmt.Errorf("repository URL must not hold a user name over %s (it would be stored in the cache): drop %q and pass a token through the environment", u.Scheme, "USER@")
		}
		switch u.Scheme {
		case "http", "https", "ssh", "git", "git+ssh", "ssh+git":
			r := remote{url: s, scheme: u.Scheme, host: u.Host}
			r.name = cacheName(u.Host+u.Path, s)
			return r, nil
		case "file":
			p := filepath.Clean(u.Path)
			return remote{url: "file://" + p, scheme: "file", name: cacheName("local"+p, "file://"+p)}, nil
		default:
			return remote{}, fmt.Errorf("unsupported repository URL scheme %q", u.Scheme)
		}
	}
	if m := scpLike.FindStringSubmatch(s); m != nil {
		return remote{url: s, scheme: "ssh", host: m[1], name: cacheName(m[1]+"/"+m[2], s)}, nil
	}
	abs, err := filepath.Abs(s)
	if err != nil {
		return remote{}, fmt.Errorf("resolve repository path %s: %w", s, err)
	}
	return remote{url: abs, scheme: "file", name: cacheName("local"+abs, abs)}, nil
}

var unsafeNameChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// cacheName is a readable, filesystem-safe name plus a hash of the exact URL, so two URLs
// that sanitise alike never share a cache.
func cacheName(readable, exact string) string {
	n := strings.Trim(unsafeNameChars.ReplaceAllString(readable, "_"), "._-")
	if len(n) > 64 {
		// Keep the end (the repository's own name), starting at a word boundary.
		n = n[len(n)-64:]
		if i := strings.IndexAny(n, "_."); i >= 0 && i < len(n)-1 {
			n = n[i+1:]
		}
	}
	sum := sha256.Sum256([]byte(exact))
	return n + "-" + hex.EncodeToString(sum[:6])
}

// IsLocalPath reports whether a --repo value is a path on disk (not a URL, not scp-like ssh).
func IsLocalPath(s string) bool {
	r, err := parseRemote(s)
	return err == nil && r.scheme == "file" && !strings.HasPrefix(s, "file://")
}
