#!/usr/bin/env bash
# make demo: a real release against the bundled example infra repo, offline and without a
# token. The infra repo becomes a bare remote in a temp dir; gito edits, signs, commits and
# pushes the release branch exactly as it would for GitHub or GitLab, minus the API call.
set -euo pipefail

gito=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
demo=$(mktemp -d "${TMPDIR:-/tmp}/gito-demo.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$demo"' EXIT; fi

# A private HOME, cache and git identity: the demo never touches your own config.
export HOME=$demo/home XDG_CACHE_HOME=$demo/cache XDG_CONFIG_HOME=$demo/config
export GIT_CONFIG_GLOBAL=$demo/gitconfig GIT_CONFIG_NOSYSTEM=1 SSH_AUTH_SOCK=
unset GITO_REPO GITO_SIGNING_KEY GH_TOKEN GITHUB_TOKEN GITLAB_TOKEN
mkdir -p "$HOME"
git config --global user.name "Demo Developer"
git config --global user.email demo@example.com
git config --global init.defaultBranch main

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

step "Example infra repo -> bare remote $demo/infra.git"
cp -r "$root/integration/testdata/infra" "$demo/src"
signing=()
if command -v ssh-keygen >/dev/null; then
  ssh-keygen -q -t ed25519 -N '' -C demo@example.com -f "$demo/signing-key"
  mkdir -p "$demo/src/.gito"
  printf 'demo@example.com namespaces="gito:*" %s\n' "$(cut -d' ' -f1,2 "$demo/signing-key.pub")" > "$demo/src/.gito/allowed_signers"
  signing=(--signing-key "$demo/signing-key")
fi
git -C "$demo/src" init -q
git -C "$demo/src" add -A
git -C "$demo/src" commit -q -m "Example infra repo"
git init -q --bare "$demo/infra.git"
git -C "$demo/src" push -q "$demo/infra.git" main
find "$demo/src" -name kustomization.yaml -path '*overlays*' | sed "s#$demo/src/##" | sort

step "gito release --service api --env prod --version v2.3.1"
"$gito" release --repo "$demo/infra.git" --service api --env prod --version v2.3.1 "${signing[@]}"

step "What landed on the release branch gito/prod/api"
git -C "$demo/infra.git" log -1 --format='%h %s%n%n%b' gito/prod/api
git -C "$demo/infra.git" diff --stat main gito/prod/api
git -C "$demo/infra.git" diff main gito/prod/api -- '*.yaml'

if [ ${#signing[@]} -gt 0 ]; then
  step "gito verify on a checkout of the branch"
  git clone -q -b gito/prod/api "$demo/infra.git" "$demo/checkout"
  (cd "$demo/checkout" && "$gito" verify overlays/prod/api)
fi

step "The same for a bot: --dry-run --json"
"$gito" release --repo "$demo/infra.git" -s web -e staging --version v1.9.0 --dry-run --json "${signing[@]}"

step "Releasing the version main already runs is a no-op (exit 0)"
"$gito" release --repo "$demo/infra.git" -s api -e prod --version v2.3.0 --json

printf '\nDemo done%s.\n' "${KEEP:+; files kept in $demo}"
