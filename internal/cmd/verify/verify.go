// Package verify implements `gito verify`.
package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/signing"
)

// VerifyOptions is what `gito verify` needs.
type VerifyOptions struct {
	IO  *iostreams.IOStreams
	Now func() time.Time
	// WorkDir is where relative paths start; empty means the process's working directory.
	WorkDir string
	Paths   []string
	JSON    bool
	// AllowedSigners overrides .gito.yaml's signing.allowedSigners with a file that may lie
	// outside the repository, so a hook or Argo CD can pin trust the pushed tree cannot edit.
	AllowedSigners string
	// Required fails unsigned files whatever .gito.yaml says.
	Required bool
	// Root overrides repository root detection (git, then .gito.yaml or .gito/ upwards).
	Root string
	// Policy checks the change Base...Head against locks, freezes and gates (policy.go).
	Policy     bool
	Base, Head string
}

// NewCmdVerify builds `gito verify`.
func NewCmdVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{IO: f.IOStreams, Now: f.Now}
	getenv := f.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	cmd := &cobra.Command{
		Use:   "verify [PATH...]",
		Short: "Check the signatures of kustomization files; exit 3 on any failure",
		Long: `Verify the SSH signature (<file>.sig) of every kustomization file, and of every other
file that has a .sig next to it, under the repository root or under the given paths.

Signers come from the allowed signers file named by signing.allowedSigners in .gito.yaml
(default .gito/allowed_signers), in OpenSSH's format. Each signature must be bound to its
file's repo-relative path (namespace gito:PATH). Nothing is fetched: it works offline, in CI,
in a pre-receive hook and as an Argo CD config-management plugin.

Unsigned files fail only when signing.required is true (or with --required). --required
covers every file verify looks at: every kustomization file, bases and components included,
and every file with a .sig. gito release, rollback and promote sign what they write; sign the
rest once with gito sign (gito sign --render DIR signs all a render reads). Without an allowed
signers file and without --required, files are reported unsigned and verify exits 0. Any
failure exits with status 3, after every file has been reported.

Where the verified tree is untrusted (a pre-receive hook, Argo CD), pin the allowed signers
with --allowed-signers (env GITO_ALLOWED_SIGNERS) and use --required (env
GITO_VERIFY_REQUIRED=1): otherwise a push could add its own key or switch signing off.

With --policy --base REF [--head REF], verify checks a change (a pull request) instead: every
(service, env) overlay the change writes, a shared base counting for every overlay that
uses it, against the base branch's guardrails. It fails, one line per violation, for a
change into a locked env, into a frozen env at check time, past a promotion gate, an edit of
.gito/locks.yaml without a trusted signature, and a Gito-Override trailer that policy
.allowOverride does not allow or no allowed signer signed. Make it a required check.`,
		Example: `  gito verify
  gito verify overlays/prod
  gito verify --json overlays/prod/api
  gito verify --policy --base origin/main --head HEAD      # in the infra repo's CI
  cd overlays/prod/api && gito verify . >&2 && kustomize build .   # an Argo CD plugin's generate step`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			for _, p := range args {
				if strings.TrimSpace(p) == "" {
					return exitcode.FlagErrorf("empty path argument")
				}
			}
			if opts.Policy {
				if len(args) > 0 {
					return exitcode.FlagErrorf("--policy checks a change (--base, --head), not paths")
				}
				if opts.Base == "" {
					return exitcode.FlagErrorf("--policy needs --base: the pull request's base (a branch or commit)")
				}
			} else if opts.Base != "" || cmd.Flags().Changed("head") {
				return exitcode.FlagErrorf("--base and --head go with --policy")
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.Policy {
				return policyRun(cmd.Context(), opts)
			}
			return verifyRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "Print an array of results as JSON (with --policy: one object)")
	cmd.Flags().BoolVar(&opts.Policy, "policy", false, "Check the change --base...--head against locks, freeze windows and promotion gates (a required check in the infra repo's CI)")
	cmd.Flags().StringVar(&opts.Base, "base", "", "With --policy: the base of the change (the pull request's target branch or commit)")
	cmd.Flags().StringVar(&opts.Head, "head", "HEAD", "With --policy: the head of the change")
	cmd.Flags().StringVar(&opts.AllowedSigners, "allowed-signers", getenv("GITO_ALLOWED_SIGNERS"), "Allowed signers `file` to trust instead of the repository's (env GITO_ALLOWED_SIGNERS)")
	cmd.Flags().StringVar(&opts.Root, "root", getenv("GITO_ROOT"), "Repository root `dir` that signature paths are relative to (default: git top level, or the nearest directory with .gito.yaml or .gito/)")
	cmd.Flags().BoolVar(&opts.Required, "required", isTrue(getenv("GITO_VERIFY_REQUIRED")), "Fail unsigned files even when .gito.yaml makes signing optional (env GITO_VERIFY_REQUIRED)")
	return cmd
}

