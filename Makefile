# Winnow's rulebook: `make dev` to see the model at work, `make test` for the
# whole suite. Everything builds into build/ (never committed).

GO       ?= go
GOROOT   := $(shell $(GO) env GOROOT)
WASMEXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
BUILD    := build
WINNOW   := $(BUILD)/winnow
CONTENT  ?= content

# Packages the browser widget compiles: they must stay small and pure.
PURE     := ./qualify
# What no pure package may import: each costs the widget 50-240 KB brotli,
# and YAML, Markdown, templates and minifiers belong to native code.
BANNED   := ^(fmt|encoding/json|reflect|regexp|time|os|net|net/.*|syscall/js|github\.com/goccy/go-yaml.*|github\.com/yuin/goldmark.*|github\.com/a-h/templ.*|github\.com/tdewolff/minify.*)$$

.PHONY: all dev check test fmt-check vet lint guard unit wasm-test bench fuzz clean

all: $(WINNOW)

$(WINNOW): $(shell find . -name '*.go' -not -path './build/*') go.mod go.sum
	@mkdir -p $(BUILD)
	$(GO) build -trimpath -o $@ ./cmd/winnow

# dev checks the content and prints the verdict of every example lead.
dev: $(WINNOW)
	$(WINNOW) check --verbose $(CONTENT)

check: $(WINNOW)
	$(WINNOW) check $(CONTENT)

test: fmt-check vet lint guard unit wasm-test check
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
	if [ $$fail = 0 ]; then echo "import guard: $(PURE) clean"; fi; exit $$fail

unit:
	$(GO) test -count=1 ./...

# The core's tests again, compiled to WebAssembly and run in Node.js: the
# verdicts must not depend on the platform.
wasm-test:
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(WASMEXEC)" $(PURE)

bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=5 ./qualify

# fuzz runs each fuzzer for FUZZTIME (default 30s).
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s ./qualify
	$(GO) test -run='^$$' -fuzz='^FuzzDecode$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s ./qualify
	$(GO) test -run='^$$' -fuzz='^FuzzLead$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s ./qualify
	$(GO) test -run='^$$' -fuzz='^FuzzLoad$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s ./load

clean:
	rm -rf $(BUILD)
