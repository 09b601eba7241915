package integration

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gito-dev/gito/internal/testutil/gitserver"
)

// commands are the harness verbs scripts use besides gito itself.
func commands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	cmds := map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"fake-forge":    positive(cmdFakeForge),
		"forge-token":   positive(cmdForgeToken),
		"forge-fail":    positive(cmdForgeFail),
		"forge-prs":     positive(cmdForgePRs),
		"forge-body":    positive(cmdForgeBody),
		"forge-writes":  cmdForgeWrites,
		"infra":         positive(cmdInfra),
		"sshkey":        positive(cmdSSHKey),
		"no-secret-in":  positive(cmdNoSecretIn),
		"no-secrets":    positive(cmdNoSecrets),
		"status":        cmdStatus,
		"land":          positive(cmdLand),
		"remote":        positive(cmdRemote),
		"merge-branch":  positive(cmdMergeBranch),
		"tmux-start":    positive(cmdTmuxStart),
		"tmux-wait":     positive(cmdTmuxWait),
		"tmux-keys":     positive(cmdTmuxKeys),
		"tmux-exit":     positive(cmdTmuxExit),
		"gitea-repo":    positive(cmdGiteaRepo),
		"gitea-label":   positive(cmdGiteaLabel),
		"gitea-prs":     positive(cmdGiteaPRs),
		"yamleq":        cmdYAMLEq,
		"serve-start":   positive(cmdServeStart),
		"serve-ready":   positive(cmdServeReady),
		"serve-signal":  positive(cmdServeSignal),
		"serve-wait":    cmdServeWait,
		"slowpost":      positive(cmdSlowPost),
		"registry":      cmdRegistry,
		"forge-merge":   positive(cmdForgeMerge),
		"forge-close":   positive(cmdForgeClose),
		"forge-await":   positive(cmdForgeAwait),
		"fake-argocd":   positive(cmdFakeArgoCD),
		"argocd-app":    positive(cmdArgoCDApp),
		"argocd-await":  positive(cmdArgoCDAwait),
		"argocd-fail":   positive(cmdArgoCDFail),
		"listen":        positive(cmdListen),
		"heard":         positive(cmdHeard),
		"forge-moved":   positive(cmdForgeMoved),
		"cache-shallow": cmdCacheShallow,
		"push-main":     positive(cmdPushMain),
		"gitea-public":  positive(cmdGiteaPublic),
	}
	maps.Copy(cmds, fluxCommands())
	return cmds
}

// positive wraps a command that has no negated form, so that `! cmd` fails the script
// instead of silently running cmd as if the `!` were not there.
func positive(fn func(ts *testscript.TestScript, neg bool, args []string)) func(ts *testscript.TestScript, neg bool, args []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if neg {
			ts.Fatalf("this command has no negated form: drop the !")
		}
		fn(ts, false, args)
	}
}

// fake-forge [prefix]: start the server of $FORGE (optionally under a self-hosted path
// prefix) and export FORGE_API, FORGE_PROJECT, TOKEN_ENV, the token variable, and TOKEN, the
// secret that must never show.
func cmdFakeForge(ts *testscript.TestScript, neg bool, args []string) {
	st := state(ts)
	prefix := ""
	if len(args) > 0 {
		prefix = args[0]
	}
	if st.row == nil {
		ts.Fatalf("fake-forge: FORGE=%q has no server", st.kind)
	}
	st.forge = st.row.start(st.t, st.shared, prefix)
	ts.Setenv("FORGE_API", st.forge.apiURL())
	ts.Setenv("FORGE_PROJECT", st.forge.project())
	// .gito.yaml names the fake's API on 127.0.0.1, which is not the (local) remote's host: the
	// user, not the repo, must declare it before gito sends it a token (hardening S2), and
	// plain http must be declared as such (http://host:port), or it means https (H4).
	api, err := url.Parse(st.forge.apiURL())
	ts.Check(err)
	declareHost(ts, api.Scheme+"://"+api.Host, st.kind)
	ts.Setenv("TOKEN_ENV", st.forge.tokenEnv())
	ts.Setenv("TOKEN", st.forge.secret())
	ts.Setenv(st.forge.tokenEnv(), st.forge.goodToken())
	for k, v := range st.forge.env() {
		ts.Setenv(k, v)
	}
	ts.Setenv("REVIEWERS", strings.Join(sortedCopy(st.forge.reviewers()), ","))
}

