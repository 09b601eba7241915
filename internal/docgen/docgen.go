// Package docgen writes gito's shell completion scripts and man pages. cmd/gen-docs, the
// release build and the staleness test all go through it, so they produce the same bytes.
package docgen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/gito-dev/gito/internal/cmd/completion"
)

// CompletionDir and ManDir are where the generated files live, relative to the repo root.
const (
	CompletionDir = "completions"
	ManDir        = "docs/man"
)

// CompletionFile names the committed script for one shell.
type CompletionFile struct {
	Shell string
	Name  string // file name inside CompletionDir
}

// CompletionFiles lists the scripts, named as each shell's completion loader expects.
func CompletionFiles() []CompletionFile {
	return []CompletionFile{
		{Shell: "bash", Name: "gito.bash"},
		{Shell: "zsh", Name: "_gito"},
		{Shell: "fish", Name: "gito.fish"},
		{Shell: "powershell", Name: "gito.ps1"},
	}
}

// DefaultManDate is the date printed in man page headers unless SOURCE_DATE_EPOCH says
// otherwise. A fixed date keeps the committed pages stable from one commit to the next.
var defaultManDate = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// ManDate returns the man page date: SOURCE_DATE_EPOCH (reproducible-builds convention) when
// getenv has it, else a fixed date.
func ManDate(getenv func(string) string) (time.Time, error) {
	v := getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return defaultManDate, nil
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse SOURCE_DATE_EPOCH %q: %w", v, err)
	}
	return time.Unix(sec, 0).UTC(), nil
}

// WriteCompletions writes one script per shell into outDir/completions.
func WriteCompletions(root *cobra.Command, outDir string) error {
	dir := filepath.Join(outDir, CompletionDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	for _, cf := range CompletionFiles() {
		var buf bytes.Buffer
		if err := completion.Write(&buf, root, cf.Shell); err != nil {
			return err
		}
		p := filepath.Join(dir, cf.Name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
	}
	return nil
}

// WriteMan replaces outDir/docs/man with one section-1 page per visible command. Pages of
// commands that no longer exist are removed.
func WriteMan(root *cobra.Command, outDir string, date time.Time) error {
	dir := filepath.Join(outDir, ManDir)
	old, err := filepath.Glob(filepath.Join(dir, "*.1"))
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	for _, p := range old {
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("remove stale man page: %w", err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	// cobra adds the help command lazily; add it first so it gets a page like the others
	// instead of appearing only under SEE ALSO.
	root.InitDefaultHelpCmd()
	// The auto-generated footer carries today's date, which would make every run differ.
	disableAutoGenTag(root)
	header := &doc.GenManHeader{Section: "1", Date: &date, Source: "gito", Manual: "gito manual"}
	if err := doc.GenManTree(root, header, dir); err != nil {
		return fmt.Errorf("write man pages to %s: %w", dir, err)
	}
	return nil
}

func disableAutoGenTag(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, sub := range c.Commands() {
		disableAutoGenTag(sub)
	}
}
