// Command gen-docs writes gito's shell completion scripts (completions/) and man pages
// (docs/man/) from the command tree. `make completions`, `make man` and the release build run
// it; internal/app's tests fail when the committed files are stale.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gito-dev/gito/internal/app"
	"github.com/gito-dev/gito/internal/app/docgen"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs: "+err.Error())
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("gen-docs", flag.ContinueOnError)
	out := fs.String("out", ".", "repo root to write completions/ and docs/man/ under")
	only := fs.String("only", "", `write only "completions" or "man"`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	date, err := docgen.ManDate(os.Getenv)
	if err != nil {
		return err
	}
	// Generated files must not depend on the caller's environment (GITO_REPO, tokens, ...).
	noEnv := func(string) string { return "" }
	switch *only {
	case "", "completions", "man":
	default:
		return fmt.Errorf("-only %q: want completions or man", *only)
	}
	if *only != "man" {
		if err := docgen.WriteCompletions(app.NewRootCmd(app.NewFactory(noEnv)), *out); err != nil {
			return err
		}
	}
	if *only != "completions" {
		if err := docgen.WriteMan(app.NewRootCmd(app.NewFactory(noEnv)), *out, date); err != nil {
			return err
		}
	}
	return nil
}
