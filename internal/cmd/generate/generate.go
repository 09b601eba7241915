// Package generate implements `gito generate`, the generate command of an Argo CD
// config-management plugin.
package generate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/render"
	"github.com/gito-dev/gito/internal/signing"
)

// GenerateOptions is what `gito generate` needs.
type GenerateOptions struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	Now    func() time.Time
	// WorkDir is where a relative DIR starts; empty means the process's working directory
	// (Argo CD runs the plugin in the application's path).
	WorkDir string

	Dir            string
	AllowedSigners string
	AllowUnsigned  bool
	// Discover is Argo CD's discovery step: print why DIR is a gito application, or nothing.
	Discover bool
}

// NewCmdGenerate builds `gito generate`.
func NewCmdGenerate(f *cmdutil.Factory, runF func(*GenerateOptions) error) *cobra.Command {
	opts := &GenerateOptions{IO: f.IOStreams, Getenv: f.Getenv, Now: f.Now}
	getenv := f.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	cmd := &cobra.Command{
		Use:   "generate [DIR]",
		Short: "Argo CD plugin: verify every file a render reads, then print the manifests",
		Long: `Render the kustomization in DIR (default: the current directory, which is the
application's path when Argo CD runs a config-management plugin) in process, as
kustomize build does, and print the manifests on stdout.

Every file the render reads (the overlay and each base, component, patch and generator
input it pulls in) must carry a valid <file>.sig by an allowed signer before it is parsed.
The allowed signers are --allowed-signers (env GITO_ALLOWED_SIGNERS), else the repository's
signing.allowedSigners (default .gito/allowed_signers). Pin them outside the repository in
Argo CD, so that a push cannot trust its own key.

Any file that is unsigned, tampered, signed by an unknown key or read from outside the
repository: nothing on stdout, the file and the reason on stderr, exit status 3.
--allow-unsigned (env GITO_ALLOW_UNSIGNED=1) renders unsigned files while a repository adopts
signatures, and says so on stderr for each; a bad signature still fails.
Application parameters (ARGOCD_ENV_*) cannot relax any of this. They can tighten it:
ARGOCD_ENV_GITO_EXPECT_IMAGES (plugin env GITO_EXPECT_IMAGES), a comma-separated list of
image references such as the plugin generator's {{image}}@{{digest}}, makes the render fail
unless every one of them is a container image in the output.

--discover is the plugin's discovery command: it prints the reason DIR is a gito
application (a .sig file in it, or a .gito.yaml or .gito/ above it) and prints nothing
otherwise.`,
		Example: `  gito sign --render overlays/prod/api   # adopt: sign every file the render reads
  cd overlays/prod/api && gito generate
  gito generate --allow-unsigned overlays/prod/web   # while adopting: a warning per unsigned file`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if strings.TrimSpace(args[0]) == "" {
					return exitcode.FlagErrorf("empty DIR argument")
				}
				opts.Dir = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return generateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.AllowedSigners, "allowed-signers", getenv("GITO_ALLOWED_SIGNERS"), "Allowed signers `file` to trust instead of the repository's (env GITO_ALLOWED_SIGNERS)")
	cmd.Flags().BoolVar(&opts.Discover, "discover", false, "Print why DIR is a gito application, or nothing (Argo CD plugin discovery)")
	cmd.Flags().BoolVar(&opts.AllowUnsigned, "allow-unsigned", isTrue(getenv("GITO_ALLOW_UNSIGNED")), "Render unsigned files, with a warning for each (adoption; env GITO_ALLOW_UNSIGNED)")
	return cmd
}

