// Package shared holds what the release-family commands (release, rollback) share: their
// flags, the pipeline request built from them, the confirmation prompt, the output and the
// dynamic completions.
package shared

import (
	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/policy"
)

// ReleaseFlags are the flags release and rollback share (design.md "Shared flags").
type ReleaseFlags struct {
	Service    string
	Env        string
	Repo       string
	Base       string
	DryRun     bool
	JSON       bool
	Yes        bool
	Draft      bool
	AutoMerge  bool
	Labels     []string
	Reviewers  []string
	SigningKey string
	PinDigest  bool
	DiffOut    string
	Override   string // --override, on release and promote only (AddOverrideFlag)
}

// AddReleaseFlags registers the shared flags on cmd.
func AddReleaseFlags(cmd *cobra.Command, fl *ReleaseFlags) {
	f := cmd.Flags()
	f.StringVarP(&fl.Service, "service", "s", "", "Service whose overlay changes (a directory of the overlay layout)")
	f.StringVarP(&fl.Env, "env", "e", "", "Environment whose overlay changes")
	f.StringVar(&fl.Repo, "repo", "", "Infra repo URL or path (default: $GITO_REPO, then the user config)")
	f.StringVar(&fl.Base, "base", "", "Base branch of the pull request (default: .gito.yaml baseBranch, then the remote's HEAD)")
	f.BoolVar(&fl.DryRun, "dry-run", false, "Show the diff and the planned branch and PR; write and push nothing")
	f.BoolVar(&fl.JSON, "json", false, "Print the result as one JSON object on stdout")
	f.BoolVarP(&fl.Yes, "yes", "y", false, "Do not ask for confirmation")
	f.BoolVar(&fl.Draft, "draft", false, "Open the pull request as a draft")
	f.BoolVar(&fl.AutoMerge, "auto-merge", false, "Merge the pull request automatically once checks pass")
	f.StringArrayVar(&fl.Labels, "label", nil, "Add a label to the pull request (repeatable)")
	f.StringArrayVar(&fl.Reviewers, "reviewer", nil, "Request a review from a user or org/team (repeatable)")
	f.BoolVar(&fl.PinDigest, "pin-digest", false, "Resolve the tag's digest in the registry and write it too (default: .gito.yaml environments.E.pinDigest)")
	f.StringVar(&fl.DiffOut, "diff-out", "", "Write the whole diff of the rendered manifests to `FILE` (the pull request carries it cut to the forge's size limit)")
	f.StringVar(&fl.SigningKey, "signing-key", "", "SSH private key that signs files and the commit (default: $GITO_SIGNING_KEY, git's user.signingkey, the ssh-agent)")
}

// AddOverrideFlag registers --override: release and promote pass a lock or a freeze window
// with it; a rollback needs none.
func AddOverrideFlag(cmd *cobra.Command, fl *ReleaseFlags) {
	cmd.Flags().StringVar(&fl.Override, "override", "", "Pass a lock or freeze window, giving the `reason` (needs policy.allowOverride and a commit signed by an allowed signer)")
}

// Validate checks the service and env names and fills defaults from the environment.
// Missing values are usage errors that name the flag.
func (fl *ReleaseFlags) Validate(getenv func(string) string) error {
	// An empty --service is settled once the repo is open: a repo of one service needs none.
	if fl.Env == "" {
		return exitcode.FlagErrorf("--env is required")
	}
	if fl.Service != "" {
		if err := config.ValidateName("--service", fl.Service); err != nil {
			return &exitcode.FlagError{Err: err}
		}
	}
	if err := config.ValidateName("--env", fl.Env); err != nil {
		return &exitcode.FlagError{Err: err}
	}
	if fl.Draft && fl.AutoMerge {
		return exitcode.FlagErrorf("--draft and --auto-merge cannot be combined: a draft pull request never merges")
	}
	for _, l := range fl.Labels {
		if err := config.ValidateLabel("--label", l); err != nil {
			return &exitcode.FlagError{Err: err}
		}
	}
	for _, r := range fl.Reviewers {
		if err := config.ValidateReviewer("--reviewer", r); err != nil {
			return &exitcode.FlagError{Err: err}
		}
	}
	if fl.Override != "" {
		if err := policy.ValidateReason("--override", fl.Override); err != nil {
			return &exitcode.FlagError{Err: err}
		}
	}
	if fl.Repo == "" {
		fl.Repo = getenv("GITO_REPO")
	}
	if fl.SigningKey == "" {
		fl.SigningKey = getenv("GITO_SIGNING_KEY")
	}
	if fl.Base != "" {
		if err := config.ValidateBranch("--base", fl.Base); err != nil {
			return &exitcode.FlagError{Err: err}
		}
	}
	return validateDiffOut(fl.DiffOut)
}
