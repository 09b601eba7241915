package integration

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"gopkg.in/yaml.v3"

	"github.com/gito-dev/gito/integration/fakekube"
)

// TestFluxScripts runs the Flux scenarios (testdata/script/flux) once, with the fake GitHub:
// what they prove is about the cluster, not the forge, which the forge scripts cover.
func TestFluxScripts(t *testing.T) {
	testscript.Run(t, params(t, "testdata/script/flux", &forgeTable[0], nil))
}

// fluxState is the fake clusters of one script and the kubeconfig that names them.
type fluxState struct {
	clusters map[string]*fakekube.Server
	contexts []fakekube.Context
	// secrets is each context's credential, kept out of the environment: gito's children
	// inherit that, and the git shim records it.
	secrets map[string]string
}

func fluxCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"fake-kube":           positive(cmdFakeKube),
		"kube-set":            positive(cmdKubeSet),
		"kube-await":          positive(cmdKubeAwait),
		"kube-expire":         positive(cmdKubeExpire),
		"kube-close":          positive(cmdKubeClose),
		"kube-context":        positive(cmdKubeContexts),
		"flux-repo":           positive(cmdFluxRepo),
		"later-commit":        positive(cmdLaterCommit),
		"kube-saw":            cmdKubeSaw,
		"kube-secrets-absent": positive(cmdKubeSecretsAbsent),
	}
}

func mustFlux(ts *testscript.TestScript) *fluxState {
	st := state(ts)
	if st.flux == nil {
		st.flux = &fluxState{clusters: map[string]*fakekube.Server{}, secrets: map[string]string{}}
	}
	return st.flux
}

func mustCluster(ts *testscript.TestScript, name string) *fakekube.Server {
	s := mustFlux(ts).clusters[name]
	if s == nil {
		ts.Fatalf("no fake cluster %q: run fake-kube %s first", name, name)
	}
	return s
}

// fake-kube NAME [token|cert|exec|wrong-token|unreachable]: start a fake Kubernetes API as context NAME
// of $KUBECONFIG ($WORK/.kube/config; the first context is the current one), authenticated
// by a bearer token (default), a client certificate or an exec credential plugin, or a
// context whose server is a closed port. The credential (for a certificate, its key as the
// kubeconfig holds it) is what kube-secrets-absent and kube-saw look for.
func cmdFakeKube(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: fake-kube NAME [token|cert|exec|unreachable]")
	}
	fl := mustFlux(ts)
	name, mode := args[0], "token"
	if len(args) == 2 {
		mode = args[1]
	}
	s := fakekube.New(state(ts).t)
	kctx := fakekube.Context{Name: name, Server: s}
	secret := "kube-" + name + "-token-5f0c9d27e1a84b36"
	switch mode {
	case "token":
		s.AcceptToken(secret)
		kctx.Token = secret
	case "cert":
		kctx.CertPEM, kctx.KeyPEM = s.IssueClientCert(state(ts).t, "gito-"+name)
		secret = base64.StdEncoding.EncodeToString(kctx.KeyPEM)
	case "exec":
		s.AcceptToken(secret)
		dir := ts.MkAbs(".kube")
		ts.Check(os.MkdirAll(dir, 0o700))
		plugin, err := fakekube.WriteExecPlugin(dir, "auth-"+name, secret)
		ts.Check(err)
		kctx.ExecCommand = plugin
	case "wrong-token":
		s.AcceptToken(secret)
		kctx.Token = "not-" + secret
		secret = kctx.Token
	case "unreachable":
		l, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		kctx.URL = "https://" + l.Addr().String()
		ts.Check(l.Close())
		kctx.Token = secret
	default:
		ts.Fatalf("fake-kube: unknown mode %q", mode)
	}
	fl.clusters[name] = s
	fl.contexts = append(fl.contexts, kctx)
	path := ts.MkAbs(".kube/config")
	ts.Check(fakekube.WriteKubeconfig(path, fl.contexts[0].Name, fl.contexts...))
	ts.Setenv("KUBECONFIG", path)
	ts.Setenv("GITO_WAIT_INTERVAL", "20ms")
	fl.secrets[name] = secret
}

