# gito — see README.md. `make demo` and `make test` are all a newcomer needs.
GO        ?= go
export GOTOOLCHAIN := local
BIN       := bin/gito
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DATE      ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG       := github.com/gito-dev/gito/internal/app
LDFLAGS   := -s -w -X $(PKG).buildVersion=$(VERSION) -X $(PKG).buildCommit=$(COMMIT) -X $(PKG).buildTime=$(DATE)

.PHONY: build test lint demo install stress soak bench bench-e2e bench-argocd fuzz completions man snapshot release-check clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/gito

# go test through a summariser: failures in full, then the skips with their reasons and
# "N passed, N failed, N skipped"; the exit status is go test's.
test:
	$(GO) vet ./...
	GO=$(GO) $(GO) run ./internal/tools/testsummary -race -count=1 -timeout 30m ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

demo: build
	./integration/demo/demo.sh $(BIN)

install:
	$(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/gito

# 10 waves of 20 parallel releases into one new cache: none may fail or leave a lock (slow).
stress: build
	./integration/stress/parallel-releases.sh $(BIN)

# gito serve for 5 minutes under mixed requests while its remote hangs, fails and recovers:
# fails when no refresh reaches the remote within two refresh intervals of a recovery, the
# commit pushed during the outage is not served, a request is answered other than expected,
# or the server's heap in use ends above 48 MiB. make test runs 20 s of it.
soak:
	$(GO) test -race -count=1 -v -run '^TestServeSoak$$' -timeout 20m ./integration -soak=5m

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# gito release, history and parallel releases against git's own floors on a synthetic repo of
# 10,000 overlays and 50,000 commits (built once, cached); exits non-zero when a target is missed.
# BENCH_E2E_FLAGS=-small is the short version.
bench-e2e: build
	$(GO) run ./internal/tools/benche2e -gito $(BIN) $(BENCH_E2E_FLAGS)

# gito generate vs kubectl kustomize on a 10,000-overlay repo; gito serve under load.
bench-argocd:
	$(GO) test -run '^$$' -bench 'ArgoCD' -benchtime 1x -timeout 30m ./integration

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzSetImage -fuzztime 5m ./internal/overlay/kustedit

# Shell completion scripts and man pages are generated from the command tree and committed;
# internal/app's tests fail when they are stale.
completions:
	$(GO) run ./cmd/gen-docs -only completions

man:
	$(GO) run ./cmd/gen-docs -only man

# Local release build of every target into dist/ (no publishing, signing or SBOM).
snapshot:
	goreleaser release --snapshot --clean --skip=publish,sign,sbom

# What CI runs: goreleaser check, a snapshot for this machine, and a look inside the archive.
release-check:
	./.ci/release-check

clean:
	rm -rf bin dist