// forge-token good|bad|none: set, spoil or remove the forge token.
func cmdForgeToken(ts *testscript.TestScript, neg bool, args []string) {
	f := mustForge(ts)
	if len(args) != 1 {
		ts.Fatalf("usage: forge-token good|bad|none")
	}
	switch args[0] {
	case "good":
		ts.Setenv(f.tokenEnv(), f.goodToken())
	case "bad":
		ts.Setenv(f.tokenEnv(), f.badToken())
	case "none":
		ts.Setenv(f.tokenEnv(), "")
	default:
		ts.Fatalf("usage: forge-token good|bad|none")
	}
}

// forge-fail OP STATUS TIMES [RETRY_AFTER]: inject failures (OP: list, create, update, labels).
func cmdForgeFail(ts *testscript.TestScript, neg bool, args []string) {
	f := mustForge(ts)
	if len(args) < 3 {
		ts.Fatalf("usage: forge-fail OP STATUS TIMES [RETRY_AFTER]")
	}
	status, err1 := strconv.Atoi(args[1])
	times, err2 := strconv.Atoi(args[2])
	if err1 != nil || err2 != nil {
		ts.Fatalf("forge-fail: STATUS and TIMES are numbers")
	}
	retry := ""
	if len(args) > 3 {
		retry = args[3]
	}
	f.fail(args[0], status, retry, times)
}

// forge-prs: one line per PR/MR, in creation order.
func cmdForgePRs(ts *testscript.TestScript, neg bool, args []string) {
	for _, p := range mustForge(ts).prs() {
		fmt.Fprintln(ts.Stdout(), p.line())
	}
}

// forge-body N: the body of PR/MR N.
func cmdForgeBody(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: forge-body NUMBER")
	}
	n, _ := strconv.Atoi(args[0])
	for _, p := range mustForge(ts).prs() {
		if p.Number == n {
			fmt.Fprint(ts.Stdout(), p.Body)
			return
		}
	}
	ts.Fatalf("forge-body: no PR #%d", n)
}

