package status

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gito-dev/gito/internal/forge"
	"github.com/gito-dev/gito/internal/pipeline"
	"github.com/gito-dev/gito/internal/policy"
	"github.com/gito-dev/gito/internal/workspace"
)

// guardrailLines says, one line per env, what holds it now: locks on the base branch,
// freeze windows at now, and lock changes still waiting in a pull request (not yet in force).
func guardrailLines(ctx context.Context, ws *workspace.Workspace, known []string, prs []*forge.PullRequest, opts *StatusOptions, now time.Time) ([]string, error) {
	pol, err := pipeline.LoadPolicy(ctx, ws)
	if err != nil {
		return nil, err
	}
	var envs []string
	for _, env := range append(slices.Clone(known), ws.Config.Groups()...) {
		if !slices.Contains(envs, env) {
			envs = append(envs, env)
		}
	}
	slices.Sort(envs)
	if opts.Env != "" {
		envs = policy.Targets(ws.Config, opts.Env)
	}
	var lines []string
	for _, env := range envs {
		for _, l := range pol.Locks {
			if l.Env == env && (opts.Service == "" || l.Service == "" || l.Service == opts.Service) {
				lines = append(lines, fmt.Sprintf("%s: %s locked by %s since %s: %s", env, l.Target(), l.Author, l.Time.UTC().Format(time.RFC3339), l.Reason))
			}
		}
		windows, err := ws.Config.FreezeWindows(env)
		if err != nil {
			return nil, err
		}
		if f, ok := policy.Frozen(windows, now); ok {
			lines = append(lines, fmt.Sprintf("%s: frozen by %q until %s", env, f.Window.Text, f.Until.In(f.Window.Zone).Format("Mon 2006-01-02 15:04 MST")))
		}
		for _, pr := range prs {
			if pr.Head == pipeline.LockBranch(env) {
				lines = append(lines, fmt.Sprintf("%s: lock change pending in pull request #%d (%s), not in force until merged", env, pr.Number, pr.Title))
			}
		}
	}
	return lines, nil
}

func printGuardrails(w io.Writer, lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	_, err := fmt.Fprintln(w, strings.Join(lines, "\n"))
	return err
}
