package giteaserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gito-dev/gito/internal/testutil"
)

// Names the template creates. The bot owns the token gito uses; the organization's team sre
// (alice and bob) may write every repository of Org, so they can review; the team docs
// (carol) has no repository; carol is a user with no access to private repositories.
const (
	Bot        = "gito-bot"
	Org        = "acme"
	Team       = "sre"
	TeamNoRepo = "docs"
	password   = "gito-test-password-1"
)

// Users other than the bot.
var Users = []string{"alice", "bob", "carol"}

// OrgLabels exist in Org, so every repository of the organization can use them.
var OrgLabels = []string{"release", "prod", "hotfix"}

// Template is a migrated, populated Gitea installation that servers are copied from, so
// each test gets a fresh Gitea in about the time `gitea web` takes to start.
type Template struct {
	in    instance
	token string
	// Startup is how long migrating and populating the template took.
	Startup time.Duration
}

// NewTemplate prepares the template once per test (the caller shares it between subtests).
// Without the Gitea binary the test skips, or fails when CI is set; a Gitea that does not
// start fails the test.
func NewTemplate(t testing.TB) *Template {
	t.Helper()
	bin, static, err := binary()
	if err != nil {
		testutil.MissingTool(t, fmt.Sprintf("gitea %s (%v)", Version, err), Install)
		return nil
	}
	began := time.Now()
	dir := shortTempDir(t)
	tpl := &Template{in: instance{dir: dir, bin: bin, static: static}}
	ctx := context.Background()
	if err := tpl.in.writeConfig("http://127.0.0.1/"); err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.in.run(ctx, "migrate"); err != nil {
		t.Fatalf("gitea template: %v", err)
	}
	if _, err := tpl.in.run(ctx, "admin", "user", "create", "--username", Bot, "--password", password,
		"--email", Bot+"@example.com", "--admin", "--must-change-password=false"); err != nil {
		t.Fatalf("gitea template: %v", err)
	}
	out, err := tpl.in.run(ctx, "admin", "user", "generate-access-token", "--username", Bot,
		"--token-name", "gito", "--scopes", "all", "--raw")
	if err != nil {
		t.Fatalf("gitea template: %v", err)
	}
	// As root, Gitea prints a warning on stdout before the token: the token is the last line.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	tpl.token = strings.TrimSpace(lines[len(lines)-1])
	if len(tpl.token) < 20 || strings.ContainsAny(tpl.token, " \n") {
		t.Fatalf("gitea template: generate-access-token --raw printed %q, want a token", out)
	}
	if err := tpl.in.start(ctx); err != nil {
		t.Fatalf("gitea template: %v", err)
	}
	populateErr := tpl.populate(ctx)
	stopErr := tpl.in.stop()
	if populateErr != nil {
		t.Fatalf("gitea template: %v\n%s", populateErr, tpl.in.logTail())
	}
	if stopErr != nil {
		t.Fatalf("gitea template: stop: %v", stopErr)
	}
	tpl.Startup = time.Since(began)
	return tpl
}

// populate creates the users, the organization, its team and labels through the API.
func (tpl *Template) populate(ctx context.Context) error {
	api := apiClient{in: &tpl.in, token: tpl.token}
	for _, u := range Users {
		if err := api.do(ctx, "POST", "/admin/users", map[string]any{
			"username": u, "email": u + "@example.com", "password": password, "must_change_password": false,
		}, nil); err != nil {
			return err
		}
	}
	if err := api.do(ctx, "POST", "/orgs", map[string]any{"username": Org, "visibility": "public"}, nil); err != nil {
		return err
	}
	var team struct{ ID int64 }
	if err := api.do(ctx, "POST", "/orgs/"+Org+"/teams", map[string]any{
		"name": Team, "permission": "write", "includes_all_repositories": true,
		"units": []string{"repo.code", "repo.pulls", "repo.issues"},
	}, &team); err != nil {
		return err
	}
	for _, u := range []string{"alice", "bob"} {
		if err := api.do(ctx, "PUT", fmt.Sprintf("/teams/%d/members/%s", team.ID, u), nil, nil); err != nil {
			return err
		}
	}
	var docs struct{ ID int64 }
	if err := api.do(ctx, "POST", "/orgs/"+Org+"/teams", map[string]any{
		"name": TeamNoRepo, "permission": "read", "includes_all_repositories": false, "units": []string{"repo.code"},
	}, &docs); err != nil {
		return err
	}
	if err := api.do(ctx, "PUT", fmt.Sprintf("/teams/%d/members/carol", docs.ID), nil, nil); err != nil {
		return err
	}
	for i, l := range OrgLabels {
		if err := api.do(ctx, "POST", "/orgs/"+Org+"/labels", map[string]any{
			"name": l, "color": fmt.Sprintf("#%02x66cc", 40*i),
		}, nil); err != nil {
			return err
		}
	}
	return nil
}

// shortTempDir is a temporary directory with a short path: a unix socket's path is limited to
// about 100 bytes, and t.TempDir's names grow with the test's name.
func shortTempDir(t testing.TB) string {
	dir, err := os.MkdirTemp("", "gitea-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// copyDir copies the template's installation (database, data, repositories) into dst.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSocket != 0, rel == "app.ini", strings.HasSuffix(rel, ".log"):
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		info, err := in.Stat()
		if err != nil {
			return err
		}
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// apiClient calls Gitea's API over the socket as the bot.
type apiClient struct {
	in    *instance
	token string
}

// APIError is a non-2xx answer, with Gitea's message.
type APIError struct {
	Method, Path string
	Status       int
	Message      string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
}

func (c apiClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://gitea/api/v1"+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "token "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.in.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var msg struct{ Message string }
		_ = json.Unmarshal(data, &msg)
		if msg.Message == "" {
			msg.Message = strings.TrimSpace(string(data))
		}
		return &APIError{Method: method, Path: path, Status: resp.StatusCode, Message: msg.Message}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return nil
}
