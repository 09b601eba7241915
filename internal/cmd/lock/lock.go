// Package lock implements `gito lock` and `gito unlock`.
package lock

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmd/shared"
	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/pipeline"
	"github.com/gito-dev/gito/internal/policy"
	"github.com/gito-dev/gito/internal/release"
)

// LockOptions is what `gito lock` and `gito unlock` need; tests capture it through runF.
type LockOptions struct {
	IO         *iostreams.IOStreams
	Getenv     func(string) string
	HTTPClient func() (*http.Client, error)
	Now        func() time.Time

	shared.ReleaseFlags
	Reason string
	Unlock bool
}

// NewCmdLock builds `gito lock`.
func NewCmdLock(f *cmdutil.Factory, runF func(*LockOptions) error) *cobra.Command {
	return newCmd(f, runF, false)
}

// NewCmdUnlock builds `gito unlock`.
func NewCmdUnlock(f *cmdutil.Factory, runF func(*LockOptions) error) *cobra.Command {
	return newCmd(f, runF, true)
}

func newCmd(f *cmdutil.Factory, runF func(*LockOptions) error, unlock bool) *cobra.Command {
	opts := &LockOptions{IO: f.IOStreams, Getenv: f.Getenv, HTTPClient: f.HTTPClient, Now: f.Now, Unlock: unlock}
	cmd := &cobra.Command{
		Use:   "lock --env E [--service S] --reason R",
		Short: "Hold an environment (or one service in it) against release and promote",
		Long: `Add a lock to .gito/locks.yaml on the base branch, signed like every file gito writes, in a
pull request on gito/locks/<env>. Once it is merged, gito release and gito promote into the
env (or of that service in it) are refused, naming the lock, its reason and author; gito
rollback is still allowed. A lock on an environment group holds every member. gito verify
--policy enforces the same on every pull request.

In an incident, --yes --auto-merge lets the lock take effect as soon as the checks pass.`,
		Example: `  gito lock -e prod --reason "incident 4711" --yes --auto-merge
  gito lock -e prod -s api --reason "hold the rollback until the fix is out"
  gito unlock -e prod`,
		Args:              cmdutil.NoArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.ReleaseFlags.Validate(opts.Getenv); err != nil {
				return err
			}
			if !opts.Unlock {
				if err := policy.ValidateReason("--reason", opts.Reason); err != nil {
					return &exitcode.FlagError{Err: err}
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return lockRun(cmd.Context(), opts)
		},
	}
	if unlock {
		cmd.Use = "unlock --env E [--service S]"
		cmd.Short = "Remove a lock from .gito/locks.yaml, through a pull request"
		cmd.Long = `Remove the lock on an environment (or on one service in it) from .gito/locks.yaml, in a
signed commit on gito/locks/<env> and its pull request. Once merged, releases may go in again.`
		cmd.Example = `  gito unlock -e prod
  gito unlock -e prod -s api --yes --auto-merge`
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Service, "service", "s", "", "Service to lock in the environment (default: every service)")
	fl.StringVarP(&opts.Env, "env", "e", "", "Environment (or environment group) to lock")
	if !unlock {
		fl.StringVar(&opts.Reason, "reason", "", "Why: shown to everyone the lock refuses (required)")
	}
	fl.StringVar(&opts.Repo, "repo", "", "Infra repo URL or path (default: $GITO_REPO, then the user config)")
	fl.StringVar(&opts.Base, "base", "", "Base branch of the pull request (default: .gito.yaml baseBranch, then the remote's HEAD)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Show the new lock file; write and push nothing")
	fl.BoolVar(&opts.JSON, "json", false, "Print the result as one JSON object on stdout")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "Do not ask for confirmation")
	fl.BoolVar(&opts.Draft, "draft", false, "Open the pull request as a draft")
	fl.BoolVar(&opts.AutoMerge, "auto-merge", false, "Merge the pull request automatically once checks pass")
	fl.StringArrayVar(&opts.Labels, "label", nil, "Add a label to the pull request (repeatable)")
	fl.StringArrayVar(&opts.Reviewers, "reviewer", nil, "Request a review from a user or org/team (repeatable)")
	fl.StringVar(&opts.SigningKey, "signing-key", "", "SSH private key that signs the lock file and the commit (default: $GITO_SIGNING_KEY, git's user.signingkey, the ssh-agent)")
	shared.RegisterCompletions(cmd, shared.CompletionDeps{Getenv: f.Getenv, Repo: func() string { return opts.Repo }, HTTPClient: f.HTTPClient})
	return cmd
}

// JSONResult is the --json output of lock and unlock.
type JSONResult struct {
	Action string         `json:"action"`
	Lock   policy.Lock    `json:"lock"`
	Unlock bool           `json:"unlock"`
	Branch string         `json:"branch"`
	Commit string         `json:"commit"`
	Files  []string       `json:"files"`
	PR     *shared.JSONPR `json:"pr"`
}

func lockRun(ctx context.Context, opts *LockOptions) error {
	req := shared.NewRequest(opts.IO, opts.Getenv, opts.HTTPClient, opts.ReleaseFlags)
	req.Now = opts.Now
	now := time.Now()
	if opts.Now != nil {
		now = opts.Now()
	}
	change := pipeline.LockChange{
		Lock:   policy.Lock{Env: opts.Env, Service: opts.Service, Reason: opts.Reason, Time: now.UTC().Truncate(time.Second)},
		Unlock: opts.Unlock,
	}
	res, err := pipeline.RunLock(ctx, req, change)
	if err != nil {
		return err
	}
	return printResult(opts, change, res)
}

func printResult(opts *LockOptions, change pipeline.LockChange, res *pipeline.Result) error {
	p := res.Plan
	if opts.JSON {
		out := JSONResult{Action: res.Action, Lock: change.Lock, Unlock: change.Unlock, Branch: p.Branch, Commit: res.Commit, Files: p.Paths()}
		if out.Files == nil {
			out.Files = []string{}
		}
		if res.PR != nil {
			out.PR = &shared.JSONPR{Number: res.PR.Number, URL: res.PR.URL}
		}
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	ios := opts.IO
	switch res.Action {
	case release.ActionNoop:
		if change.Unlock {
			fmt.Fprintf(ios.ErrOut, "%s: nothing to do\n", p.Title)
		} else {
			fmt.Fprintf(ios.ErrOut, "%s is already locked with this reason: nothing to do\n", change.Lock.Target())
		}
		if res.PR != nil {
			fmt.Fprintln(ios.Out, res.PR.URL)
		}
	case release.ActionPlanned:
		for _, f := range p.Files {
			if f.Path == policy.LocksFile {
				fmt.Fprint(ios.Out, string(f.After))
			}
		}
		fmt.Fprintf(ios.ErrOut, "dry run: would commit %s on %s (%s) and %s\n", strings.Join(p.Paths(), ", "), p.Branch, p.Title, shared.PullRequestPhrase(res.HasForge, res.PR))
	case release.ActionPushed:
		fmt.Fprintf(ios.ErrOut, "pushed %s to %s; no forge is configured, so no pull request was opened: %s holds once it is on the base branch\n", p.Branch, res.Remote, p.Title)
		fmt.Fprintln(ios.Out, p.Branch)
	default:
		fmt.Fprintf(ios.ErrOut, "%s pull request #%d: %s (holds once merged)\n", res.Action, res.PR.Number, p.Title)
		if p.Signer != "" {
			fmt.Fprintf(ios.ErrOut, "signed by %s\n", p.Signer)
		}
		fmt.Fprintln(ios.Out, res.PR.URL)
	}
	return nil
}
