# gito — see README.md. `make demo` and `make test` are all a newcomer needs.
GO        ?= go
export GOTOOLCHAIN := local
BIN       := bin/gito
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DATE      ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG       := github.com/gito-dev/gito/internal/app
LDFLAGS   := -s -w -X $(PKG).buildVersion=$(VERSION) -X $(PKG).buildCommit=$(COMMIT) -X $(PKG).buildTime=$(DATE)

.PHONY: build test lint demo install bench fuzz completions man clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/gito

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

demo: build
	./scripts/demo.sh $(BIN)

install:
	$(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/gito

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzSetImage -fuzztime 5m ./internal/overlay/kustedit

clean:
	rm -rf bin dist