func verifyRun(ctx context.Context, opts *VerifyOptions) error {
	workDir, err := cmdutil.WorkDir(opts.WorkDir)
	if err != nil {
		return err
	}
	targets := make([]string, 0, len(opts.Paths))
	for _, p := range opts.Paths {
		if !filepath.IsAbs(p) {
			p = filepath.Join(workDir, p)
		}
		targets = append(targets, filepath.Clean(p))
	}

	start := workDir
	if len(targets) > 0 {
		start = targets[0]
		if fi, err := os.Stat(start); err != nil {
			return fmt.Errorf("verify %s: %w", opts.Paths[0], err)
		} else if !fi.IsDir() {
			start = filepath.Dir(start)
		}
	}
	root := signing.FindRoot(ctx, start, workDir)
	if opts.Root != "" {
		root = opts.Root
		if !filepath.IsAbs(root) {
			root = filepath.Join(workDir, root)
		}
		if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
			return exitcode.FlagErrorf("--root %s is not a directory", opts.Root)
		}
	}
	if len(targets) == 0 {
		targets = []string{root}
	}

	cfg, err := config.LoadRepo(root)
	if err != nil {
		return err
	}
	required := cfg.Signing.Required || opts.Required
	allowed, err := loadAllowedSigners(root, workDir, opts.AllowedSigners, cfg, required)
	if err != nil {
		return err
	}

	files, err := collect(root, targets, opts.Paths)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no kustomization files under %s", strings.Join(displayTargets(opts.Paths), ", "))
	}

	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	results := make([]signing.Result, 0, len(files))
	failed := 0
	for _, rel := range files {
		res := signing.Verify(ctx, signing.VerifyRequest{Root: root, Path: rel, AllowedSigners: allowed, Now: now()})
		if failure(res, required) {
			failed++
		}
		results = append(results, res)
		if !opts.JSON {
			if _, err := fmt.Fprintln(opts.IO.Out, formatLine(res, required)); err != nil {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return err
		}
	}
	if failed > 0 {
		return &exitcode.VerifyError{Err: fmt.Errorf("%d of %d files failed signature verification", failed, len(results))}
	}
	if opts.IO.IsStderrTTY() {
		fmt.Fprintf(opts.IO.ErrOut, "%d files verified against %s\n", len(results), cfg.AllowedSignersPath())
	}
	return nil
}

// loadAllowedSigners reads the allowed signers: the --allowed-signers file, else the repo's.
// A missing file fails verification (exit 3) when signing is required or the file was named
// (--allowed-signers): the gate must fail closed, and CI and hooks treat 3 as "do not deploy".
func loadAllowedSigners(root, workDir, override string, cfg *config.Repo, required bool) (*signing.AllowedSigners, error) {
	name, path := cfg.AllowedSignersPath(), ""
	hint := fmt.Sprintf("in %s (set signing.allowedSigners in %s)", root, config.FileName)
	if override != "" {
		name, path, hint = override, override, "(--allowed-signers / GITO_ALLOWED_SIGNERS)"
		if !filepath.IsAbs(path) {
			path = filepath.Join(workDir, path)
		}
	} else {
		path = filepath.Join(root, filepath.FromSlash(name))
	}
	as, err := signing.LoadAllowedSigners(path, name)
	if errors.Is(err, fs.ErrNotExist) {
		err = fmt.Errorf("allowed signers file %s does not exist %s", name, hint)
		if required || override != "" {
			return nil, &exitcode.VerifyError{Err: fmt.Errorf("signing is required but %w", err)}
		}
		// A repo that has not adopted signatures: unsigned files are reported as such, and a
		// .sig that no allowed signer can vouch for fails as an unknown key.
		return &signing.AllowedSigners{Name: name}, nil
	}
	return as, err
}

func isTrue(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// failure: everything but ok fails, except an unsigned file while signing is optional.
func failure(res signing.Result, required bool) bool {
	return res.Status != signing.StatusOK && (required || res.Status != signing.StatusUnsigned)
}

func formatLine(res signing.Result, required bool) string {
	switch {
	case res.Status == signing.StatusOK:
		return fmt.Sprintf("ok   %s  %s %s", res.Path, res.Principal, res.Fingerprint)
	case !failure(res, required):
		return fmt.Sprintf("skip %s  unsigned (signing is optional)", res.Path)
	default:
		return fmt.Sprintf("FAIL %s  %s: %s", res.Path, res.Status, res.Message)
	}
}

// collect lists repo-relative files to verify: each file named, and under each directory
// every kustomization file and every file with a .sig next to it. .git is skipped.
func collect(root string, targets, given []string) ([]string, error) {
	seen := map[string]bool{}
	add := func(path string) error {
		rel, ok := signing.RelPath(root, path)
		if !ok || rel == "." {
			return exitcode.FlagErrorf("%s is outside the repository %s", path, root)
		}
		seen[rel] = true
		return nil
	}
	for i, target := range targets {
		fi, err := os.Stat(target)
		if err != nil {
			name := target
			if i < len(given) {
				name = given[i]
			}
			return nil, fmt.Errorf("verify %s: %w", name, err)
		}
		if !fi.IsDir() {
			if strings.HasSuffix(target, ".sig") {
				target = strings.TrimSuffix(target, ".sig")
			}
			if err := add(target); err != nil {
				return nil, err
			}
			continue
		}
		if _, ok := signing.RelPath(root, target); !ok {
			return nil, exitcode.FlagErrorf("%s is outside the repository %s", target, root)
		}
		err = filepath.WalkDir(target, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == ".git" {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			if signed, ok := strings.CutSuffix(path, ".sig"); ok {
				if _, err := os.Lstat(signed); err == nil {
					return add(signed)
				}
				return nil
			}
			if signing.IsKustomizationFile(d.Name()) {
				return add(path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", target, err)
		}
	}
	files := make([]string, 0, len(seen))
	for f := range seen {
		files = append(files, f)
	}
	sort.Strings(files)
	return files, nil
}

func displayTargets(given []string) []string {
	if len(given) == 0 {
		return []string{"the repository root"}
	}
	return given
}
