// Package sign implements `gito sign`.
package sign

import (
	"context"
	"encoding/json"
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

// SignOptions is what `gito sign` needs.
type SignOptions struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	Now    func() time.Time
	// WorkDir is where relative paths start; empty means the process's working directory.
	WorkDir string
	Paths   []string
	// Render is --render DIR: sign every file a render of DIR reads instead of Paths.
	Render     string
	SigningKey string
	JSON       bool
	// GitConfig reads git config values; nil runs `git config` in the repository.
	GitConfig func(ctx context.Context, key string) (string, error)
}

// signed is one line of `gito sign --json`.
type signed struct {
	Path        string `json:"path"`
	Signature   string `json:"signature"`
	Fingerprint string `json:"fingerprint"`
	Principal   string `json:"principal"`
}

// NewCmdSign builds `gito sign`.
func NewCmdSign(f *cmdutil.Factory, runF func(*SignOptions) error) *cobra.Command {
	opts := &SignOptions{IO: f.IOStreams, Getenv: f.Getenv, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "sign PATH... | --render DIR",
		Short: "(Re)sign kustomization files after a hand edit",
		Long: `Write <file>.sig next to each file: an SSH signature (the ssh-keygen -Y sign format)
over the file's exact bytes, bound to its repo-relative path with namespace gito:PATH.
A directory stands for the kustomization file in it.

--render DIR signs every file that rendering DIR reads: its kustomization and every base,
component, patch and generator input it pulls in, as kustomize finds them. That is the set
gito generate (the Argo CD plugin) verifies, so one command adopts an overlay.

The key is --signing-key (or GITO_SIGNING_KEY, or signingKey in gito's user config), else
git's user.signingkey when gpg.format is ssh, else the first key of ssh-agent. An encrypted
key must be loaded with ssh-add: gito never asks for passphrases.`,
		Example: `  gito sign overlays/prod/api/kustomization.yaml
  gito sign --signing-key ~/.ssh/id_ed25519 overlays/prod/api overlays/prod/web
  gito sign --render overlays/prod/api`,
		Args: func(cmd *cobra.Command, args []string) error {
			render, _ := cmd.Flags().GetString("render")
			if render != "" && len(args) > 0 {
				return exitcode.FlagErrorf("--render DIR and PATH arguments cannot be combined")
			}
			if len(args) == 0 && render == "" {
				return exitcode.FlagErrorf("name at least one kustomization file to sign, or --render DIR")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, p := range args {
				if strings.HasSuffix(p, ".sig") {
					return exitcode.FlagErrorf("%s is a signature; name the file it signs", p)
				}
				if strings.TrimSpace(p) == "" {
					return exitcode.FlagErrorf("empty path argument")
				}
			}
			opts.Paths = args
			if runF != nil {
				return runF(opts)
			}
			return signRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "Print the signatures written as JSON")
	cmd.Flags().StringVar(&opts.Render, "render", "", "Sign every file that rendering the kustomization in `DIR` reads")
	cmd.Flags().StringVar(&opts.SigningKey, "signing-key", "", "SSH private key `path` (or the .pub of an ssh-agent key) to sign with (env GITO_SIGNING_KEY)")
	return cmd
}

func signRun(ctx context.Context, opts *SignOptions) error {
	workDir, err := cmdutil.WorkDir(opts.WorkDir)
	if err != nil {
		return err
	}
	type target struct{ root, rel string }
	targets := make([]target, 0, len(opts.Paths))
	if opts.Render != "" {
		root, files, err := renderReads(ctx, workDir, opts.Render)
		if err != nil {
			return err
		}
		for _, rel := range files {
			targets = append(targets, target{root, rel})
		}
	}
	for _, p := range opts.Paths {
		abs, err := resolveTarget(workDir, p)
		if err != nil {
			return err
		}
		root := signing.FindRoot(ctx, filepath.Dir(abs), workDir)
		rel, ok := signing.RelPath(root, abs)
		if !ok {
			return exitcode.FlagErrorf("%s is outside the repository %s", p, root)
		}
		targets = append(targets, target{root, rel})
	}

	keyPath, err := keyPath(opts)
	if err != nil {
		return err
	}
	gitConfig := opts.GitConfig
	if gitConfig == nil {
		gitConfig = signing.GitConfigReader(targets[0].root)
	}
	signer, err := signing.LoadSigner(ctx, signing.KeySource{KeyPath: keyPath, Getenv: opts.Getenv, GitConfig: gitConfig})
	if err != nil {
		return err
	}

	var out []signed
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			return err
		}
		sigPath, err := signing.SignFile(t.root, t.rel, signer)
		if err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "signed %s (%s %s)\n", t.rel, signer.Fingerprint(), signer.Principal())
		if warning := checkAllowed(ctx, t.root, t.rel, opts.now()); warning != "" {
			fmt.Fprintf(opts.IO.ErrOut, "warning: gito verify will reject %s: %s\n", t.rel, warning)
		}
		out = append(out, signed{Path: t.rel, Signature: sigPath, Fingerprint: signer.Fingerprint(), Principal: signer.Principal()})
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return nil
}

// renderReads lists, relative to the repository root, the files a render of dir reads.
func renderReads(ctx context.Context, workDir, dir string) (root string, files []string, err error) {
	abs := dir
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(workDir, dir)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return "", nil, exitcode.FlagErrorf("--render %s is not a directory", dir)
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return "", nil, fmt.Errorf("sign --render %s: %w", dir, err)
	}
	root = signing.FindRoot(ctx, abs, abs)
	files, err = render.Reads(ctx, root, abs)
	if err != nil {
		return "", nil, fmt.Errorf("sign --render %s: %w", dir, err)
	}
	if len(files) == 0 {
		return "", nil, fmt.Errorf("sign --render %s: the render read no files", dir)
	}
	return root, files, nil
}

// resolveTarget makes p absolute and turns a directory into the kustomization file in it.
func resolveTarget(workDir, p string) (string, error) {
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(workDir, p)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", p, err)
	}
	if !fi.IsDir() {
		if !fi.Mode().IsRegular() {
			return "", exitcode.FlagErrorf("%s is not a regular file", p)
		}
		return filepath.Clean(abs), nil
	}
	for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		if _, err := os.Stat(filepath.Join(abs, name)); err == nil {
			return filepath.Join(abs, name), nil
		}
	}
	return "", exitcode.FlagErrorf("%s is a directory without a kustomization file", p)
}

// keyPath applies the documented order: --signing-key, GITO_SIGNING_KEY (read by LoadSigner),
// then the user config's signingKey; git and ssh-agent come after, inside LoadSigner.
func keyPath(opts *SignOptions) (string, error) {
	if opts.SigningKey != "" || opts.Getenv("GITO_SIGNING_KEY") != "" {
		return opts.SigningKey, nil
	}
	user, err := config.LoadUser(opts.Getenv)
	if err != nil {
		return "", err
	}
	return user.SigningKey, nil
}

// checkAllowed tells the signer now, not in CI, when allowed_signers would refuse the file.
func checkAllowed(ctx context.Context, root, rel string, now time.Time) string {
	cfg, err := config.LoadRepo(root)
	if err != nil {
		return ""
	}
	name := cfg.AllowedSignersPath()
	as, err := signing.LoadAllowedSigners(filepath.Join(root, filepath.FromSlash(name)), name)
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		return err.Error()
	}
	res := signing.Verify(ctx, signing.VerifyRequest{Root: root, Path: rel, AllowedSigners: as, Now: now})
	if res.OK() {
		return ""
	}
	return string(res.Status) + ": " + res.Message
}

func (o *SignOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}
