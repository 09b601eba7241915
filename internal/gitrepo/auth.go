package gitrepo

import (
	"fmt"
	"strconv"
)

// Auth carries the credentials for an http(s) remote. They reach git only through the
// child's environment.
type Auth struct {
	Token string
	// Username defaults to "x-access-token" (GitHub); GitLab accepts "oauth2".
	Username string
}

const (
	tokenEnv    = "GITO_GIT_TOKEN"
	usernameEnv = "GITO_GIT_USERNAME"
	// credentialHelper answers git's "get" from the child's environment and ignores "store"
	// and "erase", so the token is never written anywhere.
	credentialHelper = `!f() { test "$1" = get || exit 0; printf 'username=%s\npassword=%s\n' "$` +
		usernameEnv + `" "$` + tokenEnv + `"; }; f`
)

// authEnv returns the variables that hand the token to git for r. Through
// GIT_CONFIG_COUNT/KEY/VALUE it first clears every credential helper (so none of the user's
// stores the token) and then adds one helper scoped to the remote's scheme, host and port,
// so another origin never gets the token. It also sets http.followRedirects=false: git's
// default, "initial", follows a redirect of the first request anywhere and then asks the
// helpers for the new origin's credentials; a child that carries gito's token follows none,
// and the remote's redirect is one clear error (see redirectLine). credential.useHttpPath
// stays as the user has it: the helper ignores the path and lives only as long as this child.
// base is the environment the child inherits; its own GIT_CONFIG_COUNT entries are kept.
func authEnv(a Auth, r remote, base []string) []string {
	if a.Token == "" || (r.scheme != "http" && r.scheme != "https") {
		return nil
	}
	user := a.Username
	if user == "" {
		user = "x-access-token"
	}
	n := 0
	if v, ok := envValue(base, "GIT_CONFIG_COUNT"); ok {
		n, _ = strconv.Atoi(v)
	}
	pairs := [][2]string{
		{"credential.helper", ""},
		{"credential." + r.scheme + "://" + r.host + ".helper", credentialHelper},
		{"http.followRedirects", "false"},
	}
	env := []string{tokenEnv + "=" + a.Token, usernameEnv + "=" + user}
	for i, p := range pairs {
		env = append(env,
			fmt.Sprintf("GIT_CONFIG_KEY_%d=%s", n+i, p[0]),
			fmt.Sprintf("GIT_CONFIG_VALUE_%d=%s", n+i, p[1]))
	}
	return append(env, fmt.Sprintf("GIT_CONFIG_COUNT=%d", n+len(pairs)))
}
