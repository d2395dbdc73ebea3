# Winnow's rulebook: `make dev` to see the model at work, `make test` for the
# whole suite. Everything builds into build/ (never committed).

GO       ?= go
GOROOT   := $(shell $(GO) env GOROOT)
WASMEXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
BUILD    := build
WINNOW   := $(BUILD)/winnow
CONTENT  ?= content
EDGE     := $(BUILD)/edge
WIDGET   := $(BUILD)/widget
# The largest worker, gzipped, that Cloudflare's free plan deploys: 3 MiB.
EDGE_MAX := 3145728
# The worker is built without inlining (-l: 160 KB less gzipped, see the
# README's Performance) and without net/http's HTTP/2, which it never uses
# (its own requests go through the Workers runtime's fetch).
EDGE_FLAGS := -trimpath -tags nethttpomithttp2 -gcflags=all=-l -ldflags='-w -buildid='

# Packages the browser widget compiles: they must stay small and pure.
PURE     := ./qualify ./qualify/internal/str ./qualify/internal/num
# What no pure package may import: each costs the widget 5-240 KB brotli
# (strings alone brings the unicode tables: 8 KB), and YAML, Markdown,
# templates and minifiers belong to native code.
BANNED   := ^(fmt|encoding/json|reflect|regexp|time|os|strings|unicode|bytes|io|net|net/.*|syscall/js|github\.com/goccy/go-yaml.*|github\.com/yuin/goldmark.*|github\.com/a-h/templ.*|github\.com/tdewolff/minify.*)$$

.PHONY: all dev site widget widget-budget check edge edge-test test fmt-check vet lint guard generated unit wasm-test bench bench-load bench-edge bench-native bench-site fuzz clean prereqs release

all: $(WINNOW)

# The binaries are built every time and Go's build cache decides what to
# compile: what they embed (migrations, CSS, scripts, domain lists) is no
# list of files make could keep, and a build with nothing changed takes
# about a second.
.PHONY: $(WINNOW) $(WIDGET)/winnow.wasm

$(WINNOW):
	@mkdir -p $(BUILD)
	$(GO) build -trimpath -o $@ ./cmd/winnow

# widget builds the signup form's WebAssembly and takes the wasm_exec.js of
# the Go that compiled it, with internal/widgetbuild, the recipe the
# widget's tests and bench/widgetperf build with too; it rewrites each only
# when it changed. The WebAssembly's brotli and gzip forms are made again
# when it is newer than they are. winnow build publishes them all.
widget: $(WIDGET)/winnow.wasm

$(WIDGET)/winnow.wasm:
	$(GO) run ./internal/cmd/widgetbuild $(WIDGET)
	@[ $@.br -nt $@ ] && [ $@.gz -nt $@ ] || $(GO) run ./bench/widgetbudget -compress $@

# dev checks the content (printing the verdict of every example lead), then
# builds the site and serves it on DEV_ADDR, rebuilding on every change. It
# needs Go only.
DEV_ADDR ?= 127.0.0.1:8080
dev: $(WINNOW) widget
	$(WINNOW) check --verbose $(CONTENT)
	$(WINNOW) dev --addr $(DEV_ADDR) $(CONTENT)

# site builds the site into build/public.
site: $(WINNOW) widget
	$(WINNOW) build $(CONTENT)

# widget-budget holds the built site's widget to its size budget.
widget-budget: site
	$(GO) run ./bench/widgetbudget $(BUILD)/public

check: $(WINNOW)
	$(WINNOW) check $(CONTENT)

# edge builds the worker for Cloudflare Workers into build/edge: the site
# with the data the worker reads from it (domain lists, time zones), what
# the worker embeds (model, pages' site-wide parts), its JavaScript (Go's
# wasm_exec.js and the runtime that keeps one Go program per isolate) and
# the Go wasm, whose biggest packages it lists; the worker must stay under
# EDGE_MAX gzipped.
edge: $(WINNOW)
	$(WINNOW) build --edge cmd/edge/embed --zoneinfo "$(GOROOT)/lib/time/zoneinfo.zip" $(CONTENT)
	@mkdir -p $(EDGE)
	GOOS=js GOARCH=wasm $(GO) build $(EDGE_FLAGS) -o $(EDGE)/app.names.wasm ./cmd/edge
	$(GO) run ./bench/wasmsize -top 15 -strip $(EDGE)/app.wasm -max $(EDGE_MAX) $(EDGE)/app.names.wasm
	cp cmd/edge/worker.mjs cmd/edge/runtime.mjs $(EDGE)/
	cp "$(GOROOT)/lib/wasm/wasm_exec.js" $(EDGE)/wasm_exec.js

# edge-test vets the worker as WebAssembly and tests its runtime (the Go
# side as WebAssembly under Node.js, the JavaScript side with node --test),
# then runs the black-box suite against it in workerd (wrangler dev over a
# fresh local D1), the queue of deliveries, and the README's deploy steps.
edge-test: edge
	GOOS=js GOARCH=wasm $(GO) vet ./cmd/edge
	GOOS=js GOARCH=wasm $$($(GO) tool -n staticcheck) ./cmd/edge
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(WASMEXEC)" ./cmd/edge
	node --test cmd/edge/
	$(GO) vet -tags edge ./internal/blackbox/edge
	WRANGLER_SEND_METRICS=false $(GO) test -tags edge -count=1 ./internal/blackbox/edge

