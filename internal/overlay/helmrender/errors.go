package helmrender

import (
	"fmt"
	"regexp"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
)

// templateAt finds the template position Helm's errors start with:
// "execution error at (api/templates/x.yaml:3:5): …" or "template: api/templates/x.yaml:3:5: …".
var templateAt = regexp.MustCompile(`(?:error at \(|template: )([^():\s]+:\d+(?::\d+)?)`)

// renderError reports a failed render in one line without quoting the chart's files: a
// template's message (`fail`, `required`, an execution error) can carry whatever .Files
// holds. The render is repeated with every file of the chart emptied; a message that comes
// out the same does not depend on them and is shown, any other is replaced by the template
// and line that failed.
func renderError(c *chart.Chart, vals chartutil.Values, err error) error {
	msg := oneLine(err)
	blank := blankFiles(c)
	if _, again := engine.Render(blank, vals); again != nil && oneLine(again) == msg {
		return fmt.Errorf("render: %s", msg)
	}
	where := "a template"
	if m := templateAt.FindStringSubmatch(msg); m != nil {
		where = m[1]
	}
	return fmt.Errorf("render: %s failed with a message built from the chart's files, not shown", where)
}

// blankFiles is a copy of c whose non-template files (and its dependencies') are empty.
func blankFiles(c *chart.Chart) *chart.Chart {
	cp := *c
	cp.Files = make([]*chart.File, len(c.Files))
	for i, f := range c.Files {
		cp.Files[i] = &chart.File{Name: f.Name}
	}
	deps := c.Dependencies()
	cp.SetDependencies() // clears the copy's list; the original keeps its own
	for _, d := range deps {
		cp.AddDependency(blankFiles(d))
	}
	return &cp
}
