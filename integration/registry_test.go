package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gito-dev/gito/internal/testutil/ociregistry"
)

// registry start [auth=USER:PASS]: serve a real OCI registry (go-containerregistry's) on
// 127.0.0.1 and export REGISTRY (its host:port) and DOCKER_CONFIG (an empty docker config
// directory gito reads credentials from).
// registry push REPO TAG [index] [as=VAR]: push a random image (or a 2-platform index) and
// optionally export its digest as VAR.
// registry login USER PASS: write the credentials into $DOCKER_CONFIG/config.json.
// registry fail STATUS TIMES [RETRY_AFTER]: the next TIMES requests answer STATUS.
// registry stop: stop the server, so the registry is unreachable.
func cmdRegistry(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: registry start|push|login|fail|stop ...")
	}
	st := state(ts)
	if args[0] != "start" && st.registry == nil {
		ts.Fatalf("registry %s: run registry start first", args[0])
	}
	switch args[0] {
	case "start":
		var opts ociregistry.Options
		for _, a := range args[1:] {
			cred, ok := strings.CutPrefix(a, "auth=")
			if !ok {
				ts.Fatalf("registry start: unknown option %q", a)
			}
			opts.User, opts.Password, _ = strings.Cut(cred, ":")
		}
		st.registry = ociregistry.Start(st.t, opts)
		dir := ts.MkAbs(".docker")
		ts.Check(os.MkdirAll(dir, 0o700))
		ts.Setenv("REGISTRY", st.registry.Host)
		ts.Setenv("DOCKER_CONFIG", dir)
	case "push":
		if len(args) < 3 {
			ts.Fatalf("usage: registry push REPO TAG [index] [as=VAR]")
		}
		index, as := false, ""
		for _, a := range args[3:] {
			switch {
			case a == "index":
				index = true
			case strings.HasPrefix(a, "as="):
				as = strings.TrimPrefix(a, "as=")
			default:
				ts.Fatalf("registry push: unknown option %q", a)
			}
		}
		var digest string
		if index {
			digest = st.registry.PushIndex(st.t, args[1], args[2], 2)
		} else {
			digest = st.registry.Push(st.t, args[1], args[2])
		}
		if as != "" {
			ts.Setenv(as, digest)
		}
	case "login":
		if len(args) != 3 {
			ts.Fatalf("usage: registry login USER PASS")
		}
		path := filepath.Join(ts.Getenv("DOCKER_CONFIG"), "config.json")
		ts.Check(os.WriteFile(path, []byte(st.registry.DockerConfig(args[1], args[2])), 0o600))
	case "fail":
		if len(args) < 3 {
			ts.Fatalf("usage: registry fail STATUS TIMES [RETRY_AFTER]")
		}
		status, err1 := strconv.Atoi(args[1])
		times, err2 := strconv.Atoi(args[2])
		if err1 != nil || err2 != nil {
			ts.Fatalf("registry fail: STATUS and TIMES are numbers")
		}
		retry := ""
		if len(args) > 3 {
			retry = args[3]
		}
		st.registry.Fail(status, times, retry)
	case "stop":
		st.registry.Close()
	default:
		ts.Fatalf("registry: unknown subcommand %q", args[0])
	}
}

// useRegistry points the infra repo's images at the script's registry, and adds the
// registry settings the infra options asked for.
func useRegistry(ts *testscript.TestScript, work string, check bool, pinEnv string) {
	st := state(ts)
	if st.registry == nil {
		ts.Fatalf("infra registry: run registry start first")
	}
	cfg := filepath.Join(work, ".gito.yaml")
	data, err := os.ReadFile(cfg)
	ts.Check(err)
	extra := ""
	if check {
		extra += "registry:\n  check: true\n"
	}
	text := string(data) + extra
	if pinEnv != "" {
		text = strings.Replace(text, "environments:\n", "environments:\n  "+pinEnv+":\n    pinDigest: true\n", 1)
		if strings.Count(text, "\n  "+pinEnv+":\n") > 1 {
			ts.Fatalf("infra pin=%s: the environment already has settings; extend useRegistry", pinEnv)
		}
	}
	ts.Check(os.WriteFile(cfg, []byte(text), 0o644))
	ts.Check(filepath.WalkDir(work, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(p, []byte(strings.ReplaceAll(string(b), "registry.example.com", st.registry.Host)), 0o644)
	}))
}