test: prereqs fmt-check vet lint guard generated unit wasm-test check widget-budget edge-test
	@echo "make test: all checks passed"

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './build/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# staticcheck is pinned in go.mod as a tool.
lint:
	$(GO) tool staticcheck ./...

# guard fails if a pure package (natively or compiled for the browser)
# depends on a banned package.
guard:
	@fail=0; for pkg in $(PURE); do \
	  for target in "" "GOOS=js GOARCH=wasm"; do \
	    bad=$$(env $$target $(GO) list -deps $$pkg | grep -E '$(BANNED)'); \
	    if [ -n "$$bad" ]; then echo "import guard: $$pkg ($${target:-native}) depends on:"; echo "$$bad"; fail=1; fi; \
	  done; \
	done; \
	bad=$$(GOOS=js GOARCH=wasm $(GO) list -deps ./wasm | grep -E '$(BANNED)' | grep -v '^syscall/js$$'); \
	if [ -n "$$bad" ]; then echo "import guard: ./wasm depends on:"; echo "$$bad"; fail=1; fi; \
	if [ $$fail = 0 ]; then echo "import guard: $(PURE) and ./wasm clean"; fi; exit $$fail

# generated fails with templ's errors if go tool templ generate fails on
# the .templ files of TEMPLATES, and fails if the *_templ.go there are not
# what it generates. Only the .templ files (and go.mod, for templ's version
# check) are copied to generate from, so that no earlier output can pass
# for this one; under templates/, since templ names a file in its output
# by its path below -path, as when run at the root. internal/buildcheck
# tests this target.
TEMPLATES ?= templates
generated:
	@[ -d "$(TEMPLATES)" ] || { echo "generated: no directory $(TEMPLATES)"; exit 1; }; \
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	mkdir -p "$$tmp/want" "$$tmp/got/templates" && cp go.mod "$$tmp/got/" && \
	for f in $$(cd "$(TEMPLATES)" && find . -name '*.templ' -o -name '*_templ.go'); do \
	  f=$${f#./}; case $$f in *.templ) to=got/templates;; *) to=want;; esac; \
	  mkdir -p "$$(dirname "$$tmp/$$to/$$f")" && cp "$(TEMPLATES)/$$f" "$$tmp/$$to/$$f" || exit 1; \
	done; \
	if ! out=$$($(GO) tool templ generate -path "$$tmp/got" 2>&1); then \
	  echo "$$out" | sed "s|$$tmp/got/templates|$(TEMPLATES)|g"; \
	  echo "generated: go tool templ generate failed on $(TEMPLATES)"; exit 1; fi; \
	if ! diff -ru -x '*.templ' "$$tmp/want" "$$tmp/got/templates" >"$$tmp/diff"; then \
	  echo "generated: $(TEMPLATES)/*_templ.go are stale: run go tool templ generate"; \
	  sed -e "s|$$tmp/want|$(TEMPLATES)|" -e "s|$$tmp/got/templates|generated|" "$$tmp/diff" | head -40; exit 1; fi; \
	echo "generated: $(TEMPLATES) up to date"

unit:
	$(GO) test -count=1 ./...

# The core's tests again, compiled to WebAssembly and run in Node.js: the
# verdicts must not depend on the platform.
wasm-test:
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(WASMEXEC)" $(PURE)

bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=5 ./qualify ./site/...

# bench-load is the load and fault test at full size: 10,000 submissions
# at 200/s against winnow serve, killed and restarted half way.
bench-load:
	$(GO) test -count=1 -v -timeout 30m -run '^TestLoad$$' ./bench/loadtest -load.n 10000 -load.rate 200

# bench-edge measures the worker in workerd beside a JavaScript-only
# worker and the worker as commit 4add261 built it (a Go program per event).
bench-edge: edge
	WRANGLER_SEND_METRICS=false $(GO) run ./bench/edgeperf

# bench-native is the native server's concurrency and delivery goals: 20
# clients posting at once, and a backlog of 10,000 webhooks.
bench-native:
	$(GO) test -run='^$$' -bench=ConcurrentPosts -benchtime=4000x ./bench/loadtest
	$(GO) test -run='^$$' -bench=DeliverBacklog -benchtime=1x ./bench/loadtest

# bench-site compares the site build with Hugo (builds Hugo once).
bench-site:
	bench/site.sh

# fuzz runs each fuzzer for FUZZTIME (default 30s).
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s ./qualify
	$(GO) test -run='^$$' -fuzz='^FuzzDecode$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s ./qualify
	$(GO) test -run='^$$' -fuzz='^FuzzLead$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s ./qualify
	$(GO) test -run='^$$' -fuzz='^FuzzLoad$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s ./internal/content

# prereqs installs what make test needs besides Go: git, Node.js, Chromium
# and Java with apt-get when it may (as root or with passwordless sudo; else
# it names them in one line and fails), and the test tools of package.json
# with npm ci when node_modules is missing or older than package-lock.json.
prereqs:
	@sh scripts/prereqs.sh

# release builds winnow for Linux, macOS and Windows on amd64 and arm64
# into build/release: archives (tar.gz, zip for Windows) of the binary,
# VERSION stamped and the widget built in, with the README and licences,
# and SHA256SUMS. make release VERSION=v0.3.0 [TARGETS=linux/amd64,...]
release: widget
	$(GO) run ./scripts/release -version "$(VERSION)" $(if $(TARGETS),-targets "$(TARGETS)")

clean:
	rm -rf $(BUILD) cmd/edge/embed
