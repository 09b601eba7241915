package shared

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/pipeline"
	"github.com/gito-dev/gito/internal/release"
	"github.com/gito-dev/gito/internal/renderdiff"
	"github.com/gito-dev/gito/internal/wait"
)

// JSONResult is the --json output of release and rollback (design.md). Field names are a
// contract with bots: a test pins them.
type JSONResult struct {
	Action    string         `json:"action"`
	Service   string         `json:"service"`
	Env       string         `json:"env"`
	From      string         `json:"from"`
	To        string         `json:"to"`
	Branch    string         `json:"branch"`
	Commit    string         `json:"commit"`
	Files     []string       `json:"files"`
	PR        *JSONPR        `json:"pr"`
	Signature *JSONSignature `json:"signature"`
	Diff      string         `json:"diff,omitempty"`
	Wait      *wait.Result   `json:"wait,omitempty"`
	// RenderedDiff is the whole diff of the rendered manifests, secret values redacted.
	RenderedDiff *JSONRenderedDiff `json:"renderedDiff,omitempty"`
}

// JSONRenderedDiff lists the rendered objects that change and the workloads they affect,
// each naming the render (source) it comes from.
type JSONRenderedDiff struct {
	Objects   []JSONRenderedObject   `json:"objects"`
	Workloads []JSONRenderedWorkload `json:"workloads"`
}

// JSONRenderedObject is one object that changes, with its unified diff.
type JSONRenderedObject struct {
	Source string `json:"source"`
	renderdiff.Object
}

// JSONRenderedWorkload is one container of a workload that changes.
type JSONRenderedWorkload struct {
	Source string `json:"source"`
	renderdiff.Workload
}

func renderedJSON(sections []renderdiff.Section) *JSONRenderedDiff {
	out := &JSONRenderedDiff{Objects: []JSONRenderedObject{}, Workloads: []JSONRenderedWorkload{}}
	for _, s := range sections {
		for _, o := range s.Objects {
			out.Objects = append(out.Objects, JSONRenderedObject{Source: s.Source, Object: o})
		}
		for _, w := range s.Workloads {
			out.Workloads = append(out.Workloads, JSONRenderedWorkload{Source: s.Source, Workload: w})
		}
	}
	if len(out.Objects) == 0 {
		return nil
	}
	return out
}

// JSONPR names the pull request.
type JSONPR struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
}

// JSONSignature names the signature file of the kustomization and who signed it.
type JSONSignature struct {
	File   string `json:"file"`
	Signer string `json:"signer"`
}

// ToJSON converts a result into its JSON shape.
func ToJSON(r *pipeline.Result) JSONResult {
	p := r.Plan
	out := JSONResult{
		Action: r.Action, Service: p.Service, Env: p.Env, From: p.From, To: p.To.String(),
		Branch: p.Branch, Commit: r.Commit, Files: p.Paths(),
	}
	if out.Files == nil {
		out.Files = []string{}
	}
	if r.PR != nil {
		out.PR = &JSONPR{Number: r.PR.Number, URL: r.PR.URL}
	}
	if len(p.SigFiles) > 0 {
		out.Signature = &JSONSignature{File: p.SigFiles[0], Signer: p.Signer}
	}
	out.Wait = r.Wait
	if r.Action == release.ActionPlanned {
		out.Diff = p.Edit.Diff
	}
	if p.Edit != nil {
		out.RenderedDiff = renderedJSON(p.Edit.Rendered)
	}
	return out
}

// Print writes the result: JSON, or the PR URL on stdout with a summary on stderr.
func Print(ios *iostreams.IOStreams, asJSON bool, r *pipeline.Result) error {
	if asJSON {
		enc := json.NewEncoder(ios.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(ToJSON(r))
	}
	p := r.Plan
	switch r.Action {
	case release.ActionNoop:
		if p.Noop {
			fmt.Fprintf(ios.ErrOut, "%s in %s is already at %s on %s: nothing to do\n", p.Service, p.Env, p.To, p.Base)
		} else if r.PR != nil {
			fmt.Fprintf(ios.ErrOut, "pull request #%d already proposes %s %s for %s: nothing to do\n", r.PR.Number, p.Service, p.To, p.Env)
		} else {
			fmt.Fprintf(ios.ErrOut, "%s already holds %s %s for %s: nothing to do\n", p.Branch, p.Service, p.To, p.Env)
		}
		if r.PR != nil {
			fmt.Fprintln(ios.Out, r.PR.URL)
		}
	case release.ActionPlanned:
		fmt.Fprint(ios.Out, p.Edit.Diff)
		fmt.Fprint(ios.Out, renderdiff.Text(p.Edit.Rendered))
		fmt.Fprintf(ios.ErrOut, "dry run: would commit %s on %s (%s -> %s) and %s\n", strings.Join(p.Paths(), ", "), p.Branch, orNone(p.From), p.To, PullRequestPhrase(r.HasForge, r.PR))
		if r.HasForge {
			fmt.Fprintf(ios.ErrOut, "title: %s\n", p.Title)
		}
	case release.ActionPushed:
		fmt.Fprintf(ios.ErrOut, "pushed %s (%s) to %s; no forge is configured, so no pull request was opened\n", p.Branch, short(r.Commit), r.Remote)
		fmt.Fprintln(ios.Out, p.Branch)
	default:
		fmt.Fprintf(ios.ErrOut, "%s pull request #%d: %s %s -> %s in %s\n", r.Action, r.PR.Number, p.Service, orNone(p.From), p.To, p.Env)
		if p.Signer != "" {
			fmt.Fprintf(ios.ErrOut, "signed by %s\n", p.Signer)
		}
		fmt.Fprintln(ios.Out, r.PR.URL)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