func generateRun(ctx context.Context, opts *GenerateOptions) error {
	workDir, err := cmdutil.WorkDir(opts.WorkDir)
	if err != nil {
		return err
	}
	dir := workDir
	if opts.Dir != "" {
		dir = opts.Dir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(workDir, dir)
		}
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return exitcode.FlagErrorf("%s is not a directory", displayDir(opts.Dir))
	}
	dir, err = filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if opts.Discover {
		if why := discover(dir); why != "" {
			fmt.Fprintln(opts.IO.Out, why)
		}
		return nil
	}
	root := signing.FindRoot(ctx, dir, dir)
	cfg, err := config.LoadRepo(root)
	if err != nil {
		return err
	}
	allowed, err := loadAllowedSigners(root, workDir, opts.AllowedSigners, cfg)
	if err != nil {
		return err
	}
	now := time.Now()
	if opts.Now != nil {
		now = opts.Now()
	}
	app := opts.Getenv("ARGOCD_APP_NAME")
	res, err := render.Verified(ctx, render.Request{
		Root: root, Dir: dir, AllowedSigners: allowed, AllowUnsigned: opts.AllowUnsigned, Now: now,
		Warn: func(line string) { fmt.Fprintln(opts.IO.ErrOut, prefix(app)+line) },
	})
	var refused *render.Refused
	if errors.As(err, &refused) {
		for _, f := range refused.Failures {
			fmt.Fprintf(opts.IO.ErrOut, "%sFAIL %s  %s: %s\n", prefix(app), f.Path, f.Status, f.Message)
		}
		return &exitcode.VerifyError{Err: err}
	}
	if err != nil {
		return err
	}
	if missing := missingImages(res.YAML, opts.Getenv("ARGOCD_ENV_GITO_EXPECT_IMAGES")); len(missing) > 0 {
		return &exitcode.VerifyError{Err: fmt.Errorf("%sthe render does not run %s (ARGOCD_ENV_GITO_EXPECT_IMAGES)", prefix(app), strings.Join(missing, ", "))}
	}
	_, err = opts.IO.Out.Write(res.YAML)
	return err
}

// discover names a .sig in dir, else the .gito.yaml or .gito/ of an enclosing repository.
func discover(dir string) string {
	if sigs, _ := filepath.Glob(filepath.Join(dir, "*.sig")); len(sigs) > 0 {
		return filepath.Base(sigs[0])
	}
	for d := dir; ; d = filepath.Dir(d) {
		for _, marker := range []string{config.FileName, ".gito"} {
			if _, err := os.Stat(filepath.Join(d, marker)); err == nil {
				return filepath.Join(d, marker)
			}
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// missingImages lists the expected references that no container image line of the
// rendered YAML carries.
func missingImages(rendered []byte, expect string) []string {
	var missing []string
	for _, ref := range strings.Split(expect, ",") {
		ref = strings.TrimSpace(ref)
		if ref == "" {
			continue
		}
		if !containsLine(rendered, "image: "+ref) {
			missing = append(missing, ref)
		}
	}
	return missing
}

func containsLine(data []byte, want string) bool {
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
		if line == want {
			return true
		}
	}
	return false
}

// prefix names the Argo CD Application in stderr lines, which Argo CD shows on a failed sync.
func prefix(app string) string {
	if app == "" {
		return ""
	}
	return "app " + app + ": "
}

// loadAllowedSigners reads the pinned file, else the repository's. Without one, every
// signature is from an unknown key: with --allow-unsigned an entirely unsigned repo still
// renders, otherwise the first file read fails.
func loadAllowedSigners(root, workDir, override string, cfg *config.Repo) (*signing.AllowedSigners, error) {
	if override != "" {
		path := override
		if !filepath.IsAbs(path) {
			path = filepath.Join(workDir, path)
		}
		as, err := signing.LoadAllowedSigners(path, override)
		if err != nil {
			return nil, &exitcode.VerifyError{Err: fmt.Errorf("%w (--allowed-signers / GITO_ALLOWED_SIGNERS)", err)}
		}
		return as, nil
	}
	name := cfg.AllowedSignersPath()
	as, err := signing.LoadAllowedSigners(filepath.Join(root, filepath.FromSlash(name)), name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return as, err
}

func displayDir(d string) string {
	if d == "" {
		return "the current directory"
	}
	return d
}

func isTrue(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
