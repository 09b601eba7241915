// Package status implements `gito status`.
package status

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmd/shared"
	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/inventory"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/live"
	"github.com/gito-dev/gito/internal/status"
	"github.com/gito-dev/gito/internal/workspace"
)

// StatusOptions is what `gito status` needs.
type StatusOptions struct {
	IO         *iostreams.IOStreams
	Getenv     func(string) string
	HTTPClient func() (*http.Client, error)
	Now        func() time.Time

	Service string
	Env     string
	Repo    string
	Base    string
	JSON    bool
	// Live adds what the deployer (Argo CD or Flux) runs now; KubeContext is --kube-context.
	Live        bool
	KubeContext string
	Sources     bool
}

// NewCmdStatus builds `gito status`.
func NewCmdStatus(f *cmdutil.Factory, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IOStreams, Getenv: f.Getenv, HTTPClient: f.HTTPClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "status [--service S] [--env E]",
		Short: "Show which version runs where: the service × environment matrix",
		Long: `Read the base branch's tree once and print, for every overlay, the version (tag and digest)
it deploys, whether its file is signed by an allowed signer, and its open release pull
request. An environment whose version differs from the one most environments of the service
run is marked as drifting. An environment group (environments.E.group) stands for its members.

With --live it also asks the deployer what runs now: Flux's applied revision and Ready
(when .gito.yaml has flux:), else Argo CD's synced revision and health; an environment whose
cluster runs a commit whose overlay differs from the base branch is marked !. An unreachable
deployer is one warning line; the matrix prints anyway.
Below the matrix, one line per environment says what holds it: a lock (.gito/locks.yaml on
the base branch), a freeze window in force now, a lock change still waiting in its pull
request. On a pipe or with --json these lines go to stderr, so the data keeps its shape.

On a terminal the output is an aligned table (drift in colour and marked *); on a pipe it is
tab-separated without a header; --json prints an array.`,
		Example: `  gito status
  gito status -s api --json | jq -r '.[] | "\(.env) \(.version)"'
  gito status --live -e prod`,
		Args:              cmdutil.NoArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for flag, v := range map[string]string{"--service": opts.Service, "--env": opts.Env} {
				if v != "" {
					if err := config.ValidateName(flag, v); err != nil {
						return &exitcode.FlagError{Err: err}
					}
				}
			}
			if opts.Base != "" {
				if err := config.ValidateBranch("--base", opts.Base); err != nil {
					return &exitcode.FlagError{Err: err}
				}
			}
			if opts.Repo == "" {
				opts.Repo = opts.Getenv("GITO_REPO")
			}
			if runF != nil {
				return runF(opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Service, "service", "s", "", "Show only this service")
	cmd.Flags().StringVarP(&opts.Env, "env", "e", "", "Show only this environment (a group shows its members)")
	cmd.Flags().StringVar(&opts.Repo, "repo", "", "Infra repo URL or path (default: $GITO_REPO, then the user config)")
	cmd.Flags().StringVar(&opts.Base, "base", "", "Branch to read (default: .gito.yaml baseBranch, then the remote's HEAD)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "Print the matrix as a JSON array")
	cmd.Flags().BoolVar(&opts.Live, "live", false, "Add what Argo CD or Flux runs now, marking where it differs from the base branch")
	cmd.Flags().StringVar(&opts.KubeContext, "kube-context", "", "With --live on Flux: the kubeconfig context of every env (default: kubeContexts in the user config)")
	cmd.Flags().BoolVar(&opts.Sources, "sources", false, "Print where each version is read from and the rule that found it, and what was skipped")
	shared.RegisterCompletions(cmd, shared.CompletionDeps{Getenv: f.Getenv, Repo: func() string { return opts.Repo }})
	return cmd
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	ws, err := workspace.Open(ctx, workspace.Options{
		Remote: opts.Repo, Base: opts.Base, Getenv: opts.Getenv, HTTPClient: opts.HTTPClient,
		Progress: shared.ProgressWriter(opts.IO), Notes: opts.IO.ErrOut, NoWorktree: true,
	})
	if err != nil {
		return err
	}
	defer ws.Close()
	inv, err := ws.Inventory(ctx)
	if err != nil {
		return err
	}
	in := status.Input{Config: ws.Config, Inventory: inv, ReadBlobs: ws.Repo.ReadBlobs, Service: opts.Service, Now: opts.Now()}
	if opts.Env != "" {
		in.Envs = ws.Config.Members(opts.Env)
	}
	if err := checkFilters(inv, opts, in.Envs); err != nil {
		return err
	}
	if in.OpenPRs, err = openPRs(ctx, ws, opts.IO.ErrOut); err != nil {
		return err
	}
	rows, err := status.Load(ctx, in)
	if err != nil {
		return err
	}
	guards, err := guardrailLines(ctx, ws, inv.Envs(""), in.OpenPRs, opts, in.Now)
	if err != nil {
		return err
	}
	var states []*live.State // nil without --live
	if opts.Live {
		if states, err = liveStates(ctx, ws, opts, rows); err != nil {
			return err
		}
	}
	switch {
	case opts.Sources:
		return printSources(opts.IO.Out, rows, inv, opts.JSON, opts.IO.IsStdoutTTY())
	case opts.JSON:
		err = printJSON(opts.IO.Out, rows, states)
	case opts.IO.IsStdoutTTY():
		if err = printTable(opts.IO.Out, rows, states, opts.IO.ColorEnabled()); err == nil {
			return printGuardrails(opts.IO.Out, guards)
		}
		return err
	default:
		err = printTSV(opts.IO.Out, rows, states)
	}
	if err != nil {
		return err
	}
	// Locks and freezes are not rows of the matrix: on a pipe or with --json they go to
	// stderr, so the data keeps its shape.
	return printGuardrails(opts.IO.ErrOut, guards)
}

// checkFilters names a --service or --env that has no overlay, instead of an empty matrix.
func checkFilters(inv *inventory.Inventory, opts *StatusOptions, envs []string) error {
	services, allEnvs := map[string]bool{}, map[string]bool{}
	for _, e := range inv.Entries {
		if e.Rule != inventory.RuleGroup {
			services[e.Service], allEnvs[e.Env] = true, true
		}
	}
	list := func(set map[string]bool) string { return strings.Join(slices.Sorted(maps.Keys(set)), ", ") }
	if opts.Service != "" && !services[opts.Service] {
		return exitcode.FlagErrorf("--service %q has no overlay on the base branch (services: %s)", opts.Service, list(services))
	}
	for _, e := range envs {
		if !allEnvs[e] {
			what := "--env"
			if e != opts.Env {
				what = fmt.Sprintf("%s environments.%s.group", config.FileName, opts.Env)
			}
			return exitcode.FlagErrorf("%s: %q has no overlay on the base branch (environments: %s)", what, e, list(allEnvs))
		}
	}
	return nil
}

// openPRs lists every open gito/ PR with one list call. Without a forge there are none; a
// missing token is a warning, not a failure: the matrix itself needs no forge.
func openPRs(ctx context.Context, ws *workspace.Workspace, warn io.Writer) ([]*forge.PullRequest, error) {
	if !ws.HasForge() {
		return nil, nil
	}
	f, err := ws.Forge(ctx)
	if err == nil {
		var prs []*forge.PullRequest
		if prs, err = f.ListOpenPRs(ctx, "gito/"); err == nil {
			return prs, nil
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if errors.Is(err, forge.ErrAuth) {
		fmt.Fprintf(warn, "warning: open pull requests not shown: %v\n", err)
		return nil, nil
	}
	return nil, err
}

// jsonRow is one element of `status --json` (design.md); a test pins the names.
type jsonRow struct {
	Service string  `json:"service"`
	Env     string  `json:"env"`
	Version string  `json:"version"`
	Unknown string  `json:"unknown,omitempty"` // why the version cannot be read statically
	Digest  string  `json:"digest"`
	Path    string  `json:"path"`
	Signed  bool    `json:"signed"`
	PR      *jsonPR `json:"pr"`
	// Live is set with --live (null when the deployer has nothing for the row).
	Live *jsonLive `json:"live,omitempty"`
}

type jsonPR struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
}

func printJSON(w io.Writer, rows []status.Row, states []*live.State) error {
	out := make([]jsonRow, 0, len(rows))
	for i, r := range rows {
		j := jsonRow{Service: r.Service, Env: r.Env, Version: r.Version, Unknown: r.Unknown, Digest: r.Digest, Path: r.Path, Signed: r.Signed}
		if r.PR != nil {
			j.PR = &jsonPR{Number: r.PR.Number, URL: r.PR.URL}
		}
		if states != nil {
			j.Live = toJSONLive(states[i])
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func printTSV(w io.Writer, rows []status.Row, states []*live.State) error {
	for i, r := range rows {
		drift := ""
		if r.Drift {
			drift = "drift"
		}
		extra := ""
		if states != nil {
			extra = tsvLive(states[i])
		}
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s%s\n", r.Service, r.Env, versionText(r), r.Digest, r.Path,
			signedText(r.Signed), prText(r.PR), drift, extra); err != nil {
			return err
		}
	}
	return nil
}

func printTable(w io.Writer, rows []status.Row, states []*live.State, color bool) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "no overlays found")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := "SERVICE\tENV\tVERSION\tDIGEST\tSIGNED\tPR"
	if states != nil {
		header += "\tLIVE\tSTATUS"
	}
	fmt.Fprintln(tw, header)
	drifted, differs := false, false
	var unknown []string
	for i, r := range rows {
		version := versionText(r)
		if r.Unknown != "" {
			unknown = append(unknown, fmt.Sprintf("%s in %s: unknown: %s", r.Service, r.Env, r.Unknown))
		}
		if r.Drift {
			drifted = true
			version += " *"
			if color {
				// Colour codes inside tabwriter cells would skew the alignment, so the
				// whole cell is wrapped with escapes of equal width in every row.
				version = "\x1b[33m" + version + "\x1b[0m"
			}
		} else if color {
			version = "\x1b[39m" + version + "\x1b[0m"
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s", r.Service, r.Env, version, shortDigest(r.Digest), signedText(r.Signed), prText(r.PR))
		if states != nil {
			rev, state := liveCells(states[i])
			line += "\t" + rev + "\t" + state
			differs = differs || liveDiffers(states[i])
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, u := range unknown {
		fmt.Fprintln(w, u)
	}
	if drifted {
		if _, err := fmt.Fprintln(w, "* differs from the version most environments of the service run"); err != nil {
			return err
		}
	}
	if differs {
		_, err := fmt.Fprintln(w, "! the cluster runs something other than the base branch says")
		return err
	}
	return nil
}

// tsvLive is the tab-led live columns of a pipe row: commit, status, "differs".
func tsvLive(st *live.State) string {
	if st == nil {
		return "\t\t\t"
	}
	mark := ""
	if liveDiffers(st) {
		mark = "differs"
	}
	return "\t" + st.Commit + "\t" + st.Status + "\t" + mark
}

func shortDigest(d string) string {
	if len(d) > len("sha256:")+12 {
		return d[:len("sha256:")+12]
	}
	return d
}

func signedText(signed bool) string {
	if signed {
		return "signed"
	}
	return "unsigned"
}

func prText(pr *forge.PullRequest) string {
	if pr == nil {
		return ""
	}
	return fmt.Sprintf("#%d", pr.Number)
}