// forge-writes N: the fake received exactly N write requests.
func cmdForgeWrites(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: forge-writes N")
	}
	want, _ := strconv.Atoi(args[0])
	got := mustForge(ts).writes()
	if (got == want) == neg {
		ts.Fatalf("forge received %d writes, want %s%d", got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// status CODE PROGRAM ARGS...: run a program and require that exact exit code; its output
// is then checked with stdout/stderr like exec's.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: %q is not an exit code", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			ts.Fatalf("status: %v", err)
		}
		got = exitErr.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

func mustForge(ts *testscript.TestScript) fakeForge {
	f := state(ts).forge
	if f == nil {
		ts.Fatalf("no fake forge: run fake-forge first")
	}
	return f
}

// infra NAME [http] [signer=KEY] [required] [template] [registry] [check] [pin=ENV] [extra=DIR]: create the example infra repo as a
// bare remote $WORK/NAME.git (served over HTTP on 127.0.0.1 with http), with .gito.yaml
// pointing at the fake forge when one runs. Exports REMOTE and BARE.
func cmdInfra(ts *testscript.TestScript, neg bool, args []string) {
	st := state(ts)
	if len(args) < 1 {
		ts.Fatalf("usage: infra NAME [http] [signer=KEY] [required]")
	}
	name := args[0]
	var overHTTP, required, reg, check bool
	signer, pinEnv, extra := "", "", ""
	for _, a := range args[1:] {
		switch {
		case strings.HasPrefix(a, "extra="): // files of DIR laid over the example repo
			extra = ts.MkAbs(strings.TrimPrefix(a, "extra="))
		case a == "http":
			overHTTP = true
		case a == "required":
			required = true
		case strings.HasPrefix(a, "signer="):
			signer = ts.MkAbs(strings.TrimPrefix(a, "signer="))
		case a == "registry", a == "check", strings.HasPrefix(a, "pin="): // see useRegistry
			reg, check = true, check || a == "check"
			if env, ok := strings.CutPrefix(a, "pin="); ok {
				pinEnv = env
			}
		default:
			ts.Fatalf("infra: unknown option %q", a)
		}
	}
	work := ts.MkAbs(".infra-src-" + name)
	if host, ok := st.forge.(repoHost); ok && st.forge != nil {
		// the server keeps the repository: http is how it is always served
		copyTree(ts, st.fixture, work)
		if extra != "" {
			copyTree(ts, extra, work)
		}
		ts.Check(os.WriteFile(filepath.Join(work, ".gito.yaml"), []byte(gitoYAML(st, required, signer != "")), 0o644))
		if reg {
			useRegistry(ts, work, check, pinEnv)
		}
		writeAllowedSigners(ts, work, signer)
		runGit(ts, work, "init", "-q", "-b", "main")
		runGit(ts, work, "add", "-A")
		runGit(ts, work, "commit", "-q", "-m", "Initial infra")
		remote, bare := host.createInfra(ts, name, work)
		ts.Setenv("BARE", bare)
		ts.Setenv("REMOTE", remote)
		return
	}
	copyTree(ts, st.fixture, work)
	if extra != "" {
		copyTree(ts, extra, work)
	}
	ts.Check(os.WriteFile(filepath.Join(work, ".gito.yaml"), []byte(gitoYAML(st, required, signer != "")), 0o644))
	if reg {
		useRegistry(ts, work, check, pinEnv)
	}
	writeAllowedSigners(ts, work, signer)
	bare := ts.MkAbs(name + ".git")
	runGit(ts, work, "init", "-q", "-b", "main")
	runGit(ts, work, "add", "-A")
	runGit(ts, work, "commit", "-q", "-m", "Initial infra")
	runGit(ts, "", "init", "-q", "--bare", "-b", "main", bare)
	runGit(ts, bare, "config", "uploadpack.allowFilter", "true")
	runGit(ts, bare, "config", "uploadpack.allowAnySHA1InWant", "true")
	runGit(ts, work, "push", "-q", bare, "main")
	ts.Setenv("BARE", bare)
	ts.Setenv("REMOTE", bare)
	if overHTTP {
		// The git server takes the forge token, as github.com and GitLab do; the user config
		// tells gito which forge the server's host belongs to.
		if st.forge == nil {
			ts.Fatalf("infra http: run fake-forge first")
		}
		base := ""
		if gh, ok := st.forge.(gitHost); ok {
			base = gh.serveGit(st.t, filepath.Dir(bare))
		} else {
			base = gitserver.ServeHTTP(st.t, filepath.Dir(bare), st.forge.goodToken()).URL
		}
		ts.Setenv("REMOTE", base+"/"+filepath.Base(bare))
		u, err := url.Parse(base)
		ts.Check(err)
		declareHost(ts, u.Host, st.kind)
	}
}

func writeAllowedSigners(ts *testscript.TestScript, work, signer string) {
	if signer == "" {
		return
	}
	pub, err := os.ReadFile(signer + ".pub")
	ts.Check(err)
	fields := strings.Fields(string(pub))
	line := fmt.Sprintf("dev@example.com namespaces=\"gito:*\" %s %s\n", fields[0], fields[1])
	ts.Check(os.MkdirAll(filepath.Join(work, ".gito"), 0o755))
	ts.Check(os.WriteFile(filepath.Join(work, ".gito", "allowed_signers"), []byte(line), 0o644))
}

// declareHost adds host to the user config's hosts: map, as a user of a self-hosted forge does.
func declareHost(ts *testscript.TestScript, host, kind string) {
	userCfg := filepath.Join(ts.Getenv("XDG_CONFIG_HOME"), "gito", "config.yaml")
	ts.Check(os.MkdirAll(filepath.Dir(userCfg), 0o755))
	data, err := os.ReadFile(userCfg)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		ts.Fatalf("read user config: %v", err)
	}
	if len(data) == 0 {
		data = []byte("hosts:\n")
	}
	if !strings.Contains(string(data), "hosts:\n") {
		ts.Fatalf("user config has no hosts: map to extend:\n%s", data)
	}
	entry := fmt.Sprintf("  %q: %s\n", host, kind)
	if strings.Contains(string(data), entry) {
		return // the API and git on one host (a GitHub App's fake) declare it twice
	}
	data = []byte(strings.Replace(string(data), "hosts:\n", "hosts:\n"+entry, 1))
	ts.Check(os.WriteFile(userCfg, data, 0o644))
}

