#!/usr/bin/env bash
# Checks the release configuration and builds a snapshot release the way a tag would, then opens
# the archive for this machine and runs gito from it. Self-contained and safe to rerun; CI runs it.
#
#   GITO_RELEASE_TARGETS=host   (default) snapshot for this machine's GOOS/GOARCH only, plus a
#                               compile of windows/amd64 and darwin/arm64 to catch OS-specific code
#   GITO_RELEASE_TARGETS=all    snapshot of all six targets as .goreleaser.yaml says (5-8 min on 2 cores)
#   GORELEASER=/path/goreleaser use that binary instead of installing v2.16.0
#
# Signing and SBOMs are skipped: CI has neither the GPG key nor syft.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local

readonly goreleaser_version=v2.16.0
start=$SECONDS
step_start=$SECONDS

fail() {
	echo "release-check: FAIL: $*" >&2
	exit 1
}
step() {
	echo "release-check: $* (at $((SECONDS - start))s)" >&2
	step_start=$SECONDS
}
took() {
	echo "release-check:   took $((SECONDS - step_start))s" >&2
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- goreleaser -------------------------------------------------------------------------------
step "goreleaser $goreleaser_version"
gr=${GORELEASER:-}
if [ -z "$gr" ]; then
	if command -v goreleaser >/dev/null; then
		gr=$(command -v goreleaser)
	else
		gr="$(go env GOPATH)/bin/goreleaser"
		if [ ! -x "$gr" ]; then
			go install "github.com/goreleaser/goreleaser/v2@$goreleaser_version"
		fi
	fi
fi
have=$("$gr" --version 2>&1 | sed -n 's/^GitVersion: *//p')
if [ "$have" != "$goreleaser_version" ]; then
	echo "release-check: warning: $gr is ${have:-of unknown version}, the config is checked against $goreleaser_version" >&2
fi
took

# --- configuration ----------------------------------------------------------------------------
step "goreleaser check"
for f in README.md LICENSE; do
	[ -f "$f" ] || fail "$f is missing: the archives ship it"
done
"$gr" check || fail "goreleaser check rejected .goreleaser.yaml"
took

# --- snapshot build ---------------------------------------------------------------------------
goos=$(go env GOOS)
goarch=$(go env GOARCH)
config=.goreleaser.yaml
skip=publish,sign,sbom
case "${GITO_RELEASE_TARGETS:-host}" in
all) ;;
host)
	# goreleaser release has no --single-target: narrow a copy of the config instead.
	config="$tmp/goreleaser.yaml"
	sed -e "s|^    goos: \[linux, darwin, windows\]\$|    goos: [$goos]|" \
		-e "s|^    goarch: \[amd64, arm64\]\$|    goarch: [$goarch]|" .goreleaser.yaml >"$config"
	grep -q "^    goos: \[$goos\]\$" "$config" && grep -q "^    goarch: \[$goarch\]\$" "$config" ||
		fail "could not narrow the targets: .goreleaser.yaml's goos/goarch lines changed, update this script"
	# The Homebrew cask needs the darwin archives.
	skip+=,homebrew
	;;
*) fail "GITO_RELEASE_TARGETS=${GITO_RELEASE_TARGETS}: want host or all" ;;
esac
step "goreleaser release --snapshot (targets: ${GITO_RELEASE_TARGETS:-host}, skip: $skip)"
"$gr" release --snapshot --clean --skip="$skip" --config "$config" >"$tmp/goreleaser.log" 2>&1 || {
	tail -40 "$tmp/goreleaser.log" >&2
	fail "snapshot build failed (last 40 lines above)"
}
took

if [ "${GITO_RELEASE_TARGETS:-host}" = host ]; then
	step "compile the other operating systems"
	for target in windows/amd64 darwin/arm64; do
		CGO_ENABLED=0 GOOS=${target%/*} GOARCH=${target#*/} go build -trimpath -o /dev/null ./cmd/gito ||
			fail "gito does not compile for $target"
	done
	took
fi

# --- the archive ------------------------------------------------------------------------------
step "inspect the $goos/$goarch archive"
version=$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' dist/metadata.json)
[ -n "$version" ] || fail "dist/metadata.json has no version"
archive="dist/gito_${version}_${goos}_${goarch}.tar.gz"
[ -f "$archive" ] || fail "$archive was not built; dist has: $(ls dist | tr '\n' ' ')"
(cd dist && sha256sum --quiet --ignore-missing -c checksums.txt) || fail "checksums.txt does not match the artifacts"

listing=$(tar -tzf "$archive" | sort)
want=(gito README.md LICENSE completions/gito.bash completions/_gito completions/gito.fish completions/gito.ps1)
for page in docs/man/*.1; do
	want+=("$page")
done
for f in "${want[@]}"; do
	grep -qxF "$f" <<<"$listing" || fail "$archive lacks $f; it holds: $(tr '\n' ' ' <<<"$listing")"
done

mkdir "$tmp/unpacked"
tar -xzf "$archive" -C "$tmp/unpacked"
out=$("$tmp/unpacked/gito" version) || fail "gito version from the archive exited non-zero"
case "$out" in
"gito $version "*) ;;
*) fail "gito version printed \"$out\", want it to start with \"gito $version \"" ;;
esac
"$tmp/unpacked/gito" completion bash | cmp -s - "$tmp/unpacked/completions/gito.bash" ||
	fail "the archived completions/gito.bash differs from what the archived binary prints"
echo "release-check:   $out" >&2

# --- packages ---------------------------------------------------------------------------------
deb=$(ls dist/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "no .deb was built"
ls dist/*.rpm >/dev/null 2>&1 || fail "no .rpm was built"
if command -v dpkg-deb >/dev/null; then
	contents=$(dpkg-deb -c "$deb" | awk '{print $NF}')
	for f in ./usr/bin/gito \
		./usr/share/bash-completion/completions/gito \
		./usr/share/zsh/vendor-completions/_gito \
		./usr/share/fish/vendor_completions.d/gito.fish \
		./usr/share/man/man1/gito.1; do
		grep -qxF "$f" <<<"$contents" || fail "$deb lacks $f"
	done
fi
took

echo "release-check: OK: gito $version, $(ls dist/*.tar.gz dist/*.zip 2>/dev/null | wc -l) archives, total $((SECONDS - start))s" >&2
