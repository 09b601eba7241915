package release

import (
	"fmt"
	"strings"
)

// TrailerOverride records `--override REASON` on the commit: the reason a lock or a freeze
// window was passed. `gito verify --policy` accepts it only in a commit signed by an allowed
// signer where .gito.yaml sets policy.allowOverride.
const TrailerOverride = "Gito-Override"

// AddOverride records an override in the commit trailers and the PR body: the reason, and
// each guardrail it passes. The plan's texts must already be rendered.
func (p *Plan) AddOverride(reason string, passes []string) {
	if p.Noop || p.Commit == "" {
		return
	}
	p.Commit = strings.TrimRight(p.Commit, "\n") + fmt.Sprintf("\n%s: %s\n", TrailerOverride, reason)
	var b strings.Builder
	fmt.Fprintf(&b, "\n### Override\n\n%s\n\nThis change passes, with a signed commit:\n\n", reason)
	for _, line := range passes {
		fmt.Fprintf(&b, "- %s\n", line)
	}
	p.Body = strings.TrimRight(p.Body, "\n") + "\n" + b.String()
}