// kube-set CLUSTER KIND NAMESPACE/NAME [applied=REV] [attempted=REV] [ready=STATUS]
// [reason=R] [message=M] [stalled=REASON] [chart=VERSION] [forbidden]: create or change a
// Flux object; applied also sets attempted, and reason/message go with ready.
func cmdKubeSet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 {
		ts.Fatalf("usage: kube-set CLUSTER KIND NAMESPACE/NAME key=value...")
	}
	s := mustCluster(ts, args[0])
	kind, ok := fakekube.KindNamed(args[1])
	if !ok {
		ts.Fatalf("kube-set: unknown kind %q", args[1])
	}
	ns, name, ok := strings.Cut(args[2], "/")
	if !ok {
		ts.Fatalf("kube-set: %q is not NAMESPACE/NAME", args[2])
	}
	s.Set(kind, ns, name, func(o *fakekube.Object) {
		ready := fakekube.Condition{Type: "Ready"}
		for _, c := range o.Conditions {
			if c.Type == "Ready" {
				ready = c
			}
		}
		for _, a := range args[3:] {
			k, v, _ := strings.Cut(a, "=")
			switch k {
			case "applied":
				o.LastAppliedRevision, o.LastAttemptedRevision = v, v
			case "attempted":
				o.LastAttemptedRevision = v
			case "ready":
				ready.Status, ready.Reason, ready.Message = v, "", ""
			case "reason":
				ready.Reason = v
			case "message":
				ready.Message = v
			case "stalled":
				o.SetCondition(fakekube.Condition{Type: "Stalled", Status: "True", Reason: v, Message: "Flux gave up: " + v})
			case "chart":
				o.ChartVersion = v
			case "forbidden":
				o.Forbidden = true
			default:
				ts.Fatalf("kube-set: unknown key %q", k)
			}
		}
		if ready.Status != "" {
			o.SetCondition(ready)
		}
	})
}

// kube-await CLUSTER KIND NAMESPACE/NAME COUNT: block until gito has read the object COUNT
// times (lists, gets and watches).
func cmdKubeAwait(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: kube-await CLUSTER KIND NAMESPACE/NAME COUNT")
	}
	s := mustCluster(ts, args[0])
	kind, ok := fakekube.KindNamed(args[1])
	ns, name, ok2 := strings.Cut(args[2], "/")
	n, err := strconv.Atoi(args[3])
	if !ok || !ok2 || err != nil {
		ts.Fatalf("usage: kube-await CLUSTER KIND NAMESPACE/NAME COUNT")
	}
	ctx, cancel := context.WithTimeout(context.Background(), awaitLimit)
	defer cancel()
	ts.Check(s.AwaitReads(ctx, kind, ns, name, n))
}

// kube-expire CLUSTER: compact the cluster's history: open watches end with 410 Gone.
func cmdKubeExpire(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: kube-expire CLUSTER")
	}
	mustCluster(ts, args[0]).Compact()
}

// kube-close CLUSTER: end the cluster's open watches cleanly.
func cmdKubeClose(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: kube-close CLUSTER")
	}
	mustCluster(ts, args[0]).CloseWatches()
}

// kube-context ENV=CONTEXT...: the user config's kubeContexts.
func cmdKubeContexts(ts *testscript.TestScript, neg bool, args []string) {
	path := filepath.Join(ts.Getenv("XDG_CONFIG_HOME"), "gito", "config.yaml")
	ts.Check(os.MkdirAll(filepath.Dir(path), 0o755))
	cfg := map[string]any{}
	if data, err := os.ReadFile(path); err == nil {
		ts.Check(yaml.Unmarshal(data, &cfg))
	}
	contexts := map[string]string{}
	for _, a := range args {
		env, ctx, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("usage: kube-context ENV=CONTEXT...")
		}
		contexts[env] = ctx
	}
	cfg["kubeContexts"] = contexts
	out, err := yaml.Marshal(cfg)
	ts.Check(err)
	ts.Check(os.WriteFile(path, out, 0o644))
}

