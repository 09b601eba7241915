// Package serve implements `gito serve`, an Argo CD ApplicationSet plugin generator.
package serve

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/cmdutil"
	"github.com/gito-dev/gito/internal/config"
	"github.com/gito-dev/gito/internal/exitcode"
	"github.com/gito-dev/gito/internal/gitrepo"
	"github.com/gito-dev/gito/internal/iostreams"
	"github.com/gito-dev/gito/internal/plugingen"
	"github.com/gito-dev/gito/internal/signing"
	"github.com/gito-dev/gito/internal/workspace"
)

// ServeOptions is what `gito serve` needs.
type ServeOptions struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	Now    func() time.Time

	Repo           string
	Base           string
	Listen         string
	TokenFile      string
	Refresh        time.Duration
	RefreshTimeout time.Duration // 0: the refresh interval, at least minRefreshTimeout
	AllowedSigners string
	// AddrFile receives the listening address once the port is bound (for --listen :0).
	AddrFile string
	Debug    bool
}

// NewCmdServe builds `gito serve`.
func NewCmdServe(f *cmdutil.Factory, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IOStreams, Getenv: f.Getenv, Now: f.Now}
	getenv := f.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	cmd := &cobra.Command{
		Use:   "serve --repo URL [--listen ADDR] [--token-file F]",
		Short: "Argo CD ApplicationSet plugin generator: versions and digests per overlay over HTTP",
		Long: `Answer Argo CD's ApplicationSet plugin generator protocol from the infra repo:
POST /api/v1/getparams.execute with "Authorization: Bearer <token>" returns one parameter
map per (service, env) overlay of the base branch:

  {"service","env","version","digest","image","path","commit","signed"}

The input parameters service, env and branch filter the answer; branch names a release
branch (gito/{env}/{service}) and returns the version pending there. signed says whether the
overlay's kustomization verifies against the allowed signers (--allowed-signers, env
GITO_ALLOWED_SIGNERS, else the repository's).

The token is the content of --token-file, read again whenever the file changes; a wrong or
missing token gets 403. A cached clone is fetched every --refresh, one fetch at a time;
requests are answered from the last good snapshot meanwhile, and when a fetch fails. A
refresh that runs past --refresh-timeout (a remote that stops answering) is stopped, git
and all, and the next one runs on time. /healthz is liveness, /readyz readiness (503 until
a first snapshot is loaded; its body says "stale" while refreshes fail, and why),
/metrics is Prometheus. SIGTERM or SIGINT: stop accepting,
finish the requests in flight, exit 0. Logs are JSON on stderr when it is not a terminal.`,
		Example: `  gito serve --repo https://github.com/acme/infra.git --listen :4355 --token-file /var/run/argo/token   # runs until SIGTERM
  curl -s localhost:4355/api/v1/getparams.execute -H "Authorization: Bearer $(cat /var/run/argo/token)" -d '{"input":{"parameters":{"env":"prod"}}}'   # runs against the server`,
		Args:              cmdutil.NoArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Repo == "" {
				opts.Repo = getenv("GITO_REPO")
			}
			if opts.Refresh < time.Second {
				return exitcode.FlagErrorf("--refresh must be at least 1s, got %s", opts.Refresh)
			}
			if opts.RefreshTimeout != 0 && opts.RefreshTimeout < time.Second {
				return exitcode.FlagErrorf("--refresh-timeout must be at least 1s, got %s", opts.RefreshTimeout)
			}
			if _, _, err := net.SplitHostPort(opts.Listen); err != nil {
				return exitcode.FlagErrorf("--listen %q: want HOST:PORT or :PORT", opts.Listen)
			}
			if strings.TrimSpace(opts.TokenFile) == "" {
				return exitcode.FlagErrorf("--token-file is required")
			}
			if opts.Base != "" {
				if err := config.ValidateBranch("--base", opts.Base); err != nil {
					return &exitcode.FlagError{Err: err}
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return serveRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Repo, "repo", "", "Infra repo URL or path (default: $GITO_REPO, then the user config)")
	fl.StringVar(&opts.Base, "base", "", "Branch to read (default: .gito.yaml baseBranch, then the remote's HEAD)")
	fl.StringVar(&opts.Listen, "listen", "127.0.0.1:4355", "Address to listen on, `HOST:PORT` (\":4355\" for every interface)")
	fl.StringVar(&opts.TokenFile, "token-file", "/var/run/argo/token", "File holding the bearer token Argo CD sends (re-read when it changes)")
	fl.DurationVar(&opts.Refresh, "refresh", 30*time.Second, "How often to fetch the infra repo")
	fl.DurationVar(&opts.RefreshTimeout, "refresh-timeout", 0, "Deadline of one refresh (default: --refresh, at least 30s; the first clone gets 10m)")
	fl.StringVar(&opts.AllowedSigners, "allowed-signers", getenv("GITO_ALLOWED_SIGNERS"), "Allowed signers `file` to trust instead of the repository's (env GITO_ALLOWED_SIGNERS)")
	fl.BoolVar(&opts.Debug, "debug", false, "Log every request")
	fl.StringVar(&opts.AddrFile, "addr-file", "", "Write the listening address to `file` once bound")
	_ = fl.MarkHidden("addr-file")
	return cmd
}

func serveRun(ctx context.Context, opts *ServeOptions) error {
	log := newLogger(opts.IO, opts.Debug)
	token, err := plugingen.OpenTokenFile(opts.TokenFile)
	if err != nil {
		return exitcode.FlagErrorf("--token-file: %v", err)
	}
	var pinned *signing.AllowedSigners
	if opts.AllowedSigners != "" {
		if pinned, err = signing.LoadAllowedSigners(opts.AllowedSigners, opts.AllowedSigners); err != nil {
			return err
		}
	}
	if _, _, err := workspace.ResolveRemote(ctx, opts.Repo, "", opts.Getenv); err != nil {
		return err
	}
	src := &plugingen.Source{
		Base: opts.Base, AllowedSigners: pinned, Now: opts.Now,
		Open: func(ctx context.Context) (*gitrepo.Repo, error) {
			return workspace.OpenCache(ctx, opts.Repo, "", opts.Getenv, nil)
		},
	}
	store := plugingen.NewStore(src.Load, log)
	h := &plugingen.Handler{Store: store, Token: token, Log: log, StaleAfter: 3 * opts.Refresh, Now: opts.Now}
	srv := plugingen.NewServer(h.New(prometheus.NewRegistry()), log)

	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", opts.Listen, err)
	}
	addr := ln.Addr().String()
	if opts.AddrFile != "" {
		if err := writeAtomic(opts.AddrFile, addr+"\n"); err != nil {
			ln.Close()
			return err
		}
	}
	log.Info("listening", "addr", addr, "refresh", opts.Refresh.String())

	refreshCtx, stopRefresh := context.WithCancel(ctx)
	defer stopRefresh()
	done := make(chan struct{})
	go func() {
		defer close(done)
		store.Run(refreshCtx, opts.Refresh, refreshTimeout(opts))
	}()
	err = plugingen.Serve(ctx, srv, ln)
	stopRefresh()
	<-done
	if err != nil {
		return err
	}
	log.Info("shut down cleanly")
	return nil
}

// minRefreshTimeout is the default deadline of a refresh under a short --refresh: a fetch
// that rebuilds a large snapshot can take longer than a second.
const minRefreshTimeout = 30 * time.Second

func refreshTimeout(opts *ServeOptions) time.Duration {
	if opts.RefreshTimeout > 0 {
		return opts.RefreshTimeout
	}
	return max(opts.Refresh, minRefreshTimeout)
}

// writeAtomic writes through a rename, so a reader polling for the file never sees it half
// written.
func writeAtomic(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return fmt.Errorf("--addr-file: %w", err)
	}
	if err := os.Rename(tmp, filepath.Clean(path)); err != nil {
		return fmt.Errorf("--addr-file: %w", err)
	}
	return nil
}

func newLogger(ios *iostreams.IOStreams, debug bool) *slog.Logger {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	var w io.Writer = ios.ErrOut
	hopts := &slog.HandlerOptions{Level: level}
	if ios.IsStderrTTY() {
		return slog.New(slog.NewTextHandler(w, hopts))
	}
	return slog.New(slog.NewJSONHandler(w, hopts))
}
