package cmdutil

import (
	"strings"
)

// ValidateBranch refuses branch names git would refuse or that could be read as options.
func ValidateBranch(flag, name string) error {
	bad := name == "" || strings.HasPrefix(name, "-") || strings.HasPrefix(name, "/") ||
		strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".lock") || strings.Contains(name, "..") ||
		strings.Contains(name, "@{") || strings.ContainsAny(name, " ~^:?*[\\\t\n\x7f")
	if bad {
		return FlagErrorf("%s %q is not a valid branch name", flag, name)
	}
	return nil
}
