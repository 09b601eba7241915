package release

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/overlay"
)

// MakeGroupPlan plans a release to in.Env. For an environment group (environments.E.group)
// it plans every member's overlay and joins them into one plan: one commit and one PR on
// gito/<group>/<service>, each edited file signed. A member without the service's overlay
// is an error naming it. For a plain env it is MakePlan.
func MakeGroupPlan(ctx context.Context, in Input) (*Plan, error) {
	if !in.Repo.IsGroup(in.Env) {
		return MakePlan(ctx, in)
	}
	group := in.Env
	g := &Plan{
		Service: in.Service, Env: group, Rollback: in.Rollback, PromoteFrom: in.PromoteFrom,
		To: in.Version, Base: in.Base, Branch: BranchName(group, in.Service), Noop: true,
		Edit: &overlay.Result{Noop: true}, BodyLimit: in.BodyLimit,
	}
	var diffs, froms []string
	for _, member := range in.Repo.Members(group) {
		mi := in
		mi.Env = member
		p, err := MakePlan(ctx, mi)
		if err != nil {
			return nil, memberError(in, group, member, err)
		}
		g.Labels, g.Reviewers = union(g.Labels, p.Labels), union(g.Reviewers, p.Reviewers)
		g.Draft, g.AutoMerge = g.Draft || p.Draft, g.AutoMerge || p.AutoMerge
		if !slices.Contains(froms, p.From) {
			froms = append(froms, p.From)
		}
		for _, prev := range p.Edit.Previous {
			prev.Name += " (" + member + ")"
			g.Edit.Previous = append(g.Edit.Previous, prev)
		}
		for _, n := range p.Edit.Notes {
			g.Edit.Notes = append(g.Edit.Notes, member+": "+n)
		}
		if p.Noop {
			continue
		}
		g.Noop, g.Edit.Noop = false, false
		g.Files = append(g.Files, p.Files...)
		g.SigFiles = append(g.SigFiles, p.SigFiles...)
		g.Signer = p.Signer
		g.Edit.Files = append(g.Edit.Files, p.Edit.Files...)
		g.Edit.Rendered = append(g.Edit.Rendered, p.Edit.Rendered...)
		diffs = append(diffs, p.Edit.Diff)
	}
	envCfg := in.Repo.Env(group)
	g.Labels, g.Reviewers = union(envCfg.Labels, g.Labels), union(envCfg.Reviewers, g.Reviewers)
	g.Draft, g.AutoMerge = g.Draft || envCfg.Draft, g.AutoMerge || envCfg.AutoMerge
	if g.Draft && g.AutoMerge {
		return nil, fmt.Errorf("%s environments.%s asks for a draft with auto-merge (from flags or config): a draft pull request never merges", config.FileName, group)
	}
	g.From = strings.Join(froms, ", ")
	g.Edit.Diff = strings.Join(diffs, "")
	if g.Noop {
		return g, nil
	}
	// Signature files after every edited file, as a single-env plan orders them.
	slices.SortStableFunc(g.Files, func(a, b File) int {
		return boolInt(strings.HasSuffix(a.Path, SignatureSuffix)) - boolInt(strings.HasSuffix(b.Path, SignatureSuffix))
	})
	if err := g.renderText(in.Templates); err != nil {
		return nil, err
	}
	return g, nil
}

// memberError names the group and the member: a member that is no environment of the repo
// at all, or one without this service's overlay.
func memberError(in Input, group, member string, err error) error {
	var nf *overlay.NotFoundError
	if !errors.As(err, &nf) || nf.Kind != "env" {
		return fmt.Errorf("%s environments.%s.group member %s: %w", config.FileName, group, member, err)
	}
	services, _ := overlay.Services(in.Root, in.Repo)
	for _, s := range services {
		if envs, _ := overlay.Envs(in.Root, in.Repo, s); slices.Contains(envs, member) {
			return fmt.Errorf("%s environments.%s.group: member %s has no overlay of %s (%s)", config.FileName, group, member, in.Service, nf.Dir)
		}
	}
	return fmt.Errorf("%s environments.%s.group: member %q is not an environment of this repo", config.FileName, group, member)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
