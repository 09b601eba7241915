package giteaserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// instance is one Gitea installation on disk: app.ini, SQLite database, repositories, and,
// while running, a `gitea web` listening on a unix socket in the same directory.
type instance struct {
	dir, bin, static string
	cmd              *exec.Cmd
	exited           chan struct{}
	exitErr          error
	client           *http.Client // talks to the socket directly, past the proxy
}

// secrets Gitea would otherwise generate and write back into app.ini.
const (
	secretKey     = "gito-test-secret-key-not-secret"
	internalToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYmYiOjE3MDAwMDAwMDB9.gito-test-internal-token"
	jwtSecret     = "Z2l0by10ZXN0LWp3dC1zZWNyZXQtbm90LXNlY3JldC0xMjM0NTY"
)

func (in *instance) socket() string { return filepath.Join(in.dir, "gitea.sock") }
func (in *instance) config() string { return filepath.Join(in.dir, "app.ini") }

// RepoRoot is where Gitea keeps bare repositories: <RepoRoot>/<owner>/<repo>.git.
func (in *instance) repoRoot() string { return filepath.Join(in.dir, "repos") }

// writeConfig writes app.ini for rootURL, the address users and gito see (the proxy).
func (in *instance) writeConfig(rootURL string) error {
	u, err := user.Current()
	if err != nil {
		return err
	}
	ini := fmt.Sprintf(`APP_NAME = gito test
RUN_MODE = prod
RUN_USER = %[1]s
WORK_PATH = %[2]s

[server]
PROTOCOL = http+unix
HTTP_ADDR = %[2]s/gitea.sock
ROOT_URL = %[3]s
PUBLIC_URL_DETECTION = never
STATIC_ROOT_PATH = %[4]s
APP_DATA_PATH = %[2]s/data
DISABLE_SSH = true
START_SSH_SERVER = false
OFFLINE_MODE = true
LFS_START_SERVER = false

[database]
DB_TYPE = sqlite3
PATH = %[2]s/gitea.db
SQLITE_JOURNAL_MODE = WAL
SQLITE_TIMEOUT = 20000

[repository]
ROOT = %[2]s/repos
DEFAULT_PRIVATE = private

[security]
INSTALL_LOCK = true
SECRET_KEY = %[5]s
INTERNAL_TOKEN = %[6]s
PASSWORD_HASH_ALGO = pbkdf2$1000$32

[oauth2]
ENABLED = false
JWT_SECRET = %[7]s

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = false

[mailer]
ENABLED = false

[session]
PROVIDER = memory

[cache]
ADAPTER = memory

[queue]
TYPE = channel

[indexer]
ISSUE_INDEXER_TYPE = db
REPO_INDEXER_ENABLED = false

[cron]
ENABLED = false

[cron.update_checker]
ENABLED = false

[actions]
ENABLED = false

[packages]
ENABLED = false

[log]
MODE = file
LEVEL = Warn
ROOT_PATH = %[2]s/log
`, u.Username, in.dir, rootURL, in.static, secretKey, internalToken, jwtSecret)
	return os.WriteFile(in.config(), []byte(ini), 0o600)
}

func (in *instance) env() []string {
	return append(os.Environ(),
		"GITEA_WORK_DIR="+in.dir,
		"GITEA_CUSTOM="+filepath.Join(in.dir, "custom"),
		"HOME="+filepath.Join(in.dir, "home"),
		// CI runs as root; Gitea refuses that without this.
		"GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT=true",
		"GIT_CONFIG_NOSYSTEM=1",
	)
}

// run runs one `gitea` subcommand against this installation and returns its stdout.
func (in *instance) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, in.bin, append(args, "--config", in.config())...)
	cmd.Dir = in.dir
	cmd.Env = in.env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("gitea %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// start runs `gitea web` and returns once /api/v1/version answers, or an error with the tail
// of Gitea's log when it exits or does not answer in time.
func (in *instance) start(ctx context.Context) error {
	in.client = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", in.socket())
		},
	}}
	logFile, err := os.Create(filepath.Join(in.dir, "web.log"))
	if err != nil {
		return err
	}
	in.cmd = exec.Command(in.bin, "web", "--config", in.config())
	in.cmd.Dir = in.dir
	in.cmd.Env = in.env()
	in.cmd.Stdout, in.cmd.Stderr = logFile, logFile
	if err := in.cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("start gitea web: %w", err)
	}
	in.exited = make(chan struct{})
	go func() {
		in.exitErr = in.cmd.Wait()
		logFile.Close()
		close(in.exited)
	}()
	err = in.poll(ctx, 90*time.Second, func() (bool, error) {
		status, err := in.status(ctx, "/api/v1/version")
		return err == nil && status == http.StatusOK, nil
	})
	if err != nil {
		return fmt.Errorf("gitea web did not answer /api/v1/version: %w\n%s", err, in.logTail())
	}
	return nil
}

// poll checks cond until it holds, the server exits, or the bound passes. The interval is
// only the pace of the checks: correctness rests on the condition, not on the wait.
func (in *instance) poll(ctx context.Context, bound time.Duration, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-in.exited:
			return fmt.Errorf("gitea exited: %v", in.exitErr)
		case <-ctx.Done():
			return fmt.Errorf("gave up after %s", bound)
		case <-tick.C:
		}
	}
}

func (in *instance) status(ctx context.Context, path string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://gitea"+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := in.client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// stop asks Gitea to shut down and waits; a Gitea that hangs is killed.
func (in *instance) stop() error {
	if in.cmd == nil || in.cmd.Process == nil {
		return nil
	}
	_ = in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-in.exited:
	case <-time.After(30 * time.Second):
		_ = in.cmd.Process.Kill()
		<-in.exited
	}
	in.cmd = nil
	var exit *exec.ExitError
	if in.exitErr != nil && !errors.As(in.exitErr, &exit) {
		return in.exitErr
	}
	return nil
}

func (in *instance) logTail() string {
	var b strings.Builder
	for _, name := range []string{"web.log", "log/gitea.log"} {
		data, err := os.ReadFile(filepath.Join(in.dir, name))
		if err != nil || len(data) == 0 {
			continue
		}
		if len(data) > 4000 {
			data = data[len(data)-4000:]
		}
		fmt.Fprintf(&b, "--- %s (tail) ---\n%s\n", name, data)
	}
	return b.String()
}
