// Package app builds gito's command tree and turns the outcome into an exit code. It is the
// one place where errors become exit codes.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
)

// Build information, overridden with -ldflags "-X github.com/gito-dev/gito/internal/app.buildVersion=…".
var (
	buildVersion = "dev"
	buildCommit  = "none"
	buildTime    = "unknown"
)

// Main runs gito with the process's arguments and environment and returns the exit code.
func Main() int {
	silenceLibraryLogs()
	f := NewFactory(scrubCredentials())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, f, os.Args[1:])
}

// scrubCredentials snapshots the environment for gito's own reads, then removes the credential
// variables from the process so that no child inherits them: not git, not ssh, not the git that
// kustomize runs for a remote base, whose environment gito cannot set.
func scrubCredentials() func(string) string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	for _, name := range config.CredentialVars {
		os.Unsetenv(name)
	}
	return func(k string) string { return env[k] }
}

// NewFactory builds the real program's dependencies.
func NewFactory(getenv func(string) string) *cmdutil.Factory {
	return &cmdutil.Factory{
		IOStreams: iostreams.System(getenv),
		Getenv:    getenv,
		// No Client.Timeout: the forge transport times out each attempt and the context bounds
		// the whole, so a run that honours Retry-After is not cut short.
		HTTPClient: func() (*http.Client, error) { return &http.Client{}, nil },
		Now:        time.Now,
		Version:    versionOf(buildVersion, debug.ReadBuildInfo),
		Commit:     buildCommit,
		BuildDate:  buildTime,
	}
}

// versionOf prefers the ldflags version (make, goreleaser); a `go install …@v1.2.3` binary has
// none, but its build info names the module version.
func versionOf(ldflags string, readBuildInfo func() (*debug.BuildInfo, bool)) string {
	if ldflags != "dev" {
		return ldflags
	}
	if info, ok := readBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return ldflags
}

// Run executes one command line against f and maps the result to an exit code.
func Run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	root := NewRootCmd(f)
	root.SetArgs(args)
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitcode.OK
	}
	if ctx.Err() != nil {
		err = exitcode.ErrCancel
	}
	if isCobraUsageError(err) {
		err = &exitcode.FlagError{Err: err}
	}
	code := exitcode.Code(err)
	msg := oneLine(err.Error())
	fmt.Fprintln(f.IOStreams.ErrOut, "gito: "+msg)
	var authErr *exitcode.AuthError
	if errors.As(err, &authErr) && authErr.Hint != "" {
		fmt.Fprintln(f.IOStreams.ErrOut, authErr.Hint)
	}
	var flagErr *exitcode.FlagError
	if errors.As(err, &flagErr) && cmd != nil {
		fmt.Fprintf(f.IOStreams.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	if wantsJSON(cmd) {
		// A bot reading stdout gets one object whatever happened (design.md).
		_ = json.NewEncoder(f.IOStreams.Out).Encode(jsonError{Error: msg, Code: code})
	}
	return code
}

// jsonError is what --json prints on stdout when a command fails.
type jsonError struct {
	Error string `json:"error"`
	Code  int    `json:"code"`
}

// wantsJSON reports whether the failed command was asked for --json output.
func wantsJSON(cmd *cobra.Command) bool {
	if cmd == nil {
		return false
	}
	fl := cmd.Flags().Lookup("json")
	return fl != nil && fl.Value.String() == "true"
}

// isCobraUsageError recognises the argument errors cobra returns as plain errors.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command ", "accepts ", "requires at least ", "requires at most ", "invalid argument "} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}

// oneLine keeps errors to a single line however deep the wrapped causes go.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// NewRootCmd builds the whole command tree.
func NewRootCmd(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:           "gito <command>",
		Short:         "Ship a service version to an environment as a reviewed, signed GitOps pull request",
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       f.Version,
		Example: `  gito release --service api --env prod --version v2.3.1
  gito rollback -s api -e prod
  gito history -s api -e prod --json
  gito verify`,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitcode.FlagError{Err: err} })
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddGroup(&cobra.Group{ID: "core", Title: "Core commands:"})
	for _, c := range commands(f) {
		if c.GroupID == "" {
			c.GroupID = "core"
		}
		root.AddCommand(c)
	}
	addHelpTopics(root)
	return root
}
