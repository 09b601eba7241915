package app_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/gito-dev/gito/internal/app"
	"github.com/gito-dev/gito/internal/testutil"
)

// These tests drive the committed completion scripts through real shells, with a freshly built
// gito on PATH answering the scripts' `gito __complete` calls, the way a user's shell would.

// bashHarness sources bash-completion and gito's script, fills the COMP_* variables the way
// bash does for a TAB press on the words passed as arguments, calls the function registered
// with `complete -F` for gito and prints COMPREPLY, one entry per line.
const bashHarness = `
source "$BASH_COMPLETION_SCRIPT" || exit 3
source "$GITO_SCRIPT" || exit 3
spec=$(complete -p gito) || { echo "no completion registered for gito" >&2; exit 3; }
fn=${spec##*-F }; fn=${fn%% *}
[[ $fn == __start_gito ]] || { echo "registered function is $fn, want __start_gito" >&2; exit 3; }
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMP_TYPE=${GITO_COMP_TYPE:-9}
COMP_KEY=9
"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
(( ${#COMPREPLY[@]} )) && printf '%s\n' "${COMPREPLY[@]}"
exit 0
`

// zshInit runs inside an interactive zsh on a pseudo-terminal: it loads gito's completion from
// fpath like a vendor-completions install, makes compadd also append the matches it adds to
// $GITO_CAPTURE, and binds TAB to a widget that completes and then prints an end marker.
const zshInit = `
PS1='' PROMPT='' RPROMPT=''
fpath=("$GITO_COMPDIR" $fpath)
autoload -Uz compinit && compinit -u -D
compadd() {
  # Calls that only fill arrays (-O, -A, -D) add nothing: pass them through untouched.
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
    builtin compadd "$@"
    return
  fi
  local -a hits
  builtin compadd -A hits "$@"
  (( $#hits )) && print -rl -- $hits >> "$GITO_CAPTURE"
  builtin compadd "$@"
}
gito-capture-complete() {
  zle complete-word
  print -n -- '<<GITO-DONE>>'
}
zle -N gito-capture-complete
bindkey '^I' gito-capture-complete
`

// zshDriver types the command line ($1) and a TAB into the interactive zsh and waits for the
// widget's end marker.
const zshDriver = `
zmodload zsh/zpty || exit 3
zpty gito zsh -f -i
zpty -w gito "source ${(q)GITO_INIT}"
zpty -w -n gito "$1"$'\t'
zpty -r gito out '*<<GITO-DONE>>*' || exit 4
zpty -d gito
exit 0
`

type completionCase struct {
	name string
	// line is what the user typed before pressing TAB; a trailing space completes a new word.
	line string
	env  []string
	want []string
}

func TestShellCompletion(t *testing.T) {
	t.Parallel()
	bin := buildGito(t)
	fixture := infraFixture(t)
	root := app.NewRootCmd(app.NewFactory(noEnv))

	cases := []completionCase{
		{name: "shells", line: "gito completion ", want: []string{"bash", "fish", "powershell", "zsh"}},
		{name: "shell prefix", line: "gito completion z", want: []string{"zsh"}},
		{name: "no files after shell", line: "gito completion bash ", want: nil},
		{name: "commands", line: "gito ", want: visibleCommands(root)},
		{name: "command prefix", line: "gito vers", want: []string{"version"}},
		{name: "flags", line: "gito version --", want: []string{"--help", "--json"}},
		{name: "services from --repo", line: "gito release --repo " + fixture + " --service ", want: []string{"api", "web"}},
		{name: "service prefix", line: "gito release --repo " + fixture + " -s w", want: []string{"web"}},
		{name: "services from GITO_REPO", line: "gito release --service ", env: []string{"GITO_REPO=" + fixture}, want: []string{"api", "web"}},
		{name: "envs of a service", line: "gito release --repo " + fixture + " -s api --env ", want: []string{"dev", "prod", "staging"}},
		{name: "envs before the service", line: "gito release --repo " + fixture + " --env ", want: []string{"dev", "prod", "staging"}},
		{name: "services for rollback", line: "gito rollback --repo " + fixture + " --service ", want: []string{"api", "web"}},
		{name: "services for history", line: "gito history --repo " + fixture + " --service ", want: []string{"api", "web"}},
	}

	shells := []struct {
		name     string
		complete func(t *testing.T, line string, env []string) []string
	}{
		{"bash", func(t *testing.T, line string, env []string) []string { return bashComplete(t, bin, line, env) }},
		{"zsh", func(t *testing.T, line string, env []string) []string { return zshComplete(t, bin, line, env) }},
	}
	for _, sh := range shells {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			requireShell(t, sh.name)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					got := sh.complete(t, tc.line, tc.env)
					slices.Sort(got)
					if !slices.Equal(got, tc.want) {
						t.Errorf("%s completion of %q = %q, want %q", sh.name, tc.line, got, tc.want)
					}
				})
			}
		})
	}

	// A second TAB in bash (COMP_TYPE 63) lists the candidates with their descriptions.
	t.Run("bash/descriptions", func(t *testing.T) {
		t.Parallel()
		requireShell(t, "bash")
		out := runBash(t, bin, "gito completion ", []string{"GITO_COMP_TYPE=63", "COLUMNS=120"})
		for _, want := range []string{"bash        (Bash 4.1 or later)", "powershell  (PowerShell 5 or later)"} {
			if !slices.Contains(out, want) {
				t.Errorf("bash listing %q lacks %q", out, want)
			}
		}
	})
}

