# plash: build, demo and test targets. See README.md.
GO ?= go
export PATH := /usr/local/go/bin:$(PATH)
PURE = ./lang/... ./eval/... ./stdlib/... ./spec/...
FUZZTIME ?= 30s

.PHONY: all build demo test deps check unit race fuzz bench install clean

all: build

# plash and plash-exec are built slim and static, plash-remote is the full
# build: scripts/build says why.
build:
	GO=$(GO) ./scripts/build bin

install: build
	install -m 755 bin/plash bin/plash-exec bin/plash-remote /usr/local/bin/

# The main job: build plash, make a busybox root filesystem, import it and
# run a container from it.
demo:
	./scripts/deps demo
	./scripts/demo

# Every test: static checks, the unit and script tests (as root and as the
# unprivileged test user), the race detector on the pure packages, and each
# fuzz target for $(FUZZTIME).
test: deps check unit race fuzz

# Installs missing Debian packages (as root), the test user and fuse access.
deps:
	CI= ./scripts/deps test

check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags slim ./...

unit:
	$(GO) test -count=1 -timeout 40m ./...

race:
	$(GO) test -count=1 -race $(PURE)

fuzz:
	./scripts/fuzz $(FUZZTIME) ./lang FuzzParse FuzzFormat
	./scripts/fuzz $(FUZZTIME) ./lang/lsp FuzzServer
	./scripts/fuzz $(FUZZTIME) ./eval FuzzEval

bench:
	./bench/run

clean:
	rm -rf bin