func gitoYAML(st *scriptState, required, signed bool) string {
	var b strings.Builder
	b.WriteString("layout: \"overlays/{env}/{service}\"\n")
	if st.forge != nil {
		fmt.Fprintf(&b, "forge:\n  type: %s\n  apiURL: %s\n  project: %s\n", st.forge.kind(), st.forge.apiURL(), st.forge.project())
	} else {
		b.WriteString("forge:\n  type: none\n")
	}
	b.WriteString("services:\n  api:\n    images: [registry.example.com/team/api]\n  web:\n    images: [registry.example.com/team/web]\n")
	reviewers := []string{"alice"}
	if st.forge != nil {
		reviewers = st.forge.reviewers()
	}
	fmt.Fprintf(&b, "environments:\n  prod:\n    labels: [release, prod]\n    reviewers: [%s]\n  staging:\n    labels: [release]\n", strings.Join(reviewers, ", "))
	if required || signed {
		fmt.Fprintf(&b, "signing:\n  required: %t\n  allowedSigners: .gito/allowed_signers\n", required)
	}
	return b.String()
}

// sshkey NAME: an ed25519 key pair $WORK/NAME and $WORK/NAME.pub made by the real ssh-keygen.
func cmdSSHKey(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: sshkey NAME")
	}
	path := ts.MkAbs(args[0])
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dev@example.com", "-f", path).CombinedOutput()
	if err != nil {
		ts.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
}

// no-secret-in VALUE PATH...: fail when VALUE occurs in any file under the paths.
func cmdNoSecretIn(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || args[0] == "" {
		ts.Fatalf("usage: no-secret-in VALUE PATH...")
	}
	secret := []byte(args[0])
	for _, root := range args[1:] {
		root = ts.MkAbs(root)
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			data, err := os.ReadFile(p)
			if err == nil && strings.Contains(string(data), string(secret)) {
				ts.Fatalf("secret found in %s", p)
			}
			return nil
		})
	}
}

func copyTree(ts *testscript.TestScript, src, dst string) {
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	ts.Check(err)
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

var (
	newTagLine = regexp.MustCompile(`(?m)^(([ \t]*)newTag:\s*)"?[^"\s#]+"?([^\n]*)`)
	digestLine = regexp.MustCompile(`(?m)^[ \t]*digest:.*\n`)
)

// land SERVICE ENV VERSION PR: merge a release of SERVICE to VERSION into main the way a
// merged pull request does (a --no-ff merge whose subject names PR), so history has
// something to read. The edit is made by hand, not by gito: history must read any writer.
func cmdLand(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: land SERVICE ENV VERSION PR")
	}
	service, env, version, pr := args[0], args[1], args[2], args[3]
	dir := ts.MkAbs(".land-" + pr)
	runGit(ts, "", "clone", "-q", ts.Getenv("BARE"), dir)
	branch := "gito/" + env + "/" + service
	runGit(ts, dir, "checkout", "-q", "-B", branch)
	file := filepath.Join(dir, "overlays", env, service, "kustomization.yaml")
	data, err := os.ReadFile(file)
	ts.Check(err)
	if !newTagLine.Match(data) {
		ts.Fatalf("land: no newTag in %s", file)
	}
	tag, digest, pinned := strings.Cut(version, "@")
	data = digestLine.ReplaceAll(data, nil)
	repl := "${1}\"" + tag + "\"${3}"
	if pinned {
		// the digest goes on its own line under newTag, with newTag's indentation
		indent := newTagLine.FindSubmatch(data)[2]
		repl += "\n" + string(indent) + "digest: " + digest
	}
	data = newTagLine.ReplaceAll(data, []byte(repl))
	ts.Check(os.WriteFile(file, data, 0o644))
	runGit(ts, dir, "commit", "-q", "-am", fmt.Sprintf("Release %s %s to %s", service, version, env))
	runGit(ts, dir, "checkout", "-q", "main")
	runGit(ts, dir, "merge", "-q", "--no-ff", "-m", fmt.Sprintf("Merge pull request #%s from acme/%s", pr, branch), branch)
	runGit(ts, dir, "push", "-q", infraPushURL(ts), "main")
}