func bashComplete(t *testing.T, bin, line string, env []string) []string {
	var words []string
	for _, r := range runBash(t, bin, line, env) {
		// With descriptions each entry reads "word  (description)".
		words = append(words, strings.Fields(r)[0])
	}
	return words
}

func runBash(t *testing.T, bin, line string, env []string) []string {
	t.Helper()
	words := strings.Fields(line)
	if strings.HasSuffix(line, " ") {
		words = append(words, "")
	}
	script, err := filepath.Abs(filepath.Join(repoRoot, "completions", "gito.bash"))
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--norc", "--noprofile", "-c", bashHarness, "bash"}, words...)
	cmd := shellCmd(t, "bash", bin, args, append(env,
		"BASH_COMPLETION_SCRIPT="+bashCompletionScript(t), "GITO_SCRIPT="+script,
	))
	return lines(runShell(t, cmd))
}

func zshComplete(t *testing.T, bin, line string, env []string) []string {
	t.Helper()
	dir := t.TempDir()
	capture := filepath.Join(dir, "capture")
	initFile := filepath.Join(dir, "init.zsh")
	if err := os.WriteFile(initFile, []byte(zshInit), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(capture, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	compDir, err := filepath.Abs(filepath.Join(repoRoot, "completions"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := shellCmd(t, "zsh", bin, []string{"-f", "-c", zshDriver, "zsh", line}, append(env,
		"GITO_INIT="+initFile, "GITO_CAPTURE="+capture, "GITO_COMPDIR="+compDir, "ZDOTDIR="+dir,
	))
	runShell(t, cmd)
	out, err := os.ReadFile(capture)
	if err != nil {
		t.Fatal(err)
	}
	return lines(string(out))
}

// shellCmd runs a shell with a clean environment: gito's directory first on PATH and nothing
// from the developer's own shell setup or GITO_* variables.
func shellCmd(t *testing.T, shell, bin string, args, env []string) *exec.Cmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, shell, args...)
	home := t.TempDir()
	cmd.Dir = home
	cmd.Env = append([]string{
		"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + home,
		"TERM=dumb",
		"LANG=C.UTF-8",
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"GIT_CONFIG_NOSYSTEM=1",
	}, env...)
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

func runShell(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\nstderr: %s", strings.Join(cmd.Args[:1], " "), err, stderr.String())
	}
	return string(out)
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func requireShell(t *testing.T, shell string) {
	t.Helper()
	testutil.RequireTools(t, shell)
}

// bashCompletionScript finds the bash-completion package's main script: cobra's bash script
// relies on its _get_comp_words_by_ref, as it does in every user's interactive bash.
func bashCompletionScript(t *testing.T) string {
	t.Helper()
	for _, p := range []string{
		"/usr/share/bash-completion/bash_completion",
		"/usr/local/share/bash-completion/bash_completion",
		"/opt/homebrew/share/bash-completion/bash_completion",
	} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	testutil.MissingTool(t, "bash-completion", "apt-get install bash-completion")
	return ""
}

// buildGito compiles gito into a temporary directory; the scripts call it as `gito __complete`.
func buildGito(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gito")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/gito-dev/gito/cmd/gito")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build gito: %v\n%s", err, out)
	}
	return bin
}

// infraFixture copies the example infra repo (integration/testdata/infra, the one fixture
// every test and the demo share) into a fresh git repository, as a cloned infra repo is.
func infraFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(repoRoot, "integration", "testdata", "infra"))); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "user.name=gito test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false",
			"commit", "-q", "-m", "infra fixture"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", args[0], err, out)
		}
	}
	return dir
}

// visibleCommands is what `gito <TAB>` must offer: every visible top-level command and help.
func visibleCommands(root *cobra.Command) []string {
	names := []string{"help"}
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	slices.Sort(names)
	return names
}
