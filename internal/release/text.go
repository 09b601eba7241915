package release

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gito-dev/gito/internal/renderdiff"
	"github.com/gito-dev/gito/templates"
)

// TemplateData is what commit.tmpl, pr-title.tmpl and pr-body.tmpl (and the rollback
// variants) see. Field names are part of the template contract documented in the README.
type TemplateData struct {
	Service         string
	Env             string
	From            string // previous version, "(none)" when the image had no entry
	To              string
	Images          []ImageChange
	Notes           []string
	Diff            string
	Signer          string
	Branch          string
	Base            string
	Rollback        bool
	PromoteFrom     string // set for gito promote: the env the version comes from
	RollbackCommand string
	Tag             string          // the released tag
	Digest          string          // the released digest, "" for a plain tag
	Registry        []RegistryImage // (Image Tag Digest Pinned) when the registry was asked
	// RenderedDiff is the Markdown diff of the rendered manifests (objects that change, the
	// workloads table; secret values redacted), cut to the forge's body limit with a note.
	RenderedDiff string
}

// ImageChange is one image's old and new reference.
type ImageChange struct {
	Name string
	From string
	To   string
}

// Trailer keys gito writes on every commit; history reads them back.
const (
	TrailerService  = "Gito-Service"
	TrailerEnv      = "Gito-Env"
	TrailerVersion  = "Gito-Version"
	TrailerPrevious = "Gito-Previous"
)

func (p *Plan) templateData() TemplateData {
	from := p.From
	if from == "" {
		from = "(none)"
	}
	d := TemplateData{
		Service: p.Service, Env: p.Env, From: from, To: p.To.String(),
		Notes: p.Edit.Notes, Diff: p.Edit.Diff, Signer: p.Signer,
		Branch: p.Branch, Base: p.Base, Rollback: p.Rollback, PromoteFrom: p.PromoteFrom,
		Tag: p.To.Tag, Digest: p.To.Digest, Registry: p.Registry,
	}
	for _, prev := range p.Edit.Previous {
		d.Images = append(d.Images, ImageChange{Name: prev.Name, From: orNone(refVersion(prev.Tag, prev.Digest)), To: p.To.String()})
	}
	if len(d.Images) == 0 {
		for _, c := range p.Edit.Changes {
			d.Images = append(d.Images, ImageChange{Name: c.Image, From: orNone(refVersion(c.OldTag, c.OldDigest)), To: p.To.String()})
		}
	}
	back := p.From
	if back == "" {
		back = "<version>"
	}
	d.RollbackCommand = fmt.Sprintf("gito rollback --service %s --env %s --to %s", p.Service, p.Env, back)
	return d
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// RenderTitle renders the pull request's title from pr-title.tmpl, or rollback-title.tmpl
// when data.Rollback is set: the one place a title is made, for the PR itself and for the
// rollback picker's confirmation, which knows the fields a title usually needs (Service, Env,
// From, To, Branch, Base) before there is a plan.
func RenderTitle(set templates.Set, data TemplateData) (string, error) {
	name := templates.PRTitle
	switch {
	case data.Rollback:
		name = templates.RollbackTitle
	case data.PromoteFrom != "":
		name = templates.PromoteTitle
	}
	title, err := set.Render(name, data)
	if err != nil {
		return "", err
	}
	title = strings.TrimSpace(title)
	if title == "" || strings.Contains(title, "\n") {
		return "", fmt.Errorf("template %s must render one non-empty line, got %q", name, title)
	}
	return title, nil
}

func (p *Plan) renderText(set templates.Set) error {
	data := p.templateData()
	bodyTmpl := templates.PRBody
	switch {
	case p.Rollback:
		bodyTmpl = templates.RollbackBody
	case p.PromoteFrom != "":
		bodyTmpl = templates.PromoteBody
	}
	msg, err := set.Render(templates.Commit, data)
	if err != nil {
		return err
	}
	title, err := RenderTitle(set, data)
	if err != nil {
		return err
	}
	body, err := p.renderBody(set, bodyTmpl, data)
	if err != nil {
		return err
	}
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return fmt.Errorf("template %s rendered an empty commit message", templates.Commit)
	}
	p.Title = title
	p.Body = strings.TrimSpace(body) + "\n"
	p.Commit = msg + "\n\n" + p.trailers()
	return nil
}

// trailers are appended by code, not by the template, so an overridden template can never
// drop what history and rollback rely on.
func (p *Plan) trailers() string {
	prev := p.From
	if prev == "" {
		prev = "none"
	}
	return fmt.Sprintf("%s: %s\n%s: %s\n%s: %s\n%s: %s\n",
		TrailerService, p.Service, TrailerEnv, p.Env, TrailerVersion, p.To.String(), TrailerPrevious, prev)
}

// renderBody renders the body with the whole rendered diff, or, when that passes the forge's
// body limit, with the rendered diff cut to what the rest of the body leaves of it.
func (p *Plan) renderBody(set templates.Set, name string, data TemplateData) (string, error) {
	full, _ := renderdiff.Markdown(p.Edit.Rendered, 0)
	data.RenderedDiff = strings.TrimSpace(full)
	body, err := set.Render(name, data)
	if err != nil || p.BodyLimit <= 0 || bodyLen(body) <= p.BodyLimit || full == "" {
		return body, err
	}
	data.RenderedDiff = ""
	rest, err := set.Render(name, data)
	if err != nil {
		return "", err
	}
	// The template's own text around the diff counts too: shrink the budget by what the
	// first try overshoots (a few blank lines), then give up on the diff.
	budget := p.BodyLimit - bodyLen(rest)
	for range 3 {
		cut, _ := renderdiff.Markdown(p.Edit.Rendered, budget)
		data.RenderedDiff = strings.TrimSpace(cut)
		if body, err = set.Render(name, data); err != nil || bodyLen(body) <= p.BodyLimit {
			return body, err
		}
		budget -= bodyLen(body) - p.BodyLimit
	}
	return rest, nil
}

// bodyLen counts characters as the forges do, after the trimming renderText does.
func bodyLen(body string) int {
	return utf8.RuneCountInString(strings.TrimSpace(body)) + 1
}
