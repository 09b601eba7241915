package app

import (
	"strings"

	"github.com/spf13/cobra"
)

var helpTopics = []struct{ name, short, long string }{
	{
		name:  "exit-codes",
		short: "Exit codes used by gito",
		long: `gito exits with one of these codes:

  0    OK, including "nothing to do" (action noop)
  1    An error: the message on stderr says what failed and what to do next
  2    Usage: a flag or argument is missing or malformed
  3    Verification failed: a kustomization signature is missing, tampered or not allowed
  4    Authentication: the forge, git remote, image registry or Argo CD refused the
       credentials, or none were found
  5    Waited (--wait) and it did not deploy: the pull request was closed unmerged, the
       Argo CD Application went Degraded, or --timeout passed
  130  Cancelled (Ctrl-C, Esc in the picker): nothing was written or pushed
`,
	},
	{
		name:  "environment",
		short: "Environment variables gito reads",
		long: `GITO_REPO                infra repo URL or path when --repo is not given
GITO_SIGNING_KEY         SSH private key that signs kustomization files and commits
GH_TOKEN, GITHUB_TOKEN   GitHub token for github.com (else the one the gh CLI stores)
GH_ENTERPRISE_TOKEN      GitHub Enterprise Server token (any other GitHub host)
GITLAB_TOKEN             GitLab token (else CI_JOB_TOKEN of the same instance, else glab's)
GITEA_TOKEN              Gitea or Forgejo access token (scopes write:repository, read:user)
GITO_GITHUB_APP_ID       act as this GitHub App (with GITO_GITHUB_APP_KEY) instead of a token
GITO_GITHUB_APP_KEY      the App's private key: a PEM file's path, or the PEM itself
GH_HOST                  a GitHub Enterprise Server host (takes GH_ENTERPRISE_TOKEN)
GITLAB_HOST              a self-managed GitLab host (takes GITLAB_TOKEN)
GITEA_HOST               a Gitea or Forgejo host (takes GITEA_TOKEN)
GITO_ALLOWED_SIGNERS     gito verify: trust this allowed-signers file, not the repo's
GITO_VERIFY_REQUIRED     gito verify: fail unsigned files (like --required)
GITO_ROOT                gito verify/sign: the repository root paths are relative to
ARGOCD_SERVER            Argo CD API server for --wait: host[:port] (https) or a URL
ARGOCD_AUTH_TOKEN        Argo CD token for --wait, sent only to ARGOCD_SERVER or the user config's argocd.server
ARGOCD_OPTS              --plaintext (http) and --insecure (skip TLS verification), as for the argocd CLI
GITO_WAIT_INTERVAL       --wait: first polling interval (default 2s; it backs off to 30s)
GITO_NO_PROMPT           never prompt or start the picker, even on a terminal
CI                       same as GITO_NO_PROMPT: no prompts, no picker
NO_COLOR                 no colour in any output
XDG_CONFIG_HOME          user config at $XDG_CONFIG_HOME/gito/config.yaml (repo, signingKey, hosts)
XDG_CACHE_HOME           cached infra repo clones at $XDG_CACHE_HOME/gito/repos
DOCKER_CONFIG            registry credentials in $DOCKER_CONFIG/config.json (else ~/.docker)
REGISTRY_AUTH_FILE       podman's registry auth.json, read when there is no docker config
DOCKER_AUTH_CONFIG       registry credentials as config.json text ({"auths": ...}); wins over the files
`,
	},
}

// addHelpTopics registers the topics, listed in `gito help` by name in the same column as the
// commands (cobra's default lists "gito environment", a column of its own).
func addHelpTopics(root *cobra.Command) {
	root.SetUsageTemplate(strings.NewReplacer(
		"Additional help topics:", `Additional help topics ("{{.CommandPath}} help <topic>"):`,
		"{{rpad .CommandPath .CommandPathPadding}} {{.Short}}", "{{rpad .Name .NamePadding}} {{.Short}}",
	).Replace(root.UsageTemplate()))
	for _, t := range helpTopics {
		// No Run: cobra lists a command without one under "Additional help topics", and
		// `gito help <topic>` prints its Long text.
		root.AddCommand(&cobra.Command{
			Use:   t.name,
			Short: t.short,
			Long:  t.long,
		})
	}
}
