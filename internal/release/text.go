package release

import (
	"fmt"
	"strings"

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
	body, err := set.Render(bodyTmpl, data)
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
