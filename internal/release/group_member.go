package release

import "github.com/gito-dev/gito/internal/config"

// GroupMemberError is the error MakeGroupPlan gives when a member of group fails: for
// callers that read the members before planning (a rollback reads each member's history),
// so a member without the service is named the same way.
func GroupMemberError(root string, repo *config.Repo, service, group, member string, err error) error {
	return memberError(Input{Root: root, Repo: repo, Service: service}, group, member, err)
}