// flux-repo [helmrelease]: make the infra repo's deployer Flux (flux: {kustomization:
// "apps-{env}", namespace: flux-system} in .gito.yaml), and with helmrelease give api a
// Flux HelmRelease per env whose chart version a release sets (a target). Exports
// INITIAL_SHA, the new head of main.
func cmdFluxRepo(ts *testscript.TestScript, neg bool, args []string) {
	helm := len(args) == 1 && args[0] == "helmrelease"
	if len(args) > 1 || (len(args) == 1 && !helm) {
		ts.Fatalf("usage: flux-repo [helmrelease]")
	}
	dir := ts.MkAbs(".flux-repo")
	runGit(ts, "", "clone", "-q", ts.Getenv("BARE"), dir)
	file := filepath.Join(dir, ".gito.yaml")
	data, err := os.ReadFile(file)
	ts.Check(err)
	cfg := map[string]any{}
	ts.Check(yaml.Unmarshal(data, &cfg))
	cfg["flux"] = map[string]any{"kustomization": "apps-{env}", "namespace": "flux-system"}
	if helm {
		services := cfg["services"].(map[string]any)
		api := services["api"].(map[string]any)
		api["targets"] = []any{map[string]any{"file": "overlays/{env}/api/helmrelease.yaml", "path": ".spec.chart.spec.version", "value": "{tag}"}}
		for _, env := range []string{"staging", "prod"} {
			hr := fmt.Sprintf("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: api\n  namespace: %s\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: api\n      version: \"1.3.0\"\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n", env)
			ts.Check(os.WriteFile(filepath.Join(dir, "overlays", env, "api", "helmrelease.yaml"), []byte(hr), 0o644))
		}
	}
	out, err := yaml.Marshal(cfg)
	ts.Check(err)
	ts.Check(os.WriteFile(file, out, 0o644))
	runGit(ts, dir, "add", "-A")
	runGit(ts, dir, "commit", "-q", "-m", "Deploy with Flux")
	runGit(ts, dir, "push", "-q", infraPushURL(ts), "main")
	ts.Setenv("INITIAL_SHA", strings.TrimSpace(runGit(ts, dir, "rev-parse", "HEAD")))
}

// later-commit: land an unrelated commit on main after the merge, as another team's change
// would; exports LATER_SHA.
func cmdLaterCommit(ts *testscript.TestScript, neg bool, args []string) {
	dir := ts.MkAbs(".later")
	if _, err := os.Stat(dir); err != nil {
		runGit(ts, "", "clone", "-q", ts.Getenv("BARE"), dir)
	} else {
		runGit(ts, dir, "pull", "-q", "origin", "main")
	}
	ts.Check(os.WriteFile(filepath.Join(dir, "NOTES.md"), []byte("a later change\n"), 0o644))
	runGit(ts, dir, "add", "-A")
	runGit(ts, dir, "commit", "-q", "-m", "An unrelated later change")
	runGit(ts, dir, "push", "-q", infraPushURL(ts), "main")
	ts.Setenv("LATER_SHA", strings.TrimSpace(runGit(ts, dir, "rev-parse", "HEAD")))
}

// [!] kube-saw CLUSTER CONTEXT: the cluster was (not) presented CONTEXT's credential.
func cmdKubeSaw(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: kube-saw CLUSTER CONTEXT")
	}
	secret := mustFlux(ts).secrets[args[1]]
	if secret == "" {
		ts.Fatalf("kube-saw: no context %q", args[1])
	}
	for _, c := range mustFlux(ts).contexts {
		if c.Name == args[1] && c.CertPEM != nil {
			secret = "gito-" + c.Name // a client certificate is seen by its user name
		}
	}
	if saw := mustCluster(ts, args[0]).SawCredential(secret); saw == neg {
		ts.Fatalf("cluster %s saw the credential of %s: %t", args[0], args[1], saw)
	}
}

// kube-secrets-absent PATH...: no context's credential is in the last command's stdout or
// stderr (PATH stdout, stderr) or in any file under PATH.
func cmdKubeSecretsAbsent(ts *testscript.TestScript, neg bool, args []string) {
	for name, secret := range mustFlux(ts).secrets {
		for _, p := range args {
			if p == "stdout" || p == "stderr" {
				if strings.Contains(ts.ReadFile(p), secret) {
					ts.Fatalf("the credential of %s is in %s", name, p)
				}
				continue
			}
			cmdNoSecretIn(ts, false, []string{secret, p})
		}
	}
}
