package helmrender

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/ignore"

	"github.com/gito-dev/gito/internal/repofs"
	"github.com/gito-dev/gito/internal/yamllimit"
)

// Bounds of a chart read from the repository: Helm's own loader has none for a directory.
const (
	maxChartFiles = 10_000
	maxChartDepth = 32 // directory levels, symbolic links to directories included
)

// loadChart reads the chart in the repo-relative dir through fsys and builds it with Helm's
// loader from those bytes, as loader.LoadDir would from the disk: .helmignore honoured,
// special files refused. Every read is confined to the repository, so a link to a file
// outside it (the releaser's home, /etc) is refused, naming the link, before Helm sees a byte.
func loadChart(fsys *repofs.FS, dir string) (*chart.Chart, error) {
	rules := ignore.Empty()
	if data, err := fsys.ReadDisk(path.Join(dir, ignore.HelmIgnore)); err == nil {
		if rules, err = ignore.Parse(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("%s: %w", path.Join(dir, ignore.HelmIgnore), err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	rules.AddDefaults()
	var files []*loader.BufferedFile
	var walk func(rel string, depth int) error
	walk = func(rel string, depth int) error {
		if depth > maxChartDepth {
			return fmt.Errorf("%s: directories nested deeper than %d levels (a symbolic link loop?)", path.Join(dir, rel), maxChartDepth)
		}
		names, err := fsys.ReadDir(path.Join(dir, rel))
		if err != nil {
			return err
		}
		for _, name := range names {
			n := path.Join(rel, name)
			full := path.Join(dir, n)
			fi, err := fsys.Stat(full) // follows links inside the repository only
			if err != nil {
				return err
			}
			if rules.Ignore(n, fi) {
				continue
			}
			if fi.IsDir() {
				if err := walk(n, depth+1); err != nil {
					return err
				}
				continue
			}
			data, err := fsys.ReadDisk(full) // regular and bounded, or refused naming it
			if err != nil {
				return err
			}
			if strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml") {
				if err := yamllimit.Check(full, data); err != nil {
					return err
				}
			}
			if files = append(files, &loader.BufferedFile{Name: n, Data: bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))}); len(files) > maxChartFiles {
				return fmt.Errorf("chart %s has more than %d files", dir, maxChartFiles)
			}
		}
		return nil
	}
	if err := walk("", 0); err != nil {
		return nil, err
	}
	c, err := loader.LoadFiles(files)
	if err != nil {
		return nil, fmt.Errorf("load chart %s: %s", dir, oneLine(err))
	}
	return c, nil
}
