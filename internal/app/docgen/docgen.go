// Package docgen writes gito's shell completion scripts and man pages. cmd/gen-docs, the
// release build and the staleness test all go through it, so they produce the same bytes.
package docgen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

// defaultManDate is the date printed in man page headers unless SOURCE_DATE_EPOCH says
// otherwise. A fixed date keeps the committed pages stable from one commit to the next.
func defaultManDate() time.Time { return time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC) }

// ManDate returns the man page date: SOURCE_DATE_EPOCH (reproducible-builds convention) when
// getenv has it, else a fixed date.
func ManDate(getenv func(string) string) (time.Time, error) {
	v := getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return defaultManDate(), nil
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
	return appendTopics(root, filepath.Join(dir, root.Name()+".1"))
}

// appendTopics adds gito's help topics (hidden commands such as `gito exit-codes`) to the root
// command's page, under the section names man(7) uses, as preformatted text.
func appendTopics(root *cobra.Command, page string) error {
	topicSections := []struct{ topic, section string }{
		{"exit-codes", "EXIT STATUS"},
		{"environment", "ENVIRONMENT"},
	}
	var buf bytes.Buffer
	for _, ts := range topicSections {
		c, _, err := root.Find([]string{ts.topic})
		if err != nil || c == root || c.Long == "" {
			continue
		}
		fmt.Fprintf(&buf, "\n.SH %s\n.PP\n.nf\n", ts.section)
		for _, line := range strings.Split(strings.TrimRight(c.Long, "\n"), "\n") {
			buf.WriteString(roffLine(line) + "\n")
		}
		buf.WriteString(".fi\n")
	}
	if buf.Len() == 0 {
		return nil
	}
	f, err := os.OpenFile(page, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("add help topics to %s: %w", page, err)
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return fmt.Errorf("add help topics to %s: %w", page, err)
	}
	return f.Close()
}

// roffLine escapes backslashes and keeps a leading dot or quote from reading as a request.
func roffLine(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

func disableAutoGenTag(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, sub := range c.Commands() {
		disableAutoGenTag(sub)
	}
}
