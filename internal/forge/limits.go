package forge

// Body limits of a pull request description, in characters.
const (
	// GitHubBodyLimit: GitHub refuses a longer body (422 "body is too long (maximum is 65536
	// characters)").
	GitHubBodyLimit = 65536
	// GitLabBodyLimit: GitLab validates a merge request description against
	// Issuable::DESCRIPTION_LENGTH_MAX, 1.megabyte = 1,048,576 characters.
	GitLabBodyLimit = 1 << 20
	// GiteaBodyLimit: Gitea (1.26) validates no maximum on the API's body and stores it as
	// LONGTEXT; gito caps it at GitLab's size so that a page stays readable.
	GiteaBodyLimit = 1 << 20
)

// BodyLimit is the longest pull request body a forge of kind takes; 0 for no forge.
func BodyLimit(kind string) int {
	switch kind {
	case KindGitHub:
		return GitHubBodyLimit
	case KindGitLab:
		return GitLabBodyLimit
	case KindGitea:
		return GiteaBodyLimit
	}
	return 0
}
