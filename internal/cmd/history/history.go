// Package history implements `gito history`.
package history

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmd/shared"
	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/history"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/pipeline"
)

// HistoryOptions is what `gito history` needs.
type HistoryOptions struct {
	IO         *iostreams.IOStreams
	Getenv     func(string) string
	HTTPClient func() (*http.Client, error)
	Now        func() time.Time

	Service string
	Env     string
	Repo    string
	Base    string
	Limit   int
	JSON    bool
}

// NewCmdHistory builds `gito history`.
func NewCmdHistory(f *cmdutil.Factory, runF func(*HistoryOptions) error) *cobra.Command {
	opts := &HistoryOptions{IO: f.IOStreams, Getenv: f.Getenv, HTTPClient: f.HTTPClient, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "history --service S --env E",
		Short: "List the releases of one overlay, newest first",
		Long: `List the releases of a service in one environment from the base branch's git history of
its overlay: one row per image reference, newest first, with the commit, date, author, PR
number and whether the file was signed. The row marked current is what is deployed now.
History that gito did not write (hand edits, other bots) is included.

On a terminal the output is a table; on a pipe it is tab-separated with RFC 3339 dates and
no header; --json prints an array.`,
		Example: `  gito history -s api -e prod
  gito history -s api -e prod --limit 5 --json | jq -r '.[1].version'`,
		Args:              cmdutil.NoArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fl := shared.ReleaseFlags{Service: opts.Service, Env: opts.Env, Repo: opts.Repo, Base: opts.Base}
			if err := fl.Validate(opts.Getenv); err != nil {
				return err
			}
			opts.Repo = fl.Repo
			if opts.Limit < 0 {
				return exitcode.FlagErrorf("--limit must be 0 (all) or more, got %d", opts.Limit)
			}
			if runF != nil {
				return runF(opts)
			}
			return historyRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Service, "service", "s", "", "Service whose overlay to read")
	cmd.Flags().StringVarP(&opts.Env, "env", "e", "", "Environment whose overlay to read")
	cmd.Flags().StringVar(&opts.Repo, "repo", "", "Infra repo URL or path (default: $GITO_REPO, then the user config)")
	cmd.Flags().StringVar(&opts.Base, "base", "", "Branch whose history to read (default: .gito.yaml baseBranch, then the remote's HEAD)")
	cmd.Flags().IntVar(&opts.Limit, "limit", 30, "Show at most this many releases (0: all)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "Print the releases as a JSON array")
	shared.RegisterCompletions(cmd, shared.CompletionDeps{Getenv: f.Getenv, Repo: func() string { return opts.Repo }})
	return cmd
}

func historyRun(ctx context.Context, opts *HistoryOptions) error {
	ws, err := pipeline.Open(ctx, pipeline.Request{
		Getenv: opts.Getenv, HTTPClient: opts.HTTPClient, Progress: shared.ProgressWriter(opts.IO),
		Repo: opts.Repo, Base: opts.Base, Service: opts.Service, Env: opts.Env,
	})
	if err != nil {
		return err
	}
	defer ws.Close()
	releases, err := pipeline.LoadHistory(ctx, ws, ws.Service, opts.Env, opts.Limit)
	if err != nil {
		return err
	}
	switch {
	case opts.JSON:
		return printJSON(opts.IO.Out, releases)
	case opts.IO.IsStdoutTTY():
		return printTable(opts.IO.Out, releases, opts.Now())
	default:
		return printTSV(opts.IO.Out, releases)
	}
}

// jsonRelease is one element of `history --json` (design.md); a test pins the names.
type jsonRelease struct {
	Version string    `json:"version"`
	Digest  string    `json:"digest"`
	Commit  string    `json:"commit"`
	Date    time.Time `json:"date"`
	Author  string    `json:"author"`
	PR      *int      `json:"pr"`
	Signed  bool      `json:"signed"`
	Current bool      `json:"current"`
}

func printJSON(w io.Writer, releases []history.Release) error {
	out := make([]jsonRelease, 0, len(releases))
	for _, r := range releases {
		j := jsonRelease{Version: r.Version, Digest: r.Digest, Commit: r.Commit, Date: r.Date.UTC(),
			Author: r.Author, Signed: r.Signed, Current: r.Current}
		if r.PR > 0 {
			pr := r.PR
			j.PR = &pr
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func printTSV(w io.Writer, releases []history.Release) error {
	for _, r := range releases {
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Version, r.Digest, r.Commit,
			r.Date.UTC().Format(time.RFC3339), r.Author, prText(r.PR), signedText(r.Signed), currentText(r.Current)); err != nil {
			return err
		}
	}
	return nil
}

func printTable(w io.Writer, releases []history.Release, now time.Time) error {
	if len(releases) == 0 {
		_, err := fmt.Fprintln(w, "no releases found")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tVERSION\tDIGEST\tCOMMIT\tWHEN\tAUTHOR\tPR\tSIGNED")
	for _, r := range releases {
		mark := " "
		if r.Current {
			mark = "*"
		}
		digest := r.Digest
		if len(digest) > 19 {
			digest = digest[:19] + "…"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", mark, r.Version, digest, shortSHA(r.Commit),
			relative(now, r.Date), r.Author, prText(r.PR), signedText(r.Signed))
	}
	return tw.Flush()
}

func prText(pr int) string {
	if pr == 0 {
		return ""
	}
	return fmt.Sprintf("#%d", pr)
}

func signedText(signed bool) string {
	if signed {
		return "signed"
	}
	return "unsigned"
}

func currentText(current bool) string {
	if current {
		return "current"
	}
	return ""
}

func shortSHA(s string) string {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}

// relative renders a date as gh does on a terminal: "3 days ago".
func relative(now, t time.Time) string {
	d := now.Sub(t)
	unit := func(n int, name string) string {
		if n == 1 {
			return "1 " + name + " ago"
		}
		return fmt.Sprintf("%d %ss ago", n, name)
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return unit(int(d.Minutes()), "minute")
	case d < 24*time.Hour:
		return unit(int(d.Hours()), "hour")
	case d < 30*24*time.Hour:
		return unit(int(d.Hours()/24), "day")
	case d < 365*24*time.Hour:
		return unit(int(d.Hours()/24/30), "month")
	}
	return strings.TrimSpace(t.Format("Jan 2006"))
}
