// Package helmrender renders a chart of the infra repo with edited values, in process with
// Helm's Go SDK, and lists the container images of the rendered workloads: the check that a
// values edit still renders and carries the new image before anything is committed.
package helmrender

import (
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"

	"github.com/gito-dev/gito/internal/repofs"
	"github.com/gito-dev/gito/internal/yamllimit"
	"github.com/gito-dev/gito/internal/yamlnode"
)

// MaxRenderBytes bounds the manifests one chart render may produce.
const MaxRenderBytes = 64 << 20

// Image is one container image of the rendered chart.
type Image struct {
	Resource  string // "Deployment/api"
	Container string
	Ref       string
}

// Request renders the chart in the repo-relative Chart of FS as release Name, with the
// values file that has the bytes Values. ChartValues says the file is the chart's own
// values.yaml (it then replaces it); otherwise it is layered over it, as `helm template -f
// FILE` does.
type Request struct {
	FS          *repofs.FS
	Chart       string
	Name        string
	Namespace   string
	Values      []byte
	ChartValues bool
	// OnRender, when set, receives the rendered manifests (every template's YAML in name
	// order): what the rendered diff compares.
	OnRender func(manifests []byte)
}

// Render renders every template and returns the container images of the output.
func Render(req Request) (imgs []Image, err error) {
	defer func() {
		if r := recover(); r != nil { // a template function panicking must stay an error
			imgs, err = nil, fmt.Errorf("helm render: %v", r)
		}
	}()
	c, err := loadChart(req.FS, req.Chart)
	if err != nil {
		return nil, err
	}
	if err := yamllimit.Check("the values", req.Values); err != nil {
		return nil, err
	}
	vals, err := chartutil.ReadValues(req.Values)
	if err != nil {
		return nil, fmt.Errorf("read values: %s", oneLine(err))
	}
	if req.ChartValues {
		c.Values = vals
		vals = map[string]any{}
	}
	ns := req.Namespace
	if ns == "" {
		ns = "default"
	}
	opts := chartutil.ReleaseOptions{Name: req.Name, Namespace: ns, Revision: 1, IsInstall: true}
	rv, err := chartutil.ToRenderValues(c, vals, opts, chartutil.DefaultCapabilities.Copy())
	if err != nil {
		return nil, fmt.Errorf("values: %s", oneLine(err))
	}
	out, err := engine.Render(c, rv)
	if err != nil {
		return nil, renderError(c, rv, err)
	}
	size := 0
	for _, s := range out {
		size += len(s)
	}
	if size > MaxRenderBytes {
		return nil, fmt.Errorf("chart %s renders %d MiB of manifests, over the limit of %d MiB", req.Chart, size>>20, MaxRenderBytes>>20)
	}
	if req.OnRender != nil {
		req.OnRender(manifests(out))
	}
	return images(c, out)
}

// images parses the rendered manifests (not NOTES.txt or partials) in name order.
func images(c *chart.Chart, out map[string]string) ([]Image, error) {
	var names []string
	for name := range out {
		if strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var imgs []Image
	for _, name := range names {
		if strings.HasPrefix(path.Base(name), "_") {
			continue
		}
		dec := yaml.NewDecoder(strings.NewReader(out[name]))
		for {
			var doc yaml.Node
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("chart %s renders invalid YAML in %s: %s", c.Name(), name, oneLine(err))
			}
			if len(doc.Content) == 0 {
				continue
			}
			root := doc.Content[0]
			id := yamlnode.Scalar(root, "kind") + "/" + yamlnode.Scalar(yamlnode.Field(root, "metadata"), "name")
			yamlnode.WalkContainers(root, func(container, ref string) {
				imgs = append(imgs, Image{Resource: id, Container: container, Ref: ref})
			})
		}
	}
	return imgs, nil
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// IsChart reports whether dir holds a Chart.yaml.
func IsChart(exists func(string) bool, dir string) bool {
	return exists(path.Join(dir, "Chart.yaml"))
}
