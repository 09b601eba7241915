#!/usr/bin/env bash
# Stress test of the shared cache (hardening S6/S7): WAVES times, PARALLEL releases of distinct
# services run at once into one new cache. Every release must succeed, every branch must be
# pushed, and no lock file may be left in the cache. Not part of make test: `make stress`.
#
#   integration/stress/parallel-releases.sh [GITO_BINARY]   (env WAVES=10 PARALLEL=20)
set -euo pipefail
gito=${1:-bin/gito}
gito=$(cd "$(dirname "$gito")" && pwd)/$(basename "$gito")
waves=${WAVES:-10}
parallel=${PARALLEL:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_CONFIG_HOME=$work/config GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$work/gitconfig
export GIT_AUTHOR_NAME=Stress GIT_AUTHOR_EMAIL=stress@example.com CI=true NO_COLOR=1 SSH_AUTH_SOCK=
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global user.email stress@example.com
git config --global user.name Stress

src=$work/src
mkdir -p "$src"
printf 'layout: "overlays/{env}/{service}"\nforge:\n  type: none\nservices:\n' >"$src/.gito.yaml"
for i in $(seq 1 "$parallel"); do
  printf '  svc%s:\n    images: [registry.example.com/svc%s]\n' "$i" "$i" >>"$src/.gito.yaml"
  d=$src/overlays/prod/svc$i
  mkdir -p "$d"
  cat >"$d/deployment.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc$i
spec:
  template:
    spec:
      containers:
        - name: svc$i
          image: registry.example.com/svc$i:v1
YAML
  printf 'resources:\n  - deployment.yaml\nimages:\n  - name: registry.example.com/svc%s\n    newTag: v1\n' "$i" >"$d/kustomization.yaml"
done
git -C "$src" init -q
git -C "$src" add -A
git -C "$src" commit -q -m infra
bare=$work/infra.git
git clone -q --bare "$src" "$bare"
git -C "$bare" config uploadpack.allowFilter true
git -C "$bare" config uploadpack.allowAnySHA1InWant true

failed=0
for wave in $(seq 1 "$waves"); do
  export XDG_CACHE_HOME=$work/cache-$wave # a new cache per wave: the clone races too
  start=$(date +%s%N)
  pids=()
  for i in $(seq 1 "$parallel"); do
    "$gito" release --repo "$bare" -s "svc$i" -e prod --version "w$wave" --yes >"$work/out-$wave-$i" 2>&1 &
    pids+=($!)
  done
  ok=0
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then ok=$((ok + 1)); else echo "wave $wave svc$((i + 1)) failed:"; cat "$work/out-$wave-$((i + 1))"; fi
  done
  branches=$(git -C "$bare" for-each-ref --format=x "refs/heads/gito/prod/" | wc -l)
  # gito's own flock files sit beside the caches (depth 1) and stay by design; git's lock files
  # inside a cache must all be gone.
  locks=$(find "$XDG_CACHE_HOME/gito/repos" -mindepth 2 -name '*.lock' -print)
  took_ms=$((($(date +%s%N) - start) / 1000000))
  printf 'wave %2d: %d/%d ok, %d branches, %d ms, locks left: %s\n' "$wave" "$ok" "$parallel" "$branches" "$took_ms" "${locks:-none}"
  if [ "$ok" -ne "$parallel" ] || [ -n "$locks" ]; then failed=1; fi
  # the next wave releases again on top of the pushed branches' base: reset the branches
  git -C "$bare" for-each-ref --format='delete %(refname)' refs/heads/gito/ | git -C "$bare" update-ref --stdin
done
[ "$failed" -eq 0 ] && echo "stress: $waves waves of $parallel parallel releases, all ok, no lock left" || { echo "stress: FAILED"; exit 1; }
