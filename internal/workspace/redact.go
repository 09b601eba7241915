package workspace

import "net/url"

// redact drops any user:password from a remote URL before it is printed.
func redact(remote string) string {
	u, err := url.Parse(remote)
	if err != nil || u.User == nil {
		return remote
	}
	u.User = nil
	return u.String()
}
